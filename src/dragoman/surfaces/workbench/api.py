"""The translator REST API (`/translator/v1/...`), authenticated by a translator key in
`X-API-Key`: list, take, read, edit, deliver and comment on human jobs."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Security
from fastapi.responses import JSONResponse
from fastapi.security import APIKeyHeader

from dragoman.core.human_queries import MAX_PAGE
from dragoman.core.translators import Translator
from dragoman.surfaces.base import CoreDep
from dragoman.surfaces.workbench import schemas
from dragoman.surfaces.workbench.errors import WorkbenchRoute, error_responses

router = APIRouter(
    prefix="/translator/v1",
    route_class=WorkbenchRoute,
    tags=["translators"],
    responses=error_responses(),
)
TRANSLATOR_KEY = APIKeyHeader(
    name="X-API-Key",
    scheme_name="translatorKey",
    description="A translator key (`dragoman translators create`).",
    auto_error=False,
)


async def current_translator(
    core: CoreDep, key: Annotated[str | None, Security(TRANSLATOR_KEY)]
) -> Translator:
    return await core.review.authenticate(key)


TranslatorDep = Annotated[Translator, Depends(current_translator)]
JobId = Annotated[str, Path(max_length=80)]


@router.get("/jobs")
async def list_jobs(
    translator: TranslatorDep,
    core: CoreDep,
    status: Literal["available", "mine"] = "available",
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> JSONResponse:
    """Jobs open to the translator, oldest first (`status=mine`: the jobs they hold)."""
    items = await core.review.list_jobs(translator, status, limit, offset)
    return JSONResponse({"items": [schemas.render_summary(j) for j in items]})


@router.post("/jobs/{jobId}/take")
async def take(jobId: JobId, translator: TranslatorDep, core: CoreDep) -> JSONResponse:
    """Take an available job (409 when another translator took it first)."""
    status = await core.review.take(translator, jobId)
    return JSONResponse({"id": jobId, "status": str(status)})


@router.get("/jobs/{jobId}")
async def get_job(jobId: JobId, translator: TranslatorDep, core: CoreDep) -> JSONResponse:
    """The job with its segments, suggestions, terms, placeholders, QA and comments."""
    detail = await core.review.job_detail(translator, jobId)
    return JSONResponse(schemas.render_detail(detail))


@router.put("/jobs/{jobId}/segments/{segmentId}")
async def save_segment(
    jobId: JobId,
    segmentId: Annotated[int, Path(ge=1, le=10_000_000)],
    body: schemas.SegmentBody,
    translator: TranslatorDep,
    core: CoreDep,
) -> JSONResponse:
    """Save the draft of one segment of a job the translator holds; returns its QA warnings."""
    segment, warnings = await core.review.save_segment(translator, jobId, segmentId, body.target)
    return JSONResponse({"id": segment.id, "target": segment.target, "qa": warnings})


@router.post("/jobs/{jobId}/deliver")
async def deliver(jobId: JobId, translator: TranslatorDep, core: CoreDep) -> JSONResponse:
    """Deliver the job (422 with `problems` while a segment is empty or misses a placeholder)."""
    status = await core.review.deliver(translator, jobId)
    return JSONResponse({"id": jobId, "status": str(status)})


@router.post("/jobs/{jobId}/comments", status_code=201)
async def comment(
    jobId: JobId, body: schemas.CommentBody, translator: TranslatorDep, core: CoreDep
) -> JSONResponse:
    """Add a comment to a job the translator can see."""
    added = await core.review.translator_comment(translator, jobId, body.body)
    return JSONResponse(schemas.render_comment(added), status_code=201)
