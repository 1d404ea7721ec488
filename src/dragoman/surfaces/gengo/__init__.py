"""The Gengo Translate API v2 (seed 003) over the core: signed requests, orders of human
jobs by tier, review by the customer, comments, revisions, quotes, account and catalog."""

from __future__ import annotations

from fastapi import APIRouter

from dragoman.core.gengo_orders import SURFACE
from dragoman.surfaces.gengo import routes_account, routes_job, routes_jobs, routes_service
from dragoman.surfaces.gengo.callbacks import profile
from dragoman.surfaces.gengo.errors import payload_too_large_body

ROUTERS: tuple[APIRouter, ...] = (
    routes_jobs.router,
    routes_job.router,
    routes_service.router,
    routes_account.router,
)
# Paths whose oversized bodies are refused in Gengo's envelope (before TranslatePlus's /v2/).
BODY_PREFIXES = ("/v2/translate/service/quote", "/v2/translate/job", "/v2/translate/service",
                 "/v2/translate/order", "/v2/account/")  # fmt: skip
UPLOAD_PREFIXES = frozenset({"/v2/translate/service/quote"})  # file quotes: the upload limit

__all__ = [
    "BODY_PREFIXES",
    "ROUTERS",
    "SURFACE",
    "UPLOAD_PREFIXES",
    "payload_too_large_body",
    "profile",
]
