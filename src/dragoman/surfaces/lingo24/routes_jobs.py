"""Lingo24 jobs: create (a quote-first job: NEW -> ANALYZING -> QUOTED), list, read, cancel,
delete; metrics and price (204 before analysis), files, callbacks."""

from __future__ import annotations

from typing import Any

from fastapi import Request, Response

from dragoman.core.orgs import Organization
from dragoman.core.project_service import Service
from dragoman.core.service import Core
from dragoman.errors import BadRequestError
from dragoman.surfaces.base import CoreDep
from dragoman.surfaces.lingo24 import catalog, paging, schemas, wire
from dragoman.surfaces.lingo24.auth import OrgDep
from dragoman.surfaces.lingo24.common import job_bodies, new_router, path_id, route, services
from dragoman.surfaces.lingo24.schemas import SURFACE

router = new_router("Lingo24 jobs")
ONE = ["/job/{id}", "/docs/v1/jobs/{id}"]


async def _one(request: Request, org: Organization, core: Core, number: int) -> Response:
    job = await core.projects.get_job(org.id, number)
    (body,) = await job_bodies(core, org, [job])
    return wire.respond(request, "job", body)


@route(router, ["/job", "/docs/v1/jobs"], ["GET"], "List jobs (projectId to filter)")
async def list_jobs(request: Request, org: OrgDep, core: CoreDep) -> Response:
    at = paging.window(request)
    project = schemas.integer(dict(request.query_params), "projectId")
    found, total = await core.projects.list_jobs(
        org.id, project_number=project, limit=at.limit, offset=at.offset
    )
    items = await job_bodies(core, org, found)
    return wire.respond(request, "jobs", paging.listing(request, items, total, at))


def _service(fields: dict[str, Any], offered: list[Service]) -> Service:
    number = schemas.integer(fields, "serviceId")
    if number is not None:
        for service in offered:
            if service.number == number:
                return service
        raise BadRequestError(f"serviceId: no service has id {number} (see GET /service)",
                              field="serviceId")  # fmt: skip
    name = schemas.text(fields, "serviceLevel") or schemas.text(fields, "service")
    if name is None:
        raise BadRequestError("serviceLevel (or serviceId) is required", field="serviceLevel")
    wanted = name.strip().lower()
    for service in offered:
        if wanted in (service.name.lower(), service.workflow):
            return service
    names = ", ".join(s.name for s in offered)
    raise BadRequestError(
        f"serviceLevel {name!r} is not offered here ({names})", field="serviceLevel"
    )


def _locale(fields: dict[str, Any], code: str, id_name: str) -> str:
    if fields.get(code) not in (None, ""):
        return catalog.tag_of(fields[code], code)
    if fields.get(id_name) not in (None, ""):
        return catalog.tag_of(schemas.integer(fields, id_name), id_name)
    raise BadRequestError(f"{code} (or {id_name}) is required", field=code)


@route(router, ["/job", "/docs/v1/jobs", "/project/{id}/jobs",
                "/docs/v1/projects/{id}/jobs"], ["POST"], "Create a job")  # fmt: skip
async def create_job(request: Request, org: OrgDep, core: CoreDep) -> Response:
    """Mandatory: projectId (or the path's), sourceFileId, sourceLocale, targetLocale and
    serviceLevel (or the ids: sourceLocaleId, targetLocaleId, serviceId)."""
    fields = await wire.read_fields(request)
    if "id" in request.path_params:  # the project's (the same template as its GET)
        project = path_id(request, "project")
    else:
        project = schemas.integer(fields, "projectId", required=True)  # type: ignore[assignment]
    source_file = schemas.integer(fields, "sourceFileId", required=True)
    assert project is not None and source_file is not None
    job = await core.projects.add_job(
        org,
        SURFACE,
        project_number=project,
        file_number=source_file,
        source_locale=_locale(fields, "sourceLocale", "sourceLocaleId"),
        target_locale=_locale(fields, "targetLocale", "targetLocaleId"),
        service=_service(fields, await services(core, org)),
        callback_url=schemas.text(fields, "jobCallbackUrl", limit=2000),
    )
    return await _one(request, org, core, job.number)


@route(router, ONE, ["GET"], "Read a job")
async def get_job(request: Request, org: OrgDep, core: CoreDep) -> Response:
    return await _one(request, org, core, path_id(request, "job"))


@route(router, ONE, ["PUT"], "Edit a job (jobStatus CANCELLED cancels it)")
async def put_job(request: Request, org: OrgDep, core: CoreDep) -> Response:
    number = path_id(request, "job")
    current = await core.projects.get_job(org.id, number)
    fields = await wire.read_fields(request)
    status = schemas.text(fields, "jobStatus")
    if status is not None and status.upper() == "CANCELLED":
        await core.projects.cancel_job(org.id, number)
    elif status is not None:
        (body,) = await job_bodies(core, org, [current])
        if status.upper() != body["jobStatus"]:
            raise BadRequestError(
                f"a job cannot be set to {status.upper()}: only CANCELLED is a client's move "
                "(change the project's status to start the work)",
                field="jobStatus",
            )
    return await _one(request, org, core, number)


@route(router, ONE, ["DELETE"], "Delete a job of a CREATED or QUOTED project")
async def delete_job(request: Request, org: OrgDep, core: CoreDep) -> Response:
    await core.projects.delete_job(org.id, path_id(request, "job"))
    return Response(status_code=200)


@route(router, ["/job/{id}/metrics", "/docs/v1/jobs/{id}/metrics"], ["GET"], "Job metrics")
async def job_metrics(request: Request, org: OrgDep, core: CoreDep) -> Response:
    """Counts by match band; 204 before the job was analysed."""
    job = await core.projects.get_job(org.id, path_id(request, "job"))
    if job.analysis is None:
        return wire.no_content()
    return wire.respond(request, "metrics", schemas.render_metrics(job.analysis))


@route(router, ["/job/{id}/price", "/docs/v1/jobs/{id}/price"], ["GET"], "Job price")
async def job_price(request: Request, org: OrgDep, core: CoreDep) -> Response:
    """The four totals and currencyCode; 204 before the job was priced."""
    job = await core.projects.get_job(org.id, path_id(request, "job"))
    if job.price is None:
        return wire.no_content()
    return wire.respond(request, "price", job.price)


@route(router, ["/job/{id}/files", "/docs/v1/jobs/{id}/files"], ["GET"], "A job's files")
async def job_files(request: Request, org: OrgDep, core: CoreDep) -> Response:
    at = paging.window(request)
    found, total = await core.projects.list_files(
        org.id, job_number=path_id(request, "job"), limit=at.limit, offset=at.offset
    )
    items = [schemas.render_file(f) for f in found if f.type != "TARGET" or f.blob_key]
    return wire.respond(request, "files", paging.listing(request, items, total, at))


@route(router, ["/job/{id}/callbacks", "/docs/v1/jobs/{id}/callbacks"], ["GET"], "Callbacks")
async def job_callbacks(request: Request, org: OrgDep, core: CoreDep) -> Response:
    job = await core.projects.get_job(org.id, path_id(request, "job"))
    rows = await core.projects.deliveries(org.id, [job.group_id])
    items = [schemas.render_delivery(r, {job.id: job.number}) for r in rows]
    return wire.respond(request, "callbacks", items)
