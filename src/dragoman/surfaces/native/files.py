"""Native file jobs: upload an i18n file for several target locales, download each result."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, StreamingResponse

from dragoman.content.formats import registry
from dragoman.core.files import FileSubmitRequest
from dragoman.errors import DragomanError, ValidationError
from dragoman.http_limits import MULTIPART_OVERHEAD
from dragoman.surfaces.base import CoreDep, read_multipart
from dragoman.surfaces.native import responses as answers
from dragoman.surfaces.native import schemas
from dragoman.surfaces.native.errors import NativeRoute, error_responses
from dragoman.surfaces.native.routes import OrgDep

router = APIRouter(
    route_class=NativeRoute, tags=["file jobs"], responses=error_responses(401, 422, 429)
)

_UPLOAD_DOC = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                # The file's name picks its format when nothing else names one.
                "encoding": {"file": {"headers": {"Content-Disposition": schemas.DISPOSITION}}},
                "schema": {
                    "type": "object",
                    # Other named parts are ignored; a part without a name is a 422.
                    "propertyNames": {"minLength": 1},
                    "required": ["file", "sourceLocale", "targetLocales"],
                    "properties": {
                        "file": {"type": "string", "format": "binary"},
                        "sourceLocale": {
                            "type": "string",
                            "description": "BCP-47 tag, or `auto` to detect it.",
                            "anyOf": [schemas.LOCALE, {"const": "auto"}],
                        },
                        "targetLocales": {
                            "type": "string",
                            "format": "bcp47-list",
                            "pattern": "[^,\\s]",
                            "description": "Comma-separated BCP-47 tags, e.g. `es,fr`: at least "
                            "one, none the source locale.",
                        },
                        "format": {
                            "type": "string",
                            "description": "Codec name; by default from the extension/content.",
                            "enum": registry.names(),
                        },
                        "callbackUrl": {"type": "string", **schemas.HTTPS_URL},
                        "idempotencyKey": {"type": "string", **schemas.IDEMPOTENCY_KEY},
                        "engineId": {"type": "string"},
                    },
                },
            }
        },
    }
}


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
    body = await read_multipart(
        request, max_bytes=core.settings.max_upload_bytes + MULTIPART_OVERHEAD
    )
    upload = body.files.get("file")
    if upload is None:
        raise ValidationError("file is required (a multipart file part named `file`)", field="file")
    fields = body.fields
    source = fields.get("sourceLocale")
    if not source:
        raise ValidationError(
            "sourceLocale is required (a BCP-47 tag or `auto`)", field="sourceLocale"
        )
    targets = [t.strip() for t in fields.get("targetLocales", "").split(",") if t.strip()]
    if not targets:
        raise ValidationError("targetLocales must list at least one locale", field="targetLocales")
    request_ = FileSubmitRequest(
        source_locale=source,
        target_locales=targets,
        filename=upload.filename or "upload",
        data=upload.data,
        format=fields.get("format") or None,
        callback_url=fields.get("callbackUrl") or None,
        idempotency_key=fields.get("idempotencyKey") or None,
        engine_id=fields.get("engineId") or None,
    )
    try:
        submitted, group = await core.submit_file(org, request_)
    except DragomanError as exc:
        raise _in_native_names(exc) from None
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


# The core speaks snake_case; this surface's form fields are camelCase.
_NATIVE_FIELDS = {
    "source_locale": "sourceLocale",
    "target_locales": "targetLocales",
    "callback_url": "callbackUrl",
    "idempotency_key": "idempotencyKey",
    "engine_id": "engineId",
}


def _in_native_names(exc: DragomanError) -> DragomanError:
    """The error with the core's field names turned into this surface's."""
    for core_name, native in _NATIVE_FIELDS.items():
        if exc.field is not None and exc.field.startswith(core_name):
            exc.field = native + exc.field[len(core_name) :]
        exc.message = exc.message.replace(core_name, native)
    exc.args = (exc.message,)
    return exc
