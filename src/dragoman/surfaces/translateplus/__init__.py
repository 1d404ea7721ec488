"""The TranslatePlus i18n file-jobs API (seed 002) over the core."""

from __future__ import annotations

from dragoman.surfaces.translateplus.routes import router

__all__ = ["router"]
