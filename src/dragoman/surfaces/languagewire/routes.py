"""Routes of LanguageWire's document-translation API (MT API v2, seed 004)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Path, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from starlette.exceptions import HTTPException

from dragoman.core.queries import GroupView
from dragoman.core.status import JobStatus
from dragoman.errors import NotFoundError, ValidationError
from dragoman.http_limits import MULTIPART_OVERHEAD
from dragoman.surfaces.base import CoreDep, read_multipart
from dragoman.surfaces.languagewire import schemas
from dragoman.surfaces.languagewire.auth import OrgDep
from dragoman.surfaces.languagewire.errors import LanguageWireRoute, error_responses, unprocessable
from dragoman.surfaces.languagewire.schemas import (
    ALIAS_KIND,
    SURFACE,
    DocumentType,
    JobInfo,
    LanguagePairInfo,
)
from dragoman.surfaces.languagewire.statuses import LANGUAGEWIRE_STATUS

router = APIRouter(
    route_class=LanguageWireRoute,
    tags=["LanguageWire documents"],
    responses=error_responses(401, 422, 429),
)
JobId = Annotated[uuid.UUID, Path(description="The job's id, from POST /v2/documents/translate.")]
_NOT_FOUND = "The provided job ID does not exist"

_UPLOAD_DOC: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file", "source", "target"],
                    "properties": {
                        "file": {"type": "string", "format": "binary"},
                        "source": {"type": "string", "minLength": 2, "maxLength": 25},
                        "target": {"type": "string", "minLength": 2, "maxLength": 25},
                        "successCallbackUrl": {"type": "string", "format": "uri"},
                        "errorCallbackUrl": {"type": "string", "format": "uri"},
                        "translationId": {"type": "string", "maxLength": 255},
                    },
                }
            }
        },
    }
}


def _ok(model: Any, description: str) -> dict[str, Any]:
    return {"model": model, "description": description}


@router.post(
    "/v2/documents/translate",
    status_code=201,
    openapi_extra=_UPLOAD_DOC,
    responses={
        200: _ok(JobInfo, "The job a request with the same translationId and file created."),
        201: _ok(JobInfo, "The job, created."),
        **error_responses(400, 413),
    },
)
async def translate(request: Request, org: OrgDep, core: CoreDep) -> JSONResponse:
    """Start translating a document (multipart: `file`, `source`, `target`, optional
    `successCallbackUrl`, `errorCallbackUrl`, `translationId`)."""
    limit = core.settings.max_upload_bytes + MULTIPART_OVERHEAD
    form = await read_multipart(request, max_bytes=limit)
    submit = schemas.submit_request(form, core.settings)
    source, target = submit.source_locale, submit.target_locales[0]
    if not await core.supports_pair(org, source, target):
        return unprocessable(
            f"the language pair {source} -> {target} is not supported for document translation",
            ["body", "target"],
        )
    submitted, group = await core.submit_file(org, submit)
    job_id = await core.alias_of(SURFACE, ALIAS_KIND, group.id) or group.id
    return JSONResponse(
        schemas.render_job(job_id, group), status_code=201 if submitted.created else 200
    )


@router.api_route(
    "/v2/documents/translate",
    methods=["GET", "PUT", "PATCH", "DELETE"],
    include_in_schema=False,
)
async def translate_other_methods() -> None:
    """405 with `Allow: POST`: `translate` is no job id of `/v2/documents/{jobId}` below."""
    raise HTTPException(405, "Method Not Allowed", headers={"Allow": "POST"})


@router.get(
    "/v2/documents/types",
    responses={200: _ok(list[DocumentType], "The document formats this server translates.")},
)
async def document_types(org: OrgDep) -> JSONResponse:
    """The document formats this server translates."""
    return JSONResponse(schemas.document_types())


@router.get(
    "/v2/languages/document-translation",
    responses={200: _ok(list[LanguagePairInfo], "Language pairs (`*`: any language).")},
)
async def language_pairs(org: OrgDep, core: CoreDep) -> JSONResponse:
    """The language pairs documents can be translated in."""
    pairs, any_pair = await core.language_pairs(org)
    found = [{"source": p.source, "target": p.target} for p in pairs]
    if any_pair:
        found.append({"source": "*", "target": "*"})
    return JSONResponse(found)


@router.get(
    "/v2/documents/{jobId}",
    responses={200: _ok(JobInfo, "The job's information."), **error_responses(404)},
)
async def get_job(jobId: JobId, org: OrgDep, core: CoreDep) -> JSONResponse:
    """A document translation job's status; `reason`, `errorCode` and `errorData` once it
    failed."""
    job_id = str(jobId)
    return JSONResponse(schemas.render_job(job_id, await _group(core, org.id, job_id)))


@router.get(
    "/v2/documents/{jobId}/download",
    responses={
        200: {
            "description": "The translated document, named in Content-Disposition.",
            "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
        },
        **error_responses(404),
    },
)
async def download(jobId: JobId, org: OrgDep, core: CoreDep) -> Response:
    """The translated document; 422 until the job succeeded, 404 once it expired."""
    job_id = str(jobId)
    group = await _group(core, org.id, job_id)
    job = group.jobs[0]
    if job.status != JobStatus.COMPLETED:
        return unprocessable(
            f"the job is {LANGUAGEWIRE_STATUS[job.status]}: its document can be downloaded "
            "once the status is SUCCESS",
            ["path", "jobId"],
        )
    try:
        output = await core.open_output(org.id, job.id)
    except NotFoundError:  # expired or deleted meanwhile
        raise NotFoundError(_NOT_FOUND) from None
    fallback = "".join(c if " " <= c < "\x7f" and c not in '"\\' else "_" for c in output.filename)
    return StreamingResponse(
        output.stream,
        media_type=output.media_type,
        headers={
            "Content-Length": str(output.size),
            "Content-Disposition": (
                f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(output.filename)}"
            ),
        },
    )


async def _group(core: CoreDep, org_id: str, job_id: str) -> GroupView:
    """The organization's LanguageWire job; 404 for others' ids and deleted ones."""
    group_id = await core.find_alias(org_id, SURFACE, ALIAS_KIND, job_id)
    if group_id is None:
        raise NotFoundError(_NOT_FOUND)
    try:
        group = await core.get_group(org_id, group_id)
    except (NotFoundError, ValidationError):
        raise NotFoundError(_NOT_FOUND) from None
    if group.surface != SURFACE or not group.jobs:
        raise NotFoundError(_NOT_FOUND)
    return group
