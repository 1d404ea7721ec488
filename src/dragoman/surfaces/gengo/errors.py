"""Gengo's envelope: `{"opstat": "ok", "response": ...}`, or `{"opstat": "error", "err":
{"code", "msg"}}` with Gengo's error codes, or per-job errors keyed by job
(`{"err": {"job_1": [{"code", "msg"}]}}`); applied to every route through its route class,
the one place this surface maps errors to HTTP (the official client reads only the body)."""

from __future__ import annotations

from typing import Any

from fastapi import Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException

from dragoman.errors import (
    AuthenticationError,
    DragomanError,
    ForbiddenError,
    InsufficientCreditsError,
    InvalidTransitionError,
    NotFoundError,
    PayloadTooLargeError,
    QuotaExceededError,
)
from dragoman.surfaces.base import SurfaceRoute

# Gengo's documented codes (developers.gengo.com, "Error codes").
AUTH_FAILED = 1000
DATA_REQUIRED = 1250
DATA_INVALID = 1251
BODY_INVALID = 1351
PAIR_NOT_SUPPORTED = 1551
JOB_ACCESS = 2100
REVISION_ACCESS = 2200
NOT_REVIEWABLE = 2250
NOT_CANCELLABLE = 2252
INVALID_STATUS = 2650
NO_CREDITS = 2700
ORDER_ACCESS = 2750
UNAVAILABLE = 2800

# Core field names -> the code Gengo gives a bad or missing value of that field.
FIELD_CODES = {
    "type": 1301, "body_src": 1350, "lc_src": 1400, "lc_tgt": 1450, "tier": 1304,
    "slug": 1350, "callback_url": 1601, "auto_approve": 1651, "use_preferred": 1701,
    "custom_data": 1751, "jobs": 1800, "as_group": 1851, "body": 2000, "job_id": 2050,
    "comment": 2300, "reason": 2350, "follow_up": 2450, "rating": 2501, "data": 1251,
    "feedback": 2300,
}  # fmt: skip


class GengoFailure(BaseModel):
    """`err`: Gengo's code and a message (or, per job, lists of them keyed by job)."""

    code: int
    msg: str


class GengoErrorEnvelope(BaseModel):
    """`{"opstat": "error", "err": {...}}`; the official client reads the body, not the status."""

    opstat: str = Field(description='"error"')
    err: GengoFailure | dict[str, list[GengoFailure]]


_MEANINGS = {
    400: "Bad request (a callback or attachment URL that is not public).",
    401: "Authentication failed (code 1000; missing api_key 1150, api_sig 1100, ts 1200): a "
    "wrong signature, a ts more than 5 minutes off, or a replayed request.",
    402: "Not enough credits (code 2700).",
    403: "Not allowed.",
    404: "Not found, or another organization's (codes 2100, 2200, 2750).",
    409: "The job is not in a state for that action (codes 2250, 2252, 2650).",
    413: "The request body is too large (code 1351).",
    422: "A field is missing or invalid (its Gengo code; per job: keyed by job).",
    429: "Too many requests.",
}


def error_responses() -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for every error a Gengo route can answer."""
    return {
        status: {"model": GengoErrorEnvelope, "description": text}
        for status, text in _MEANINGS.items()
    }


def ok(response: Any) -> JSONResponse:
    """A success in the envelope."""
    return JSONResponse({"opstat": "ok", "response": response})


def error_body(code: int, message: str) -> dict[str, Any]:
    """One error in the envelope."""
    return {"opstat": "error", "err": {"code": code, "msg": message}}


def error(status: int, code: int, message: str) -> JSONResponse:
    return JSONResponse(error_body(code, message), status_code=status)


def gengo_code(exc: DragomanError) -> int:
    """The Gengo code of a core error."""
    named = exc.extra.get("gengo_code")
    if isinstance(named, int):
        return named
    if isinstance(exc, AuthenticationError):
        return AUTH_FAILED
    if isinstance(exc, InsufficientCreditsError):
        return NO_CREDITS
    if isinstance(exc, InvalidTransitionError):
        return INVALID_STATUS
    if isinstance(exc, NotFoundError | ForbiddenError):
        return JOB_ACCESS
    if isinstance(exc, PayloadTooLargeError):
        return BODY_INVALID
    if isinstance(exc, QuotaExceededError):
        return UNAVAILABLE
    field = (exc.field or "").rsplit(".", 1)[-1].split("[", 1)[0]
    return FIELD_CODES.get(field, DATA_INVALID)


def payload_too_large_body(message: str) -> dict[str, object]:
    """The body-size middleware's 413, in Gengo's envelope."""
    return error_body(BODY_INVALID, message)


class GengoRoute(SurfaceRoute):
    """Renders every error in Gengo's envelope."""

    def render_error(self, exc: DragomanError, headers: dict[str, str] | None) -> Response:
        jobs = exc.extra.get("job_errors")
        if isinstance(jobs, dict) and jobs:
            err = {
                key: [{"code": code, "msg": msg} for code, msg in found]
                for key, found in jobs.items()
            }
            return JSONResponse(
                {"opstat": "error", "err": err}, status_code=exc.status_code, headers=headers
            )
        body = error_body(gengo_code(exc), exc.message)
        return JSONResponse(body, status_code=exc.status_code, headers=headers)

    def render_internal(self) -> Response:
        return error(500, UNAVAILABLE, "internal server error")

    def render_validation(self, exc: RequestValidationError) -> Response:
        first = exc.errors()[0] if exc.errors() else {"loc": ("request",), "msg": "invalid"}
        loc = [str(p) for p in first.get("loc", ()) if p not in ("body", "query", "path")]
        where = ".".join(loc) or "request"
        code = JOB_ACCESS if where in ("id", "job_id") else DATA_INVALID
        return error(422, code, f"{where}: {first.get('msg', 'invalid value')}")

    def render_http(self, exc: HTTPException) -> Response:
        return error(exc.status_code, DATA_INVALID, str(exc.detail))
