"""The Lingo24 Business Translation API (seed 001) over the core: projects, files and
quote-first jobs on the seed's singular paths and the plural `docs/v1/` ones, JSON or XML,
OAuth2 (authorization code, rotating refresh tokens, client credentials)."""

from __future__ import annotations

from fastapi import APIRouter

from dragoman.surfaces.lingo24 import (
    auth,
    authorize,
    routes_catalog,
    routes_files,
    routes_jobs,
    routes_projects,
)
from dragoman.surfaces.lingo24.callbacks import profile
from dragoman.surfaces.lingo24.schemas import SURFACE

ROUTERS: tuple[APIRouter, ...] = (
    auth.router,
    authorize.router,
    routes_projects.router,
    routes_jobs.router,
    routes_files.router,
    routes_catalog.router,
)

__all__ = ["ROUTERS", "SURFACE", "profile"]
