"""`/v2/translate/jobs` and `/v2/translate/order`: order jobs, list them, read several by id,
update several at once, read and cancel an order, comment on it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path
from fastapi.responses import JSONResponse

from dragoman.core import gengo_order_comments, gengo_views
from dragoman.core.credits import from_micros
from dragoman.core.gengo_views import GengoJob
from dragoman.core.status import JobStatus
from dragoman.errors import DragomanError, ValidationError
from dragoman.surfaces.base import CoreDep
from dragoman.surfaces.gengo import actions
from dragoman.surfaces.gengo.auth import SignedDep
from dragoman.surfaces.gengo.errors import GengoRoute, error_responses, ok
from dragoman.surfaces.gengo.schemas import (
    check_active,
    parse_order,
    render_comment,
    render_job,
    render_order,
)
from dragoman.surfaces.gengo.statuses import core_statuses, gengo_status

router = APIRouter(
    prefix="/v2/translate", route_class=GengoRoute, tags=["Gengo"], responses=error_responses()
)
MAX_IDS = 200
MAX_TIMESTAMP = 253_402_300_799  # 9999-12-31T23:59:59Z, the last second datetime can hold


@router.post("/jobs")
async def post_jobs(signed: SignedDep, core: CoreDep) -> JSONResponse:
    """Order jobs (`data`: `jobs`, `as_group`, `comment`); old jobs (duplicates of the last 5
    minutes, bodies approved before) are listed under `jobs` and cost nothing."""
    order = parse_order(signed.require_data(), core.settings)
    result = await core.gengo.submit_order(signed.org, order)
    body: dict[str, Any] = {
        "order_id": result.order_number,
        "job_count": result.job_count,
        "credits_used": float(from_micros(result.credits_micros)),
        "currency": result.currency,
    }
    if result.old:
        numbers = list(result.old.values())
        found = await core.gengo.read(lambda c: gengo_views.get_jobs(c, signed.org.id, numbers))
        base = core.settings.public_url or ""
        by_number = {j.number: render_job(j, base) for j in found}
        body["jobs"] = {key: [by_number[n]] for key, n in result.old.items() if n in by_number}
    return ok(body)


def _timestamp(value: str | None) -> datetime | None:
    if not value:
        return None
    if not value.isdigit() or int(value) > MAX_TIMESTAMP:
        raise ValidationError("timestamp_after must be a Unix time", field="timestamp_after")
    return datetime.fromtimestamp(int(value), UTC)


@router.get("/jobs")
async def list_jobs(signed: SignedDep, core: CoreDep) -> JSONResponse:
    """The newest jobs (`status`, `count` up to 200, default 10; `timestamp_after`)."""
    params = signed.params
    statuses, rejected = None, None
    if params.get("status"):
        found = core_statuses(params["status"])
        if found is None:
            raise ValidationError(f"unknown status {params['status'][:40]!r}", field="status",
                                  gengo_code=2650)  # fmt: skip
        statuses, rejected = found
    count = params.get("count")
    if count is not None and (not count.isdigit() or not 1 <= int(count) <= 200):
        raise ValidationError("count must be 1 to 200", field="count")
    after = _timestamp(params.get("timestamp_after"))
    limit = int(count) if count else (None if after else 10)
    jobs = await core.gengo.read(
        lambda c: gengo_views.list_jobs(
            c, signed.org.id, statuses=statuses, rejected=rejected, after=after, count=limit
        )
    )
    return ok([_summary(j) for j in jobs])


def _summary(job: GengoJob) -> dict[str, Any]:
    return {"job_id": job.number, "ctime": int(job.created_at.timestamp()),
            "status": render_job(job)["status"]}  # fmt: skip


def parse_ids(text: str) -> list[int]:
    """`1,2,3` as integers (404-like 2100 for anything else)."""
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if not parts or len(parts) > MAX_IDS or not all(p.isdigit() and len(p) < 19 for p in parts):
        raise ValidationError("ids must be job ids separated by commas", field="job_id",
                              gengo_code=2050)  # fmt: skip
    return [int(p) for p in parts]


@router.get("/jobs/{ids}")
async def get_jobs(
    ids: Annotated[str, Path(max_length=4000)], signed: SignedDep, core: CoreDep
) -> JSONResponse:
    """Several jobs by comma-separated ids (other organizations' ids are left out)."""
    numbers = parse_ids(ids)
    jobs = await core.gengo.read(lambda c: gengo_views.get_jobs(c, signed.org.id, numbers))
    return ok({"jobs": [render_job(j, core.settings.public_url or "") for j in jobs]})


@router.put("/jobs")
async def update_jobs(signed: SignedDep, core: CoreDep) -> JSONResponse:
    """One action on several jobs (`job_ids`: ids, or objects with `job_id` and the
    action's fields); errors are keyed by job."""
    data = signed.require_data()
    if not isinstance(data, dict) or not isinstance(data.get("job_ids"), list):
        raise ValidationError("job_ids is a required field", field="job_id", gengo_code=2050)
    entries = data["job_ids"][:MAX_IDS]
    checked: list[tuple[int, dict[str, Any]]] = []
    errors: dict[str, list[tuple[int, str]]] = {}
    for index, entry in enumerate(entries):
        fields = dict(entry) if isinstance(entry, dict) else {"job_id": entry}
        number = fields.get("job_id")
        key = f"job_{number}" if str(number).isdigit() else f"job_ids[{index}]"
        try:
            if not str(number).isdigit():
                raise ValidationError("job_id is a required field", gengo_code=2050)
            merged = {k: v for k, v in data.items() if k != "job_ids"} | fields
            checked.append((int(str(number)), actions.check_action(merged)))
        except DragomanError as exc:
            errors[key] = [(int(exc.extra.get("gengo_code", 1251)), exc.message)]
    if not errors:  # every job ours and reviewable, or nothing moves
        numbers = [n for n, _ in checked]
        found = await core.gengo.read(lambda c: gengo_views.get_jobs(c, signed.org.id, numbers))
        states = {j.number: j.status for j in found}
        for number in numbers:
            if number not in states:
                errors[f"job_{number}"] = [(2100, f"job {number} not found")]
            elif states[number] != JobStatus.REVIEWABLE:
                shown = gengo_status(states[number])
                errors[f"job_{number}"] = [(2250, f"Job is not reviewable: it is {shown}")]
    if not errors:
        for number, act in checked:
            try:
                await actions.apply(core.gengo, signed.org.id, number, act)
            except DragomanError as exc:
                errors[f"job_{number}"] = [(int(exc.extra.get("gengo_code", 2650)), exc.message)]
    if errors:
        raise ValidationError("some jobs could not be updated", job_errors=errors)
    return ok({})


@router.get("/order/{order_id}")
async def get_order(
    order_id: Annotated[int, Path(ge=1, le=2**62)], signed: SignedDep, core: CoreDep
) -> JSONResponse:
    """An order's totals and its jobs by status."""
    order = await core.gengo.read(lambda c: gengo_views.get_order(c, signed.org.id, order_id))
    return ok({"order": render_order(order)})


@router.delete("/order/{order_id}")
async def cancel_order(
    order_id: Annotated[int, Path(ge=1, le=2**62)], signed: SignedDep, core: CoreDep
) -> JSONResponse:
    """Cancel the order's jobs nobody has started yet (their credits are refunded)."""
    order = await core.gengo.read(lambda c: gengo_views.get_order(c, signed.org.id, order_id))
    for job in order.jobs:
        if render_job(job)["status"] in ("queued", "available"):
            await core.gengo.cancel(signed.org.id, job.number)
    return ok({})


OrderNumber = Annotated[int, Path(ge=1, le=2**62)]


@router.post("/order/{order_id}/comment")
async def post_order_comment(
    order_id: OrderNumber, signed: SignedDep, core: CoreDep
) -> JSONResponse:
    """Add a comment to the order's thread (plain text: HTML is refused)."""
    data = signed.require_data()
    body = data.get("body") if isinstance(data, dict) else None
    if not isinstance(body, str) or not body.strip():
        raise ValidationError("body is a required field", field="body", gengo_code=2000)
    text = check_active(body, "body", no_markup=True)
    await core.gengo.write(
        lambda c: gengo_order_comments.add_comment(c, signed.org.id, order_id, text)
    )
    return ok({})


@router.get("/order/{order_id}/comments")
async def list_order_comments(
    order_id: OrderNumber, signed: SignedDep, core: CoreDep
) -> JSONResponse:
    """The order's comment thread, oldest first."""
    found = await core.gengo.read(
        lambda c: gengo_order_comments.list_comments(c, signed.org.id, order_id)
    )
    return ok({"thread": [render_comment(c) for c in found]})
