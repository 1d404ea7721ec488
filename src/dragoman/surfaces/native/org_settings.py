"""Organization settings (`/organization/settings`) and browser tokens for `/ws`."""

from __future__ import annotations

from datetime import timedelta

import anyio.to_thread
from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from dragoman.core import org_settings
from dragoman.core.orgs import Organization
from dragoman.core.submission import check_callback_url, screen_callback_url
from dragoman.surfaces.native.errors import NativeRoute, error_responses
from dragoman.surfaces.native.responses import OrganizationSettingsView, WsToken, ok
from dragoman.surfaces.native.routes import OrgDep, ServicesDep
from dragoman.surfaces.native.schemas import HTTPS_URL
from dragoman.timefmt import iso_ms, utcnow

router = APIRouter(
    route_class=NativeRoute, tags=["organization"], responses=error_responses(401, 422, 429)
)


class OrganizationSettings(BaseModel):
    """`PUT /organization/settings`."""

    model_config = ConfigDict(extra="forbid")

    defaultCallbackUrl: str | None = Field(
        description="HTTPS URL for groups submitted without `callbackUrl`; null clears it. "
        "Its host must be public (400 otherwise).",
        json_schema_extra=HTTPS_URL,
    )
    tmStoreMachine: bool | None = Field(
        None,
        description="Store completed jobs' machine output in the translation memory "
        "(approved human work always is). Omitted: unchanged.",
    )


def _render(org: Organization, tm_store_machine: bool) -> dict[str, object]:
    return {"organizationId": org.id, "name": org.name,
            "defaultCallbackUrl": org.default_callback_url,
            "tmStoreMachine": tm_store_machine}  # fmt: skip


_SETTINGS = ok(OrganizationSettingsView, "The organization's settings.")


@router.get("/organization/settings", responses={200: _SETTINGS})
def get_settings(org: OrgDep, services: ServicesDep) -> JSONResponse:
    """The organization's settings."""
    with services.db.read() as conn:
        found = org_settings.get_org(conn, org.id)
        return JSONResponse(_render(found, org_settings.tm_store_machine(conn, org.id)))


@router.put("/organization/settings", responses={200: _SETTINGS, **error_responses(400, 413)})
def put_settings(body: OrganizationSettings, org: OrgDep, services: ServicesDep) -> JSONResponse:
    """Change the organization's settings (the callback URL is checked like `callbackUrl`)."""
    url = body.defaultCallbackUrl
    if url is not None:
        check_callback_url(url, "defaultCallbackUrl", settings=services.settings)
        screen_callback_url(url, services.settings, "defaultCallbackUrl")
    with services.db.write() as conn:
        updated = org_settings.set_default_callback_url(conn, org.id, url)
        if body.tmStoreMachine is not None:
            org_settings.set_tm_store_machine(conn, org.id, body.tmStoreMachine)
        store_machine = org_settings.tm_store_machine(conn, org.id)
    return JSONResponse(_render(updated, store_machine))


@router.post(
    "/ws/token",
    tags=["events"],
    status_code=201,
    responses={201: ok(WsToken, "A token for one `/ws` connection.")},
)
async def ws_token(org: OrgDep, services: ServicesDep) -> JSONResponse:
    """A single-use token for browsers to open `/ws?token=...` (they cannot send headers)."""
    lifetime = timedelta(seconds=services.settings.ws_token_seconds)

    def issue() -> str:
        with services.db.write() as conn:
            return org_settings.issue_ws_token(conn, org.id, lifetime)

    token = await anyio.to_thread.run_sync(issue)
    return JSONResponse({"token": token, "expiresAt": iso_ms(utcnow() + lifetime)}, 201)
