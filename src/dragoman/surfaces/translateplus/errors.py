"""TranslatePlus's error shape, `{"detail": message}`, applied to every route through its
route class (the one place errors map to HTTP for this surface)."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

from fastapi import Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException

from dragoman.errors import DragomanError
from dragoman.surfaces.base import SurfaceRoute

log = logging.getLogger(__name__)

# Core field names -> the names a TranslatePlus client sent (`format` is left alone: it is
# also an ordinary word in messages).
FIELD_NAMES = {
    "source_locale": "source_language",
    "target_locales": "target_languages",
    "callback_url": "webhook_url",
    # Native names that some core messages still carry.
    "sourceLocale": "source_language",
    "targetLocales": "target_languages",
    "callbackUrl": "webhook_url",
}


class DetailBody(BaseModel):
    """TranslatePlus's error body."""

    detail: str = Field(description="What is wrong, in words.")


_MEANINGS = {
    400: "webhook_url was refused: not an absolute https:// URL, or its host is not public.",
    401: "The X-API-KEY header is missing.",
    403: "The API key is not valid.",
    404: "No such job of the caller (or no translation into that language, or no such page).",
    409: "The job's translation is not completed yet.",
    413: "The upload is larger than the configured limit.",
    422: "The request is not valid; `detail` says which field and why.",
    429: "A rate limit or quota; `Retry-After` says when to retry.",
}
_RETRY_AFTER = {
    "Retry-After": {"description": "Seconds to wait.", "schema": {"type": "integer"}},
}


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for these error statuses, each with `{"detail": ...}`."""
    return {
        status: {
            "model": DetailBody,
            "description": _MEANINGS[status],
            **({"headers": _RETRY_AFTER} if status == 429 else {}),
        }
        for status in statuses
    }


_CORE_NAME = re.compile(r"\b(" + "|".join(FIELD_NAMES) + r")\b")


def detail_response(
    status: int, message: str, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    """`{"detail": message}` with `status`."""
    return JSONResponse({"detail": message}, status_code=status, headers=headers)


def surface_message(message: str) -> str:
    """A core message in this surface's vocabulary (`target_locales` -> `target_languages`)."""
    return _CORE_NAME.sub(lambda found: FIELD_NAMES[found.group(1)], message)


def _validation_detail(exc: RequestValidationError) -> str:
    errors = exc.errors()
    if not errors:
        return "Invalid request."
    first = errors[0]
    name = ".".join(str(p) for p in first.get("loc", ()) if p not in ("query", "path", "header"))
    if first.get("type") == "missing":
        return f"{name} is required."
    return f"{name}: {first.get('msg', 'invalid value')}"


class TranslatePlusRoute(SurfaceRoute):
    """Renders Dragoman errors, validation errors and HTTP errors as `{"detail": ...}`."""

    def render_error(self, exc: DragomanError, headers: dict[str, str] | None) -> Response:
        return detail_response(exc.status_code, surface_message(exc.message), headers)

    def render_internal(self) -> Response:
        return detail_response(500, "Internal server error.")

    def render_validation(self, exc: RequestValidationError) -> Response:
        return detail_response(422, _validation_detail(exc))

    def render_http(self, exc: HTTPException) -> Response:
        return detail_response(exc.status_code, str(exc.detail), exc.headers)
