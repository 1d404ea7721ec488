"""Native routes for the customer side of human jobs: approve (with feedback), revise with a
comment, reject (requeue or cancel), cancel, comments and delivered revisions."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from dragoman.core import review
from dragoman.core.credits import from_micros
from dragoman.core.status import JobStatus
from dragoman.surfaces.base import CoreDep
from dragoman.surfaces.native.errors import NativeRoute, error_responses
from dragoman.surfaces.native.routes import OrgDep
from dragoman.surfaces.native.statuses import NATIVE_STATUS
from dragoman.timefmt import iso_ms

router = APIRouter(
    route_class=NativeRoute,
    tags=["human review"],
    responses=error_responses(400, 401, 404, 409, 422, 429),
)
JobId = Annotated[str, Path(max_length=80)]
_TEXT = review.MAX_COMMENT_CHARS


class ApproveBody(BaseModel):
    """`POST /jobs/localization/{jobId}/approve`."""

    model_config = ConfigDict(extra="forbid")

    rating: int | None = Field(None, ge=1, le=5)
    feedback: str | None = Field(None, max_length=_TEXT)


class ReviseBody(BaseModel):
    """`POST /jobs/localization/{jobId}/revise`: what to change."""

    model_config = ConfigDict(extra="forbid")

    comment: str = Field(min_length=1, max_length=_TEXT)


class RejectBody(BaseModel):
    """`POST /jobs/localization/{jobId}/reject`."""

    model_config = ConfigDict(extra="forbid")

    followUp: Literal["requeue", "cancel"] = "requeue"
    comment: str | None = Field(None, max_length=_TEXT)


class CommentBody(BaseModel):
    """`POST /jobs/localization/{jobId}/comments`."""

    model_config = ConfigDict(extra="forbid")

    body: str = Field(min_length=1, max_length=_TEXT)


def _moved(job_id: str, status: JobStatus) -> JSONResponse:
    return JSONResponse({"id": job_id, "status": NATIVE_STATUS[status], "stage": str(status)})


def _comment(c: review.Comment) -> dict[str, Any]:
    return {"id": c.id, "author": str(c.author), "authorName": c.author_name, "body": c.body,
            "createdAt": iso_ms(c.created_at)}  # fmt: skip


@router.post("/jobs/localization/{jobId}/approve")
async def approve(
    jobId: JobId, org: OrgDep, core: CoreDep, body: ApproveBody | None = None
) -> JSONResponse:
    """Approve a reviewable human job (completed), with an optional rating and feedback."""
    chosen = body or ApproveBody()
    status = await core.review.approve(
        org.id, jobId, rating=chosen.rating, feedback=chosen.feedback
    )
    return _moved(jobId, status)


@router.post("/jobs/localization/{jobId}/revise")
async def revise(jobId: JobId, body: ReviseBody, org: OrgDep, core: CoreDep) -> JSONResponse:
    """Send a reviewable job back to its translator with a comment."""
    return _moved(jobId, await core.review.revise(org.id, jobId, body.comment))


@router.post("/jobs/localization/{jobId}/reject")
async def reject(jobId: JobId, body: RejectBody, org: OrgDep, core: CoreDep) -> JSONResponse:
    """Reject a reviewable job: available to another translator, or cancelled."""
    follow_up = review.FollowUp(body.followUp)
    return _moved(jobId, await core.review.reject(org.id, jobId, follow_up, body.comment))


@router.post("/jobs/localization/{jobId}/cancel")
async def cancel(jobId: JobId, org: OrgDep, core: CoreDep) -> JSONResponse:
    """Cancel a human job nobody has taken yet."""
    return _moved(jobId, await core.review.cancel(org.id, jobId))


@router.post("/jobs/localization/{jobId}/comments", status_code=201)
async def add_comment(jobId: JobId, body: CommentBody, org: OrgDep, core: CoreDep) -> JSONResponse:
    """Comment on a human job (the translator reads it)."""
    return JSONResponse(_comment(await core.review.customer_comment(org.id, jobId, body.body)), 201)


@router.get("/jobs/localization/{jobId}/review")
async def get_review(jobId: JobId, org: OrgDep, core: CoreDep) -> JSONResponse:
    """A human job's review state: stage, tier, price, comments, revisions and feedback."""
    job = await core.review.human_job(org.id, jobId)
    comments = await core.review.comments(org.id, jobId)
    revisions = await core.review.revisions(org.id, jobId)
    feedback = await core.review.feedback(org.id, jobId)
    return JSONResponse(
        {
            "id": jobId,
            "stage": str(job.status),
            "tier": str(job.tier),
            "unitCount": job.unit_count,
            "credits": str(from_micros(job.credits_micros)),
            "currency": job.currency,
            "etaSeconds": job.eta_seconds,
            "reviewDueAt": iso_ms(job.review_due_at),
            "comments": [_comment(c) for c in comments],
            "revisions": [
                {
                    "number": r.number,
                    "translatorId": r.translator_id,
                    "targets": r.targets,
                    "createdAt": iso_ms(r.created_at),
                }
                for r in revisions
            ],
            "feedback": None
            if feedback is None
            else {"rating": feedback.rating, "text": feedback.text},
        }
    )
