"""Routes of the TranslatePlus i18n API: the documented `/v2/translate/i18n...` paths and the
official client's `/v2/i18n/jobs...` paths, over the same handlers."""

from __future__ import annotations

import contextlib
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request, Security
from fastapi.responses import JSONResponse, StreamingResponse
from fastapi.security import APIKeyHeader

from dragoman.core.locales import normalize_locale
from dragoman.core.orgs import Organization
from dragoman.core.queries import GroupView, JobView
from dragoman.errors import AuthenticationError, NotFoundError, ValidationError
from dragoman.http_limits import MULTIPART_OVERHEAD
from dragoman.surfaces.base import CoreDep, read_multipart
from dragoman.surfaces.native.schemas import DISPOSITION, FILE_BODY
from dragoman.surfaces.ratelimit import admit
from dragoman.surfaces.translateplus import schemas
from dragoman.surfaces.translateplus.errors import TranslatePlusRoute, error_responses
from dragoman.surfaces.translateplus.responses import Deleted, I18nJob, I18nJobPage, ok

# Every route authenticates and is rate-limited.
router = APIRouter(
    route_class=TranslatePlusRoute,
    tags=["TranslatePlus i18n"],
    responses=error_responses(401, 403, 422, 429),
)
API_KEY = APIKeyHeader(
    name="X-API-KEY",
    scheme_name="translateplusApiKey",
    description="Your API key.",
    auto_error=False,
)
_FILE = {
    200: {
        "description": "The translated file, named in Content-Disposition.",
        "content": {"*/*": {"schema": FILE_BODY}},
    },
    **error_responses(404, 409),
}

DOCUMENTED = "/v2/translate/i18n"
CLIENT = "/v2/i18n/jobs"

_LIST_ALL_LIMIT = 1000  # the documented list is one bare array: its newest jobs only
_PAGE_SIZE_MAX = 100
# No organization has this many pages, so a page past it is past the last (a 404), and the
# offset stays a 64-bit integer for the database (a page of 10**22 was a 500).
_PAGE_MAX = 10**9

_UPLOAD_DOC: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                # The file's name picks its format when nothing else names one.
                "encoding": {"file": {"headers": {"Content-Disposition": DISPOSITION}}},
                "schema": {
                    "type": "object",
                    # Other named parts are ignored; a part without a name is a 422.
                    "propertyNames": {"minLength": 1},
                    "required": ["file", "target_languages"],
                    "properties": {
                        "file": {"type": "string", "format": "binary"},
                        "target_languages": {
                            "type": "string",
                            "format": "bcp47-list",
                            "pattern": "[^,\\s]",
                            "example": "fr,es",
                            "description": "Comma- or space-separated language codes, or a "
                            "JSON array of them; none the source language.",
                        },
                        "source_language": {
                            "type": "string",
                            "default": "auto",
                            "description": "A BCP-47 tag, or `auto` (also when blank).",
                            "anyOf": [
                                {"format": "bcp47", "maxLength": 64},
                                {"pattern": "^\\s*(auto)?\\s*$"},
                            ],
                        },
                        "webhook_url": {
                            "type": "string",
                            "description": "HTTPS URL; its host must be public (400 otherwise).",
                            "pattern": "^\\s*[Hh][Tt][Tt][Pp][Ss]://[^/?#@:\\[\\]]+|^\\s*$",
                        },
                        "file_type": {"type": "string", "enum": list(schemas.FILE_TYPES)},
                    },
                },
            }
        },
    }
}


async def current_org(
    core: CoreDep, x_api_key: Annotated[str | None, Security(API_KEY)]
) -> Organization:
    if not x_api_key:
        raise AuthenticationError("API key is required: send it in the X-API-KEY header.")
    try:
        org = await core.authenticate(x_api_key)
    except AuthenticationError:
        raise _InvalidKeyError() from None
    return admit(core, org)


class _InvalidKeyError(AuthenticationError):
    """Invalid API key. Please verify your API key is valid."""

    status_code = 403


OrgDep = Annotated[Organization, Depends(current_org)]


def _file_url(request: Request, core: CoreDep) -> schemas.FileUrl:
    """Download links in the path style the request came in, on the public base URL."""
    base = (core.settings.public_url or str(request.base_url)).rstrip("/")
    if request.url.path.startswith(DOCUMENTED):
        return lambda job_id, lang: (
            f"{base}{DOCUMENTED}/jobs/{quote(job_id)}/download?language_code={quote(lang)}"
        )
    return lambda job_id, lang: f"{base}{CLIENT}/{quote(job_id)}/download/{quote(lang)}"


FileUrlDep = Annotated[schemas.FileUrl, Depends(_file_url)]


_UPLOAD_ERRORS = {201: ok(I18nJob, "The job, created."), **error_responses(400, 404, 413)}
_JOB = {200: ok(I18nJob, "The job."), **error_responses(404)}
_DELETED = {200: ok(Deleted, "The job and its files are deleted."), **error_responses(404)}


@router.post(DOCUMENTED, status_code=201, openapi_extra=_UPLOAD_DOC, responses=_UPLOAD_ERRORS)
@router.post(CLIENT, status_code=201, openapi_extra=_UPLOAD_DOC, responses=_UPLOAD_ERRORS)
async def create_job(
    request: Request, org: OrgDep, core: CoreDep, file_url: FileUrlDep
) -> JSONResponse:
    """Upload an i18n file (multipart) to translate into `target_languages`."""
    limit = core.settings.max_upload_bytes + MULTIPART_OVERHEAD
    form = await read_multipart(request, max_bytes=limit)
    _, group = await core.submit_file(org, schemas.submit_request(form))
    return JSONResponse(schemas.render_job(group, file_url), status_code=201)


