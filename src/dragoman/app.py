"""The ASGI application: every surface's routes on one core."""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import JSONResponse, Response
from sqlalchemy import text
from starlette.exceptions import HTTPException
from starlette.routing import compile_path

from dragoman import __version__
from dragoman.delivery.hub import EventHub
from dragoman.delivery.webhooks.profiles import RendererBySurface
from dragoman.http_limits import MULTIPART_OVERHEAD, BodyRule, BodySizeLimit, detail_body
from dragoman.services import Services
from dragoman.settings import Settings
from dragoman.store import migrate
from dragoman.surfaces import gengo, languagewire, lingo24
from dragoman.surfaces.gengo.openapi_doc import document as document_gengo
from dragoman.surfaces.native.estimate import router as estimate_router
from dragoman.surfaces.native.files import router as native_files_router
from dragoman.surfaces.native.glossaries import router as glossaries_router
from dragoman.surfaces.native.org_settings import router as org_settings_router
from dragoman.surfaces.native.process import router as process_router
from dragoman.surfaces.native.review import router as native_review_router
from dragoman.surfaces.native.routes import router as native_router
from dragoman.surfaces.native.tm import router as tm_router
from dragoman.surfaces.native.webhook_payloads import NativeWebhookPayloads
from dragoman.surfaces.native.ws import router as ws_router
from dragoman.surfaces.translateplus import router as translateplus_router
from dragoman.surfaces.translateplus.webhooks import TranslatePlusWebhookPayloads
from dragoman.surfaces.workbench.api import router as workbench_api_router
from dragoman.surfaces.workbench.pages import install as install_workbench
from dragoman.worker.dispatchers.base import Dispatcher


def build_services(
    settings: Settings, *, run_workers: bool = True, dispatcher: Dispatcher | None = None
) -> Services:
    """The backends, with the surfaces' webhook renderer (this module sits above both)."""
    lingo24_profile = lingo24.profile(settings)
    gengo_profile = gengo.profile(settings)
    return Services.build(
        settings,
        run_workers=run_workers,
        dispatcher=dispatcher,
        payloads=RendererBySurface(
            {
                "native": NativeWebhookPayloads(settings),
                "translateplus": TranslatePlusWebhookPayloads(settings),
                languagewire.PROFILE.surface: languagewire.PROFILE.render,
                lingo24_profile.surface: lingo24_profile.render,
                gengo_profile.surface: gengo_profile.render,
            },
            profiles={lingo24_profile.surface: lingo24_profile, gengo.SURFACE: gengo_profile},
        ),
    )


def create_app_from_env() -> FastAPI:
    """The app built from `DRAGOMAN_*` alone: what each `serve --workers N` process runs."""
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    settings = Settings()
    return create_app(settings, run_workers=settings.run_workers)


def create_app(
    settings: Settings | None = None,
    *,
    services: Services | None = None,
    run_workers: bool = True,
    migrate_on_start: bool = True,
) -> FastAPI:
    """Build the app; `services` lets a caller (tests, the CLI) pass backends in."""
    settings = settings or Settings()
    services = services or build_services(settings, run_workers=run_workers)
    if run_workers:
        # Job threads are CPU-bound Python; a shorter GIL switch interval lets the event loop
        # (health checks, small requests) in every millisecond rather than every five.
        sys.setswitchinterval(0.001)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if migrate_on_start:
            migrate.upgrade(services.db)
        services.start()
        hub = EventHub(services.db, services.bus, poll_interval=settings.ws_poll_interval_seconds)
        await hub.start()
        app.state.hub = hub
        try:
            yield
        finally:
            await hub.stop()
            services.close()

    app = FastAPI(
        title="Dragoman",
        version=__version__,
        summary="Self-hosted translation jobs: one core, five job APIs.",
        lifespan=lifespan,
    )
    app.state.services = services
    app.state.core = services.core
    upload = settings.max_upload_bytes + MULTIPART_OVERHEAD
    app.add_middleware(
        BodySizeLimit,
        max_bytes=settings.max_request_bytes,
        rules=[
            BodyRule("/jobs/localization/files", upload),
            BodyRule("/jobs/estimate/files", upload),
            BodyRule("/tm/import", upload),
            *(  # Gengo's paths answer in its envelope (before TranslatePlus's /v2/)
                BodyRule(
                    prefix,
                    upload if prefix in gengo.UPLOAD_PREFIXES else settings.max_request_bytes,
                    gengo.payload_too_large_body,
                )
                for prefix in gengo.BODY_PREFIXES
            ),
            BodyRule("/v2/", upload, detail_body),  # TranslatePlus and LanguageWire uploads
            BodyRule("/file/", upload),  # Lingo24 file content
            BodyRule("/docs/v1/files/", upload),
        ],
    )
    app.include_router(native_router)
    app.include_router(native_files_router)
    app.include_router(estimate_router)
    app.include_router(process_router)
    app.include_router(translateplus_router)
    app.include_router(languagewire.router)
    app.include_router(languagewire.oauth_router)
    for router in lingo24.ROUTERS:
        app.include_router(router)
    for router in gengo.ROUTERS:
        app.include_router(router)
    app.include_router(org_settings_router)
    app.include_router(glossaries_router)
    app.include_router(tm_router)
    app.include_router(native_review_router)
    app.include_router(workbench_api_router)
    install_workbench(app)  # the browser workbench: pages, autosave, static files
    app.include_router(ws_router)
    app.add_exception_handler(HTTPException, _http_error)
    _add_to_document(app)

    @app.get("/healthz", tags=["health"])
    async def healthz() -> dict[str, str]:  # async: no thread hop behind busy job threads
        """The process is up."""
        return {"status": "ok"}

    @app.get("/readyz", tags=["health"])
    def readyz() -> JSONResponse:
        """The database answers and its schema is current."""
        try:
            with services.db.read() as conn:
                conn.execute(text("SELECT 1"))
            revision = migrate.current(services.db)
        except Exception as exc:
            return JSONResponse({"status": "unavailable", "error": type(exc).__name__}, 503)
        if revision is None:
            return JSONResponse({"status": "unavailable", "error": "database not migrated"}, 503)
        return JSONResponse({"status": "ready", "schema": revision})

    return app


def _add_to_document(app: FastAPI) -> None:
    """FastAPI's OpenAPI document, with what the Gengo routes cannot declare themselves."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = document_gengo(generate())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented extension point


async def _http_error(request: Request, exc: Exception) -> Response:
    """Starlette's HTTP errors, with a 405's `Allow` naming the methods the document gives the
    path: the router answers from the first route whose path matched, with its method alone."""
    assert isinstance(exc, HTTPException)
    if exc.status_code == 405:
        methods = _allowed(request.app, request.url.path)
        if methods:
            exc.headers = {**(exc.headers or {}), "Allow": ", ".join(sorted(methods))}
    return await http_exception_handler(request, exc)


def _allowed(app: FastAPI, path: str) -> set[str]:
    """The documented methods of `path` (HEAD beside GET); a literal path such as
    `/jobs/localization/files` wins over a template that also matches it (`.../{jobId}`)."""
    table: dict[str, tuple[re.Pattern[str], set[str]]] | None = getattr(
        app.state, "allow_table", None
    )
    if table is None:  # built once, from the document itself
        table = {}
        for template, operations in app.openapi()["paths"].items():
            methods = {method.upper() for method in operations}
            if "GET" in methods:
                methods.add("HEAD")
            table[template] = (compile_path(template)[0], methods)
        app.state.allow_table = table
    if path in table:
        return table[path][1]
    return {m for pattern, methods in table.values() if pattern.match(path) for m in methods}
