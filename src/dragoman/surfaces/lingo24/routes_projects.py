"""Lingo24 projects: create, list, read, edit (status moves), delete; their jobs, files,
price and callbacks."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fastapi import Request, Response

from dragoman.core.projects import Project
from dragoman.errors import BadRequestError
from dragoman.surfaces.base import CoreDep
from dragoman.surfaces.lingo24 import catalog, paging, schemas, wire
from dragoman.surfaces.lingo24.auth import OrgDep
from dragoman.surfaces.lingo24.common import job_bodies, new_router, path_id, route
from dragoman.surfaces.lingo24.schemas import SURFACE
from dragoman.surfaces.lingo24.statuses import PROJECT_STATUS_BY_NAME

router = new_router("Lingo24 projects")
ONE = ["/project/{id}", "/docs/v1/projects/{id}"]


def _domain(fields: dict[str, Any]) -> int | None:
    domain = schemas.integer(fields, "domainId")
    if domain is not None and domain not in catalog.DOMAIN_IDS:
        raise BadRequestError(
            f"domainId: no domain has id {domain} (see GET /domain)", field="domainId"
        )
    return domain


@route(router, ["/project", "/docs/v1/projects"], ["GET"], "List projects")
async def list_projects(request: Request, org: OrgDep, core: CoreDep) -> Response:
    at = paging.window(request)
    found, total = await core.projects.list_projects(org.id, SURFACE, at.limit, at.offset)
    items = [schemas.render_project(p) for p in found]
    return wire.respond(request, "projects", paging.listing(request, items, total, at))


@route(router, ["/project", "/docs/v1/projects"], ["POST"], "Create a project")
async def create_project(request: Request, org: OrgDep, core: CoreDep) -> Response:
    fields = await wire.read_fields(request)
    name = schemas.text(fields, "name", required=True)
    assert name is not None
    url = schemas.text(fields, "projectCallbackUrl", limit=2000)
    project = await core.projects.create_project(org, SURFACE, name, _domain(fields), url)
    return wire.respond(request, "project", schemas.render_project(project))


@route(router, ONE, ["GET"], "Read a project")
async def get_project(request: Request, org: OrgDep, core: CoreDep) -> Response:
    project = await core.projects.get_project(org.id, path_id(request, "project"))
    return wire.respond(request, "project", schemas.render_project(project))


@route(router, ONE, ["PUT"], "Edit a project or change its status")
async def put_project(request: Request, org: OrgDep, core: CoreDep) -> Response:
    """`projectStatus` QUOTED saves the quote, IN_PROGRESS accepts it and starts the work,
    CANCELLED cancels; an illegal move is a 400 saying why."""
    number = path_id(request, "project")
    current = await core.projects.get_project(org.id, number)
    fields = await wire.read_fields(request)
    status = None
    raw = schemas.text(fields, "projectStatus")
    if raw is not None:
        status = PROJECT_STATUS_BY_NAME.get(raw.upper())
        if status is None:
            raise BadRequestError(
                f"projectStatus must be one of {', '.join(PROJECT_STATUS_BY_NAME)}",
                field="projectStatus",
            )
    name = schemas.text(fields, "name") or current.name  # the client's status-only PUTs
    url = (
        schemas.text(fields, "projectCallbackUrl", limit=2000)
        if "projectCallbackUrl" in fields
        else current.callback_url
    )
    domain = _domain(fields) if "domainId" in fields else current.domain_id
    project = await core.projects.update_project(
        org, number, name=name, domain_id=domain, callback_url=url, status=status
    )
    return wire.respond(request, "project", schemas.render_project(project))


@route(router, ONE, ["DELETE"], "Delete a CREATED or QUOTED project")
async def delete_project(request: Request, org: OrgDep, core: CoreDep) -> Response:
    await core.projects.delete_project(org.id, path_id(request, "project"))
    return Response(status_code=200)


@route(router, ["/project/{id}/jobs", "/docs/v1/projects/{id}/jobs"], ["GET"], "A project's jobs")
async def project_jobs(request: Request, org: OrgDep, core: CoreDep) -> Response:
    at = paging.window(request)
    found, total = await core.projects.list_jobs(
        org.id, project_number=path_id(request, "project"), limit=at.limit, offset=at.offset
    )
    items = await job_bodies(core, org, found)
    return wire.respond(request, "jobs", paging.listing(request, items, total, at))


@route(
    router, ["/project/{id}/files", "/docs/v1/projects/{id}/files"], ["GET"], "A project's files"
)
async def project_files(request: Request, org: OrgDep, core: CoreDep) -> Response:
    at = paging.window(request)
    found, total = await core.projects.list_files(
        org.id, project_number=path_id(request, "project"), limit=at.limit, offset=at.offset
    )
    items = [schemas.render_file(f) for f in found]
    return wire.respond(request, "files", paging.listing(request, items, total, at))


@route(router, ["/project/{id}/files", "/docs/v1/projects/{id}/files"], ["POST"], "Add a file")
async def add_project_file(request: Request, org: OrgDep, core: CoreDep) -> Response:
    fields = await wire.read_fields(request)
    file_number = schemas.integer(fields, "id", required=True)
    assert file_number is not None
    file = await core.projects.link_file(org.id, path_id(request, "project"), file_number)
    return wire.respond(request, "file", schemas.render_file(file))


@route(router, ["/project/{id}/price", "/docs/v1/projects/{id}/price"], ["GET"], "Project price")
async def project_price(request: Request, org: OrgDep, core: CoreDep) -> Response:
    """The sum of its jobs' prices; 204 while any job has none."""
    project = await core.projects.get_project(org.id, path_id(request, "project"))
    total = _total(project)
    return wire.no_content() if total is None else wire.respond(request, "price", total)


def _total(project: Project) -> dict[str, Any] | None:
    prices = [j.price for j in project.jobs]
    if not prices or any(p is None for p in prices):
        return None
    keys = ("totalWoVatWDiscount", "totalWVatWDiscount", "totalWoVatWoDiscount",
            "totalWVatWoDiscount")  # fmt: skip
    currencies = {p["currencyCode"] for p in prices if p is not None}
    sums = {k: float(sum(Decimal(str(p[k])) for p in prices if p is not None)) for k in keys}
    return {"currencyCode": currencies.pop() if len(currencies) == 1 else None, **sums}


@route(router, ["/project/{id}/callbacks", "/docs/v1/projects/{id}/callbacks"], ["GET"],
       "Callback deliveries")  # fmt: skip
async def project_callbacks(request: Request, org: OrgDep, core: CoreDep) -> Response:
    """Every callback owed for the project and its jobs, with status and attempts."""
    project = await core.projects.get_project(org.id, path_id(request, "project"))
    rows = await core.projects.deliveries(org.id, [j.group_id for j in project.jobs])
    numbers = {j.id: j.number for j in project.jobs}
    items = [schemas.render_delivery(r, numbers) for r in rows]
    return wire.respond(request, "callbacks", items)
