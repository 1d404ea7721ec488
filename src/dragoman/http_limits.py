"""Refuse request bodies over the configured size before reading them into memory."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Multipart framing around an upload: boundaries, part headers and the small text fields.
MULTIPART_OVERHEAD = 256 * 1024


def native_body(message: str) -> dict[str, object]:
    return {"error": message, "field": "body", "statusCode": 413}


def detail_body(message: str) -> dict[str, object]:
    return {"detail": message}


@dataclass(frozen=True, slots=True)
class BodyRule:
    """A path prefix with its own body limit and error shape (file uploads, other surfaces)."""

    prefix: str
    max_bytes: int
    render: Callable[[str], dict[str, object]] = native_body


class BodySizeLimit:
    """ASGI middleware: 413 with a JSON error when a body exceeds its route's limit:
    the first rule whose prefix the path starts with, else `max_bytes`."""

    def __init__(self, app: ASGIApp, max_bytes: int, rules: Sequence[BodyRule] = ()) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.rules = tuple(rules)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        await _Limited(self.app, self._rule(scope.get("path", "")))(scope, receive, send)

    def _rule(self, path: str) -> BodyRule:
        for rule in self.rules:
            if path.startswith(rule.prefix):
                return rule
        return BodyRule("", self.max_bytes)


class _Limited:
    """One request under one rule."""

    def __init__(self, app: ASGIApp, rule: BodyRule) -> None:
        self.app = app
        self.max_bytes = rule.max_bytes
        self.render = rule.render

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        for name, value in scope.get("headers", []):
            if name == b"content-length" and value.isdigit() and int(value) > self.max_bytes:
                await self._reject(send)
                return
        seen = 0

        async def limited_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise _TooLarge()
            return message

        try:
            await self.app(scope, limited_receive, send)
        except _TooLarge:
            await self._reject(send)

    async def _reject(self, send: Send) -> None:
        message = f"request body is larger than the limit of {self.max_bytes} bytes"
        body = json.dumps(self.render(message)).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


class _TooLarge(HTTPException):
    """Raised from inside the body stream; an HTTPException so FastAPI passes it through."""

    def __init__(self) -> None:
        super().__init__(413, "request body is larger than the configured limit")
