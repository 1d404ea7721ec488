"""Routes of the TranslatePlus i18n API: the documented `/v2/translate/i18n...` paths and the
official client's `/v2/i18n/jobs...` paths, over the same handlers."""

from __future__ import annotations

import contextlib
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import JSONResponse, StreamingResponse

from dragoman.core.locales import normalize_locale
from dragoman.core.orgs import Organization
from dragoman.core.queries import GroupView, JobView
from dragoman.errors import AuthenticationError, NotFoundError, ValidationError
from dragoman.http_limits import MULTIPART_OVERHEAD
from dragoman.surfaces.base import CoreDep, read_multipart
from dragoman.surfaces.ratelimit import admit
from dragoman.surfaces.translateplus import schemas
from dragoman.surfaces.translateplus.errors import TranslatePlusRoute

router = APIRouter(route_class=TranslatePlusRoute, tags=["TranslatePlus i18n"])

DOCUMENTED = "/v2/translate/i18n"
CLIENT = "/v2/i18n/jobs"

_LIST_ALL_LIMIT = 1000  # the documented list is one bare array: its newest jobs only
_PAGE_SIZE_MAX = 100

_UPLOAD_DOC: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file", "target_languages"],
                    "properties": {
                        "file": {"type": "string", "format": "binary"},
                        "target_languages": {"type": "string", "example": "fr,es"},
                        "source_language": {"type": "string", "default": "auto"},
                        "webhook_url": {"type": "string", "format": "uri"},
                        "file_type": {"type": "string", "enum": list(schemas.FILE_TYPES)},
                    },
                }
            }
        },
    }
}


async def current_org(
    core: CoreDep,
    x_api_key: Annotated[str | None, Header(description="Your API key.")] = None,
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


@router.post(DOCUMENTED, status_code=201, openapi_extra=_UPLOAD_DOC)
@router.post(CLIENT, status_code=201, openapi_extra=_UPLOAD_DOC)
async def create_job(
    request: Request, org: OrgDep, core: CoreDep, file_url: FileUrlDep
) -> JSONResponse:
    """Upload an i18n file (multipart) to translate into `target_languages`."""
    limit = core.settings.max_upload_bytes + MULTIPART_OVERHEAD
    form = await read_multipart(request, max_bytes=limit)
    _, group = await core.submit_file(org, schemas.submit_request(form))
    return JSONResponse(schemas.render_job(group, file_url), status_code=201)


@router.get(f"{DOCUMENTED}/jobs")
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


@router.get(CLIENT)
async def list_jobs_paginated(
    request: Request,
    org: OrgDep,
    core: CoreDep,
    file_url: FileUrlDep,
    page: Annotated[int, Query()] = 1,
    page_size: Annotated[int, Query()] = 20,
) -> JSONResponse:
    """One page of the caller's i18n jobs, newest first: `{count, next, previous, results}`."""
    size = min(max(page_size, 1), _PAGE_SIZE_MAX)
    if page < 1:
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


@router.get(f"{DOCUMENTED}/jobs/{{job_id}}/status")
@router.get(f"{CLIENT}/{{job_id}}")
async def get_job(job_id: str, org: OrgDep, core: CoreDep, file_url: FileUrlDep) -> JSONResponse:
    """One i18n job: status, key counts, and its translated files once completed."""
    group = await _group(core, org, job_id)
    return JSONResponse(schemas.render_job(group, file_url))


@router.get(f"{DOCUMENTED}/jobs/{{job_id}}/download")
async def download_documented(
    job_id: str,
    org: OrgDep,
    core: CoreDep,
    language_code: Annotated[str, Query(description="A target language of the job.")],
) -> StreamingResponse:
    """The file translated into `language_code`."""
    return await _download(core, org, job_id, language_code)


@router.get(f"{CLIENT}/{{job_id}}/download/{{language_code}}")
async def download(
    job_id: str, language_code: str, org: OrgDep, core: CoreDep
) -> StreamingResponse:
    """The file translated into `language_code`."""
    return await _download(core, org, job_id, language_code)


@router.delete(f"{DOCUMENTED}/jobs/{{job_id}}")
@router.delete(f"{CLIENT}/{{job_id}}")
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
