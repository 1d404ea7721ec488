"""The translator API's error shape, `{"error", "field", "statusCode"}` (plus `problems` when
a delivery is refused), applied to every route through its route class."""

from __future__ import annotations

from typing import Any

from fastapi import Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException

from dragoman.errors import DragomanError
from dragoman.surfaces.base import SurfaceRoute


class TranslatorApiError(BaseModel):
    """`{"error", "statusCode", "field"?, "problems"?}`."""

    error: str
    statusCode: int
    field: str | None = None
    problems: Any = None


_MEANINGS = {
    401: "No translator key, or an unknown or revoked one.",
    404: "No such job or segment, or not one the translator may see.",
    409: "The job is not in a state for that (taken by another translator, not held, "
    "already delivered).",
    413: "The request body is too large.",
    422: "A field is missing or invalid (`field` names it); a delivery with an empty segment "
    "or a missing placeholder lists them in `problems`.",
    429: "Too many requests (`Retry-After`).",
}


def error_responses() -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for every error a translator API route can answer."""
    return {
        status: {"model": TranslatorApiError, "description": text}
        for status, text in _MEANINGS.items()
    }


def error_response(
    status: int,
    message: str,
    field: str | None = None,
    headers: dict[str, str] | None = None,
    problems: Any = None,
) -> JSONResponse:
    body: dict[str, Any] = {"error": message, "statusCode": status}
    if field is not None:
        body["field"] = field
    if problems is not None:
        body["problems"] = problems
    return JSONResponse(body, status_code=status, headers=headers)


class WorkbenchRoute(SurfaceRoute):
    """Renders errors of the translator API."""

    def render_error(self, exc: DragomanError, headers: dict[str, str] | None) -> Response:
        return error_response(
            exc.status_code, exc.message, exc.field, headers, exc.extra.get("problems")
        )

    def render_internal(self) -> Response:
        return error_response(500, "internal server error")

    def render_validation(self, exc: RequestValidationError) -> Response:
        first = exc.errors()[0] if exc.errors() else {"loc": ("body",), "msg": "invalid request"}
        loc = [str(p) for p in first.get("loc", ()) if p not in ("body", "query", "path")]
        field = ".".join(loc) or "body"
        return error_response(422, f"{field}: {first.get('msg', 'invalid value')}", field)

    def render_http(self, exc: HTTPException) -> Response:
        return error_response(exc.status_code, str(exc.detail))
