"""Native file jobs: upload an i18n file for several target locales, download each result."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, StreamingResponse

from dragoman.core.files import FileSubmitRequest
from dragoman.errors import DragomanError
from dragoman.surfaces.base import CoreDep
from dragoman.surfaces.native import responses as answers
from dragoman.surfaces.native import schemas
from dragoman.surfaces.native.errors import NativeRoute, error_responses
from dragoman.surfaces.native.routes import OrgDep
from dragoman.surfaces.native.uploads import in_native_names, read_upload, upload_doc

router = APIRouter(
    route_class=NativeRoute, tags=["file jobs"], responses=error_responses(401, 422, 429)
)

_UPLOAD_DOC = upload_doc(
    callbackUrl={"type": "string", **schemas.HTTPS_URL},
    idempotencyKey={"type": "string", **schemas.IDEMPOTENCY_KEY},
)


@router.post(
    "/jobs/localization/files",
    status_code=202,
    openapi_extra=_UPLOAD_DOC,
    responses={
        202: answers.ok(answers.Created, "The group was created; its jobs are queued."),
        200: answers.ok(answers.Created, schemas.REPLAY["description"]),
        **error_responses(400, 404, 413),
    },
)
async def create_file_jobs(request: Request, org: OrgDep, core: CoreDep) -> JSONResponse:
    """Upload an i18n resource file: one job per target locale (202; 200 for a replay)."""
    upload = await read_upload(request, core)
    request_ = FileSubmitRequest(
        source_locale=upload.source_locale,
        target_locales=upload.target_locales,
        filename=upload.filename,
        data=upload.data,
        format=upload.field("format"),
        callback_url=upload.field("callbackUrl"),
        idempotency_key=upload.field("idempotencyKey"),
        engine_id=upload.field("engineId"),
    )
    try:
        submitted, group = await core.submit_file(org, request_)
    except DragomanError as exc:
        raise in_native_names(exc) from None
    return JSONResponse(
        schemas.render_created(group), status_code=202 if submitted.created else 200
    )


@router.get(
    "/jobs/localization/{jobId}/file",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "The translated file, named in Content-Disposition.",
            "content": {"*/*": {"schema": schemas.FILE_BODY}},
        },
        **error_responses(404, 409),
    },
)
async def download_file(jobId: str, org: OrgDep, core: CoreDep) -> StreamingResponse:
    """The translated file of a completed file job, under its conventional name."""
    output = await core.open_output(org.id, jobId)
    disposition = f"attachment; filename*=UTF-8''{quote(output.filename)}"
    return StreamingResponse(
        output.stream,
        media_type=output.media_type,
        headers={"Content-Disposition": disposition, "Content-Length": str(output.size)},
    )
