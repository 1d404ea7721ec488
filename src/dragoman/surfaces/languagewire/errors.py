"""LanguageWire's error shapes, FastAPI's own: `{"detail": "..."}`, and for a 422
`{"detail": [{"loc", "msg", "type"}]}`; applied to every route through its route class (the
one place errors map to HTTP for this surface)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import Response
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException

from dragoman.errors import AuthenticationError, DragomanError
from dragoman.surfaces.base import SurfaceRoute

# Core field names -> where the value was in a LanguageWire request.
FIELD_LOCS: dict[str, tuple[str, ...]] = {
    "source_locale": ("body", "source"),
    "target_locales": ("body", "target"),
    "callbacks.job.completed": ("body", "successCallbackUrl"),
    "callbacks.job.failed": ("body", "errorCallbackUrl"),
    "client_ref": ("body", "translationId"),
    "filename": ("body", "file"),
    "format": ("body", "file"),
    "file": ("body", "file"),
}
_NAMES = {
    "callbacks.job.completed": "successCallbackUrl",
    "callbacks.job.failed": "errorCallbackUrl",
    "source_locale": "source",
    "target_locales": "target",
    "client_ref": "translationId",
}
_CORE_NAME = re.compile(r"(?<![\w.])(" + "|".join(map(re.escape, _NAMES)) + r")(\[\d+\])?(?![\w])")


class LanguageWireError(BaseModel):
    """An error: `detail` says what is wrong."""

    detail: str = Field(description="What is wrong, in words.")


class LanguageWireProblem(BaseModel):
    """One validation problem, as FastAPI reports it."""

    loc: list[str | int]
    msg: str
    type: str


class LanguageWireValidationError(BaseModel):
    """A 422: the problems found."""

    detail: list[LanguageWireProblem]


_MEANINGS = {
    400: "The request cannot be accepted as sent (a callback URL that is not public https).",
    401: "The access token is missing, expired, revoked, malformed, or invalid.",
    404: "Document translation not found (or deleted: kept 1 hour after it ended).",
    413: "The file is larger than 20 MiB.",
    422: "Validation error (or the translation is not finished, for a download).",
    429: "Too many requests in the time interval; `Retry-After` says when to retry.",
}
_RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait.", "schema": {"type": "integer"}}}


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for these error statuses."""
    return {
        status: {
            "model": LanguageWireValidationError if status == 422 else LanguageWireError,
            "description": _MEANINGS[status],
            **({"headers": _RETRY_AFTER} if status == 429 else {}),
        }
        for status in statuses
    }


def surface_message(message: str) -> str:
    """A core message in this surface's vocabulary (`target_locales[0]` -> `target`)."""
    return _CORE_NAME.sub(lambda found: _NAMES[found.group(1)], message)


def loc_of(field: str | None) -> list[str | int]:
    """Where a core field was in the request (`["body", "target"]`)."""
    if field is None:
        return ["body"]
    base = field.split("[", 1)[0]
    return list(FIELD_LOCS.get(field) or FIELD_LOCS.get(base) or ("body", field))


def validation_response(
    items: Sequence[Mapping[str, Any]], headers: Mapping[str, str] | None = None
) -> JSONResponse:
    """422 in FastAPI's shape."""
    return JSONResponse({"detail": jsonable_encoder(list(items))}, 422, headers=headers)


def unprocessable(
    message: str, loc: Sequence[str | int], kind: str = "value_error"
) -> JSONResponse:
    """One 422 problem at `loc`."""
    return validation_response([{"loc": list(loc), "msg": message, "type": kind}])


def detail_response(
    status: int, message: str, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    """`{"detail": message}` with `status`."""
    return JSONResponse({"detail": message}, status_code=status, headers=headers)


BEARER_CHALLENGE = {"WWW-Authenticate": 'Bearer error="invalid_token"'}


class LanguageWireRoute(SurfaceRoute):
    """Renders Dragoman, validation and HTTP errors in FastAPI's shapes."""

    def render_error(self, exc: DragomanError, headers: dict[str, str] | None) -> Response:
        message = surface_message(exc.message)
        if exc.status_code == 422:
            return unprocessable(message, loc_of(exc.field), exc.extra.get("kind", "value_error"))
        if isinstance(exc, AuthenticationError):
            headers = {**(headers or {}), **BEARER_CHALLENGE}
        return detail_response(exc.status_code, message, headers)

    def render_internal(self) -> Response:
        return detail_response(500, "Internal server error")

    def render_validation(self, exc: RequestValidationError) -> Response:
        return validation_response(
            [{"loc": e.get("loc", ()), "msg": e.get("msg", ""), "type": e.get("type", "")}
             for e in exc.errors()]
        )  # fmt: skip

    def render_http(self, exc: HTTPException) -> Response:
        return detail_response(exc.status_code, str(exc.detail), exc.headers)
