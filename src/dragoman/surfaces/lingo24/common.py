"""What the Lingo24 routes share: both path styles for one endpoint, integer path ids,
service numbers."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from dragoman.core.orgs import Organization
from dragoman.core.project_service import Service
from dragoman.core.projects import ProjectJob
from dragoman.core.service import Core
from dragoman.errors import NotFoundError
from dragoman.surfaces.lingo24 import openapi_doc
from dragoman.surfaces.lingo24.errors import Lingo24Route
from dragoman.surfaces.lingo24.schemas import SURFACE, render_job


def new_router(tag: str) -> APIRouter:
    return APIRouter(route_class=Lingo24Route, tags=[tag])


def route(
    router: APIRouter, paths: Sequence[str], methods: list[str], summary: str | None = None
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register one endpoint on the seed's singular path and the plural `docs/v1/` one."""

    def register(endpoint: Callable[..., Any]) -> Callable[..., Any]:
        for path in paths:
            for method in methods:  # one route per method: each gets its own operation id
                router.add_api_route(
                    path,
                    endpoint,
                    methods=[method],
                    summary=summary,
                    response_class=Response if method == "DELETE" else JSONResponse,
                    responses=openapi_doc.responses(path, method),
                    openapi_extra=openapi_doc.openapi_extra(path, method),
                )
        return endpoint

    return register


def path_id(request: Request, kind: str, name: str = "id") -> int:
    """An integer id from the path; 404 for anything else."""
    raw = str(request.path_params.get(name, ""))
    if not raw.isdigit() or len(raw) > 17:
        raise NotFoundError(f"{kind} {raw[:20]!r} not found")
    return int(raw)


async def services(core: Core, org: Organization) -> list[Service]:
    return await core.projects.services(org, SURFACE)


async def job_bodies(
    core: Core, org: Organization, found: list[ProjectJob]
) -> list[dict[str, Any]]:
    """Jobs as Lingo24 renders them (project and service ids resolved)."""
    by_engine = {s.engine_id: s.number for s in await services(core, org)}
    numbers: dict[str, int] = {}
    for job in found:
        if job.project_id not in numbers:
            numbers[job.project_id] = await core.projects.project_number(job.project_id)
    return [render_job(j, numbers[j.project_id], by_engine.get(j.engine_id)) for j in found]
