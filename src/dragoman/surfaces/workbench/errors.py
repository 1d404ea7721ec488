"""The translator API's error shape, `{"error", "field", "statusCode"}` (plus `problems` when
a delivery is refused), applied to every route through its route class."""

from __future__ import annotations

from typing import Any

from fastapi import Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from dragoman.errors import DragomanError
from dragoman.surfaces.base import SurfaceRoute


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
