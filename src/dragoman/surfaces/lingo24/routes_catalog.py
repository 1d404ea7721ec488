"""Lingo24 catalogs: locales, services (the organization's engines; human workflows later)
and domains."""

from __future__ import annotations

from fastapi import Request, Response

from dragoman.errors import NotFoundError
from dragoman.surfaces.base import CoreDep
from dragoman.surfaces.lingo24 import catalog, paging, schemas, wire
from dragoman.surfaces.lingo24.auth import OrgDep
from dragoman.surfaces.lingo24.common import new_router, path_id, route, services

router = new_router("Lingo24 catalogs")


def _page(request: Request, root: str, items: list[dict[str, object]]) -> Response:
    at = paging.window(request)
    end = None if at.limit is None else at.offset + at.limit
    shown = items[at.offset : end]
    return wire.respond(request, root, paging.listing(request, shown, len(items), at))


@route(router, ["/locale", "/docs/v1/locales"], ["GET"], "Locales")
async def locales(request: Request, org: OrgDep) -> Response:
    return _page(request, "locales", [schemas.render_locale(loc) for loc in catalog.LOCALES])


@route(router, ["/locale/{id}", "/docs/v1/locales/{id}"], ["GET"], "A locale")
async def locale(request: Request, org: OrgDep) -> Response:
    found = catalog.locale(path_id(request, "locale"))
    if found is None:
        raise NotFoundError("locale not found")
    return wire.respond(request, "locale", schemas.render_locale(found))


@route(router, ["/service", "/docs/v1/services"], ["GET"], "Service levels")
async def service_list(request: Request, org: OrgDep, core: CoreDep) -> Response:
    offered = await services(core, org)
    return _page(request, "services", [schemas.render_service(s) for s in offered])


@route(router, ["/service/{id}", "/docs/v1/services/{id}"], ["GET"], "A service level")
async def service(request: Request, org: OrgDep, core: CoreDep) -> Response:
    number = path_id(request, "service")
    for found in await services(core, org):
        if found.number == number:
            return wire.respond(request, "service", schemas.render_service(found))
    raise NotFoundError(f"service {number} not found")


@route(router, ["/domain", "/docs/v1/domains"], ["GET"], "Translation domains")
async def domains(request: Request, org: OrgDep) -> Response:
    return _page(request, "domains", [{"id": i, "name": n} for i, n in catalog.DOMAINS])


@route(router, ["/domain/{id}", "/domains/{id}", "/docs/v1/domains/{id}"], ["GET"], "A domain")
async def domain(request: Request, org: OrgDep) -> Response:
    number = path_id(request, "domain")
    for i, name in catalog.DOMAINS:
        if i == number:
            return wire.respond(request, "domain", {"id": i, "name": name})
    raise NotFoundError(f"domain {number} not found")
