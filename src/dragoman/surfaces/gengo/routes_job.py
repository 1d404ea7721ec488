"""`/v2/translate/job/{id}`: read, act on (approve, revise, reject) and cancel one job; its
comments, revisions and feedback."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Path
from fastapi.responses import JSONResponse, StreamingResponse

from dragoman.core import gengo_views
from dragoman.errors import InvalidTransitionError, NotFoundError, ValidationError
from dragoman.surfaces.base import CoreDep
from dragoman.surfaces.gengo import actions
from dragoman.surfaces.gengo.auth import SignedDep
from dragoman.surfaces.gengo.errors import (
    NOT_CANCELLABLE,
    REVISION_ACCESS,
    GengoRoute,
    error_responses,
    ok,
)
from dragoman.surfaces.gengo.schemas import check_active, render_comment, render_job

router = APIRouter(
    prefix="/v2/translate/job", route_class=GengoRoute, tags=["Gengo"], responses=error_responses()
)
JobNumber = Annotated[int, Path(ge=1, le=2**62)]


@router.get("/{id}")
async def get_job(id: JobNumber, signed: SignedDep, core: CoreDep) -> JSONResponse:
    """The job payload (`pre_mt=1`: the machine draft while no human translation is shown)."""
    pre_mt = signed.params.get("pre_mt") in ("1", "true")
    job = await core.gengo.read(lambda c: gengo_views.get_job(c, signed.org.id, id, pre_mt=pre_mt))
    return ok({"job": render_job(job, core.settings.public_url or "")})


@router.put("/{id}")
async def update_job(id: JobNumber, signed: SignedDep, core: CoreDep) -> JSONResponse:
    """approve (rating, for_translator), revise (comment) or reject (reason, comment,
    follow_up requeue or cancel)."""
    act = actions.check_action(signed.require_data())
    await actions.apply(core.gengo, signed.org.id, id, act)
    return ok({})


@router.delete("/{id}")
async def cancel_job(id: JobNumber, signed: SignedDep, core: CoreDep) -> JSONResponse:
    """Cancel a job no translator has started (queued or available); credits refunded."""
    try:
        await core.gengo.cancel(signed.org.id, id)
    except InvalidTransitionError as exc:
        raise InvalidTransitionError(
            f"Job cannot be cancelled (incorrect state): {exc.message}",
            gengo_code=NOT_CANCELLABLE,
        ) from None
    return ok({})


@router.post("/{id}/comment")
async def post_comment(id: JobNumber, signed: SignedDep, core: CoreDep) -> JSONResponse:
    """Add a comment to the job's thread (plain text: HTML is refused)."""
    data = signed.require_data()
    body = data.get("body") if isinstance(data, dict) else None
    if not isinstance(body, str) or not body.strip():
        raise ValidationError("body is a required field", field="body", gengo_code=2000)
    await core.gengo.comment(signed.org.id, id, check_active(body, "body", no_markup=True))
    return ok({})


@router.get("/{id}/comments")
async def list_comments(id: JobNumber, signed: SignedDep, core: CoreDep) -> JSONResponse:
    """The job's comment thread, oldest first."""
    job_id = await core.gengo.core_id(signed.org.id, id)
    comments = await core.review.comments(signed.org.id, job_id)
    return ok({"thread": [render_comment(c) for c in comments]})


@router.get("/{id}/revisions")
async def list_revisions(id: JobNumber, signed: SignedDep, core: CoreDep) -> JSONResponse:
    """Every delivered version of the job."""
    job_id = await core.gengo.core_id(signed.org.id, id)
    revisions = await core.review.revisions(signed.org.id, job_id)
    return ok({
        "job_id": id,
        "revisions": [{"rev_id": r.number, "ctime": int(r.created_at.timestamp())}
                      for r in revisions],
    })  # fmt: skip


@router.get("/{id}/revision/{rev_id}")
async def get_revision(
    id: JobNumber,
    rev_id: Annotated[int, Path(ge=1, le=1_000_000)],
    signed: SignedDep,
    core: CoreDep,
) -> JSONResponse:
    """One delivered version: its text."""
    job_id = await core.gengo.core_id(signed.org.id, id)
    revisions = await core.review.revisions(signed.org.id, job_id)
    found = next((r for r in revisions if r.number == rev_id), None)
    if found is None:
        raise NotFoundError(f"revision {rev_id} of job {id} not found",
                            gengo_code=REVISION_ACCESS)  # fmt: skip
    body: dict[str, Any] = {"rev_id": found.number, "ctime": int(found.created_at.timestamp()),
                            "body_tgt": _body(found.output, found.targets)}  # fmt: skip
    return ok({"revision": body})


def _body(output: str | None, targets: dict[str, str]) -> str:
    import json

    if output:
        value = json.loads(output).get("body")
        if isinstance(value, str):
            return value
    return "\n".join(targets.values())


@router.get("/{id}/file/{which}")
async def get_file(
    id: JobNumber,
    which: Annotated[Literal["source", "target"], Path()],
    signed: SignedDep,
    core: CoreDep,
) -> StreamingResponse:
    """A file job's source file, or its translation once it is reviewable."""
    filename, media, chunks = await core.gengo.open_file(signed.org.id, id, which)
    quoted = quote(filename)
    disposition = f"attachment; filename*=UTF-8''{quoted}"
    return StreamingResponse(chunks, media_type=media,
                             headers={"Content-Disposition": disposition})  # fmt: skip


@router.get("/{id}/feedback")
async def get_feedback(id: JobNumber, signed: SignedDep, core: CoreDep) -> JSONResponse:
    """The rating and comment the customer gave on approval."""
    job_id = await core.gengo.core_id(signed.org.id, id)
    feedback = await core.review.feedback(signed.org.id, job_id)
    if feedback is None:
        return ok({"feedback": {}})
    rating = f"{feedback.rating:.1f}" if feedback.rating is not None else None
    return ok({"feedback": {"rating": rating, "for_translator": feedback.text or ""}})
