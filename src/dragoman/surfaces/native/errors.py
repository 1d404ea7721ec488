"""The native surface's error shape, `{"error": message, "field": ..., "statusCode": N}`,
applied to every route through its route class (the one place errors map to HTTP)."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from fastapi import Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException

from dragoman.errors import DragomanError
from dragoman.surfaces.base import SurfaceRoute

log = logging.getLogger(__name__)


class ErrorBody(BaseModel):
    """The native error body, as every native route answers a 4xx."""

    error: str = Field(description="What is wrong, in words.")
    field: str | None = Field(None, description="The request field at fault, when one is.")
    statusCode: int = Field(description="The HTTP status, repeated.")


# What each status means on this surface, for the OpenAPI document.
_MEANINGS = {
    400: "The body is not parseable, or a callback URL was refused (not an absolute https:// "
    "URL, or its host is not public).",
    401: "The X-API-Key header is missing or is not a valid key.",
    404: "No such resource in the caller's organization (or its data has expired).",
    409: "The request conflicts with the resource's state (not completed yet, a limit reached).",
    413: "The request or its content is larger than a configured limit.",
    422: "The request is not valid; `field` names the field at fault.",
    429: "A rate limit or quota of the organization; `Retry-After` says when to retry.",
}
_RETRY_AFTER = {
    "Retry-After": {"description": "Seconds to wait.", "schema": {"type": "integer"}},
}


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for these error statuses, each with the native error body."""
    return {
        status: {
            "model": ErrorBody,
            "description": _MEANINGS[status],
            **({"headers": _RETRY_AFTER} if status == 429 else {}),
        }
        for status in statuses
    }


def error_response(
    status: int, message: str, field: str | None = None, headers: dict[str, str] | None = None
) -> JSONResponse:
    body: dict[str, Any] = {"error": message, "statusCode": status}
    if field is not None:
        body["field"] = field
    return JSONResponse(body, status_code=status, headers=headers)


def _field_of(loc: Sequence[Any]) -> str:
    parts = [p for p in loc if p not in ("body", "query", "path", "header")]
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "body"


def validation_response(exc: RequestValidationError) -> JSONResponse:
    first = exc.errors()[0] if exc.errors() else {"loc": ("body",), "msg": "invalid request"}
    field = _field_of(first.get("loc", ("body",)))
    message = str(first.get("msg", "invalid value"))
    if first.get("type") == "json_invalid":
        return error_response(422, f"request body is not valid JSON: {message}", "body")
    if first.get("type") == "missing":
        return error_response(422, f"{field} is required", field)
    return error_response(422, f"{field}: {message}", field)


class NativeRoute(SurfaceRoute):
    """Renders Dragoman errors, validation errors and HTTP errors in the native shape."""

    def render_error(self, exc: DragomanError, headers: dict[str, str] | None) -> Response:
        return error_response(exc.status_code, exc.message, exc.field, headers)

    def render_internal(self) -> Response:
        return error_response(500, "internal server error")

    def render_validation(self, exc: RequestValidationError) -> Response:
        return validation_response(exc)

    def render_http(self, exc: HTTPException) -> Response:
        return error_response(exc.status_code, str(exc.detail))


@contextmanager
def renamed_fields(names: Mapping[str, str]) -> Iterator[None]:
    """Errors raised inside carry this surface's field names (`names`: core -> native)."""
    try:
        yield
    except DragomanError as exc:
        exc.field = names.get(exc.field or "", exc.field)
        raise
