"""Lingo24 errors: `{"message": ..., "field": ...}` (XML: `<error>`), with the status the
seed documents (400 bad request, 401, 404); the one place errors map to HTTP here."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException

from dragoman.errors import AuthenticationError, DragomanError
from dragoman.surfaces.base import SurfaceRoute, retry_after
from dragoman.surfaces.lingo24 import xmlcodec
from dragoman.surfaces.lingo24.wire import XML

log = logging.getLogger(__name__)
BEARER_CHALLENGE = {"WWW-Authenticate": 'Bearer error="invalid_token"'}


def error_response(
    request: Request | None,
    status: int,
    message: str,
    field: str | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """An error in the client's content type."""
    body: dict[str, object] = {"message": message}
    if field:
        body["field"] = field
    accept = request.headers.get("accept", "").lower() if request is not None else ""
    if "xml" in accept and "json" not in accept:
        return Response(xmlcodec.render("error", body), status, headers, media_type=XML)
    return Response(json.dumps(body), status, headers, media_type="application/json")


class Lingo24Route(SurfaceRoute):
    """Renders every error as `{message, field}` in the client's content type; validation
    errors are 400s, as the seed documents them."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = APIRoute.get_route_handler(self)

        async def route(request: Request) -> Response:
            try:
                return await handler(request)
            except DragomanError as exc:
                if exc.status_code >= 500 and exc.status_code != 503:
                    log.exception("server error")
                    return error_response(request, 500, "internal server error")
                status = 400 if exc.status_code in (409, 422) else exc.status_code
                headers = retry_after(exc)
                if isinstance(exc, AuthenticationError):
                    headers = {**(headers or {}), **BEARER_CHALLENGE}
                return error_response(request, status, exc.message, exc.field, headers)
            except RequestValidationError as exc:
                first = exc.errors()[0] if exc.errors() else {}
                loc = ".".join(str(p) for p in list(first.get("loc", ()))[1:]) or None
                return error_response(request, 400, str(first.get("msg", "invalid")), loc)
            except HTTPException as exc:
                return error_response(
                    request, exc.status_code, str(exc.detail), None, dict(exc.headers or {})
                )

        return route
