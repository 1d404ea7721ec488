"""Lingo.dev's synchronous API, which its SDKs and CLI call: `/process/localize`,
`/process/recognize`, `/process/estimate` and `/users/me`."""

from __future__ import annotations

import json
import re
from typing import Any

import anyio.to_thread
from fastapi import APIRouter, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from dragoman.core import inline_content
from dragoman.core.inline import InlineRequest
from dragoman.core.locales import normalize_locale
from dragoman.errors import DragomanError, ValidationError
from dragoman.surfaces.native import process_schemas as schemas
from dragoman.surfaces.native.errors import NativeRoute, error_responses
from dragoman.surfaces.native.routes import OrgDep, ServicesDep


class ProcessRoute(NativeRoute):
    """The native error body plus `message`, which Lingo.dev's JavaScript SDK reads (the
    Python SDK shows the body as it is); both retry only 5xx, so a 4xx is final."""

    def render_error(self, exc: DragomanError, headers: dict[str, str] | None) -> Response:
        return _with_message(super().render_error(exc, headers))

    def render_internal(self) -> Response:
        return _with_message(super().render_internal())

    def render_validation(self, exc: RequestValidationError) -> Response:
        return _with_message(super().render_validation(exc))

    def render_http(self, exc: HTTPException) -> Response:
        return _with_message(super().render_http(exc))


def _with_message(response: Response) -> Response:
    body = json.loads(bytes(response.body))
    body["message"] = body.get("error")
    headers = {k: v for k, v in response.headers.items() if k.lower() == "retry-after"}
    return JSONResponse(body, status_code=response.status_code, headers=headers or None)


router = APIRouter(
    route_class=ProcessRoute,
    tags=["synchronous (Lingo.dev SDK)"],
    responses=error_responses(400, 401, 422, 429),
)


@router.post(
    "/process/localize",
    response_model=schemas.LocalizeResponse,
    responses={
        **error_responses(413),
        503: {"description": "The engine failed; retry after `Retry-After` seconds."},
    },
)
async def localize(
    body: schemas.LocalizeRequest, org: OrgDep, services: ServicesDep
) -> JSONResponse:
    """Translate `data` now, through the same content pipeline as jobs (placeholders, ICU,
    hints, the organization's engine); the answer has the same keys and shape."""
    result = await services.translate_inline(
        org,
        InlineRequest(
            source_locale=body.sourceLocale,
            target_locale=body.targetLocale,
            data=body.data,
            reference=body.reference,
            hints=body.hints,
            engine_id=body.engineId,
            changed_only=body.triggerType is not None,
        ),
    )
    headers = {"X-Dragoman-Source-Locale": result.source_locale}
    if result.issues:  # strings kept in the source language rather than broken
        headers["X-Dragoman-Fallbacks"] = str(len(result.issues))
    return JSONResponse({"data": result.data}, headers=headers)


@router.post("/process/recognize", response_model=schemas.RecognizeResponse)
async def recognize(
    body: schemas.RecognizeRequest, org: OrgDep, services: ServicesDep
) -> JSONResponse:
    """The language of `text`, among those the organization's engine translates."""
    if not body.text.strip():
        raise ValidationError("text must not be blank", field="text")
    locale = await services.inline.recognize(org, body.text)
    if locale is None:
        raise ValidationError("the language of text could not be told (no letters)", field="text")
    return JSONResponse({"locale": locale})


@router.post("/process/estimate")
async def estimate(body: schemas.EstimateRequest, org: OrgDep) -> JSONResponse:
    """What translating costs: characters and output tokens per target locale (and words when
    `data` is sent); prices are 0, the engines being this server's own."""
    for i, tag in enumerate(body.targetLocales or []):  # checked even where items answer
        normalize_locale(tag, field=f"targetLocales[{i}]")
    if body.items is not None:
        items = [
            (
                normalize_locale(item.targetLocale, field=f"items[{i}].targetLocale"),
                item.sourceChars,
            )
            for i, item in enumerate(body.items)
        ]
        return JSONResponse(inline_content.estimate(items))
    if body.data is None or not body.targetLocales:
        raise ValidationError("send items, or data with targetLocales", field="items")
    targets = [
        normalize_locale(tag, field=f"targetLocales[{i}]")
        for i, tag in enumerate(body.targetLocales)
    ]
    data = body.data
    analysis = await anyio.to_thread.run_sync(_analyze, data)
    return JSONResponse(
        inline_content.estimate([(t, analysis.chars) for t in targets], analysis.words)
    )


def _analyze(data: Any) -> inline_content.Analysis:
    return inline_content.analyze(inline_content.Leaves.of(data).texts)


@router.get("/users/me", response_model=schemas.Me, tags=["synchronous (Lingo.dev SDK)"])
async def me(org: OrgDep) -> JSONResponse:
    """The identity behind the API key: its organization (Lingo.dev's CLI checks it first)."""
    return JSONResponse({"id": org.id, "email": _address(org.name), "name": org.name})


def _address(name: str) -> str:
    """The organization's name as an e-mail address: itself when it is one, else under the
    reserved `.invalid` domain (the CLI wants a non-empty `email`; nothing is ever sent)."""
    if re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", name):
        return name
    local = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.") or "org"
    return f"{local[:64]}@dragoman.invalid"
