"""`PUT /translate/job/{id}` and `PUT /translate/jobs`: approve (rating, feedback), revise
(comment), reject (reason, comment, follow_up requeue or cancel), each by integer job id."""

from __future__ import annotations

from typing import Any

from dragoman.core import review
from dragoman.core.gengo_service import GengoService
from dragoman.core.status import JobStatus
from dragoman.errors import InvalidTransitionError, ValidationError
from dragoman.surfaces.gengo.errors import NOT_REVIEWABLE
from dragoman.surfaces.gengo.schemas import check_active

ACTIONS = ("approve", "revise", "reject")
REASONS = ("quality", "incomplete", "other")


def _text(value: Any, name: str, code: int, required: bool) -> str | None:
    if value is None or value == "":
        if required:
            raise ValidationError(f"{name} is a required field", field=name, gengo_code=code)
        return None
    if not isinstance(value, str):
        raise ValidationError(f"{name} must be a string", field=name, gengo_code=code)
    return check_active(value, name, no_markup=True)


def _rating(value: Any) -> int | None:
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = 0
    if number != int(number) or not 1 <= number <= 5:
        raise ValidationError("rating must be 1 to 5", field="rating", gengo_code=2501)
    return int(number)


def check_action(data: Any) -> dict[str, Any]:
    """The action's fields, checked before anything moves."""
    if not isinstance(data, dict):
        raise ValidationError("data must be a JSON object", field="data", gengo_code=1251)
    action = data.get("action")
    if action not in ACTIONS:
        raise ValidationError(f"action must be one of {', '.join(ACTIONS)}", field="action",
                              gengo_code=1251)  # fmt: skip
    checked: dict[str, Any] = {"action": action}
    if action == "approve":
        checked["rating"] = _rating(data.get("rating"))
        checked["feedback"] = _text(data.get("for_translator"), "for_translator", 2300, False)
    elif action == "revise":
        checked["comment"] = _text(data.get("comment"), "comment", 2300, True)
    else:
        reason = data.get("reason")
        if reason not in REASONS:
            raise ValidationError("reason is a required field: quality, incomplete or other",
                                  field="reason", gengo_code=2350)  # fmt: skip
        checked["comment"] = f"[{reason}] " + str(_text(data.get("comment"), "comment", 2300, True))
        follow_up = data.get("follow_up") or "requeue"
        if follow_up not in ("requeue", "cancel"):
            raise ValidationError("Invalid follow-up value: requeue or cancel",
                                  field="follow_up", gengo_code=2450)  # fmt: skip
        checked["follow_up"] = review.FollowUp(follow_up)
    return checked


async def apply(gengo: GengoService, org_id: str, number: int, act: dict[str, Any]) -> JobStatus:
    """Make the checked move on the job (Gengo 2250 when it is not reviewable)."""
    try:
        if act["action"] == "approve":
            return await gengo.approve(org_id, number, act["rating"], act["feedback"])
        if act["action"] == "revise":
            return await gengo.revise(org_id, number, act["comment"])
        return await gengo.reject(org_id, number, act["follow_up"], act["comment"])
    except InvalidTransitionError as exc:
        raise InvalidTransitionError(
            f"Job is not reviewable: {exc.message}", gengo_code=NOT_REVIEWABLE
        ) from None
