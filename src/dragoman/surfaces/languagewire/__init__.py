"""The LanguageWire document-translation API (MT API v2, seed 004) over the core."""

from __future__ import annotations

from dragoman.surfaces.languagewire.auth import router as oauth_router
from dragoman.surfaces.languagewire.callbacks import PROFILE
from dragoman.surfaces.languagewire.routes import router

__all__ = ["PROFILE", "oauth_router", "router"]