@router.get(f"{DOCUMENTED}/jobs", responses={200: ok(list[I18nJob], "Jobs, newest first.")})
async def list_jobs(org: OrgDep, core: CoreDep, file_url: FileUrlDep) -> JSONResponse:
    """Every i18n job of the caller, newest first, as one array."""
    groups: list[GroupView] = []
    while len(groups) < _LIST_ALL_LIMIT:
        page, total = await core.list_groups(
            org.id, surface=schemas.SURFACE, limit=_PAGE_SIZE_MAX, offset=len(groups)
        )
        groups.extend(page)
        if not page or len(groups) >= total:
            break
    return JSONResponse([schemas.render_job(g, file_url) for g in groups[:_LIST_ALL_LIMIT]])


@router.get(CLIENT, responses={200: ok(I18nJobPage, "A page of jobs."), **error_responses(404)})
async def list_jobs_paginated(
    request: Request,
    org: OrgDep,
    core: CoreDep,
    file_url: FileUrlDep,
    page: Annotated[int, Query(description="From 1; a page past the last is a 404.")] = 1,
    page_size: Annotated[
        int, Query(description=f"Clamped to 1..{_PAGE_SIZE_MAX}; any integer is accepted.")
    ] = 20,
) -> JSONResponse:
    """One page of the caller's i18n jobs, newest first: `{count, next, previous, results}`."""
    size = min(max(page_size, 1), _PAGE_SIZE_MAX)
    if not 1 <= page <= _PAGE_MAX:
        raise NotFoundError("Invalid page.")
    groups, total = await core.list_groups(
        org.id, surface=schemas.SURFACE, limit=size, offset=(page - 1) * size
    )
    if page > 1 and not groups:
        raise NotFoundError("Invalid page.")

    def link(number: int) -> str:
        return str(request.url.include_query_params(page=number, page_size=size))

    return JSONResponse(
        {
            "count": total,
            "next": link(page + 1) if page * size < total else None,
            "previous": link(page - 1) if page > 1 else None,
            "results": [schemas.render_job(g, file_url) for g in groups],
        }
    )


@router.get(f"{DOCUMENTED}/jobs/{{job_id}}/status", responses=_JOB)
@router.get(f"{CLIENT}/{{job_id}}", responses=_JOB)
async def get_job(job_id: str, org: OrgDep, core: CoreDep, file_url: FileUrlDep) -> JSONResponse:
    """One i18n job: status, key counts, and its translated files once completed."""
    group = await _group(core, org, job_id)
    return JSONResponse(schemas.render_job(group, file_url))


@router.get(f"{DOCUMENTED}/jobs/{{job_id}}/download", responses=_FILE)
async def download_documented(
    job_id: str,
    org: OrgDep,
    core: CoreDep,
    language_code: Annotated[str, Query(description="A target language of the job.")],
) -> StreamingResponse:
    """The file translated into `language_code`."""
    return await _download(core, org, job_id, language_code)


@router.get(f"{CLIENT}/{{job_id}}/download/{{language_code}}", responses=_FILE)
async def download(
    job_id: str, language_code: str, org: OrgDep, core: CoreDep
) -> StreamingResponse:
    """The file translated into `language_code`."""
    return await _download(core, org, job_id, language_code)


@router.delete(f"{DOCUMENTED}/jobs/{{job_id}}", responses=_DELETED)
@router.delete(f"{CLIENT}/{{job_id}}", responses=_DELETED)
async def delete_job(job_id: str, org: OrgDep, core: CoreDep) -> JSONResponse:
    """Delete an i18n job with its uploaded and translated files."""
    group = await _group(core, org, job_id)
    await core.delete_group(org.id, group.id)
    # The official client parses every 2xx body as JSON, so no 204 here.
    return JSONResponse({"id": group.id, "job_id": group.id, "deleted": True})


async def _group(core: CoreDep, org: Organization, job_id: str) -> GroupView:
    """The caller's TranslatePlus job; one made through another API is not found here."""
    try:
        group = await core.get_group(org.id, job_id)
    except NotFoundError:
        group = None
    if group is None or group.surface != schemas.SURFACE:
        raise NotFoundError(f"Job {job_id} not found.")
    return group


async def _download(
    core: CoreDep, org: Organization, job_id: str, language_code: str
) -> StreamingResponse:
    group = await _group(core, org, job_id)
    job = _job_for(group, language_code)
    output = await core.open_output(org.id, job.id)
    # An ASCII fallback for old clients, the exact name (RFC 6266) for the rest.
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


def _job_for(group: GroupView, language_code: str) -> JobView:
    wanted = language_code.strip()
    with contextlib.suppress(ValidationError):  # an invalid tag simply matches no job
        wanted = normalize_locale(wanted, field="language_code")
    for job in group.jobs:
        if job.target_locale.lower() == wanted.lower():
            return job
    raise NotFoundError(
        f"Job {group.id} has no translation into {language_code!r}; its target languages are "
        f"{', '.join(j.target_locale for j in group.jobs)}."
    )
