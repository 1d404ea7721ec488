"""What every surface shares: its error-rendering route class, the Core as a dependency,
and a bounded multipart reader."""

from __future__ import annotations

import base64
import binascii
import logging
import math
import re
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any
from urllib.parse import unquote

from fastapi import Depends, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.exceptions import HTTPException

from dragoman.errors import DragomanError, PayloadTooLargeError, ValidationError

if TYPE_CHECKING:
    from python_multipart.multipart import MultipartCallbacks

    from dragoman.core.service import Core

log = logging.getLogger(__name__)


class SurfaceRoute(APIRoute):
    """A route class that renders every error in one surface's shape (the one place a surface
    maps errors to HTTP); subclasses say how each kind of error looks."""

    def render_error(self, exc: DragomanError, headers: dict[str, str] | None) -> Response:
        raise NotImplementedError

    def render_internal(self) -> Response:
        raise NotImplementedError

    def render_validation(self, exc: RequestValidationError) -> Response:
        raise NotImplementedError

    def render_http(self, exc: HTTPException) -> Response:
        raise NotImplementedError

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                return await handler(request)
            except DragomanError as exc:
                if exc.status_code >= 500 and exc.status_code != 503:  # 503 says why, to retry
                    log.exception("server error")
                    return self.render_internal()
                return self.render_error(exc, retry_after(exc))
            except RequestValidationError as exc:
                return self.render_validation(exc)
            except HTTPException as exc:
                return self.render_http(exc)

        return route


def retry_after(exc: DragomanError) -> dict[str, str] | None:
    """A `Retry-After` header (whole seconds, at least 1) for a 429 or 503 that says when to come
    back; clients such as TranslatePlus's sleep `int(Retry-After)` before retrying."""
    seconds = exc.extra.get("retry_after")
    if exc.status_code not in (429, 503) or seconds is None:
        return None
    return {"Retry-After": str(max(1, math.ceil(float(seconds))))}


async def core_of(request: Request) -> Core:
    """Async on purpose: a sync dependency would cost a thread hop on every request."""
    core: Core = request.app.state.core
    return core


CoreDep = Annotated["Core", Depends(core_of)]

# RFC 2046: 1-70 characters from this set, not ending in a space.
_BOUNDARY = re.compile(rb"--([0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?])\r\n")
_LONGEST_FIRST_LINE = 2 + 70 + 2  # `--`, the boundary, CRLF
_MAX_PARTS = 64
_MAX_FIELD_BYTES = 64 * 1024


@dataclass(frozen=True, slots=True)
class UploadedFile:
    """One file part of a multipart body, held in memory (bounded by the upload limit)."""

    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True, slots=True)
class Multipart:
    """A multipart/form-data body: text fields and files, by field name (the last one wins)."""

    fields: dict[str, str] = field(default_factory=dict)
    files: dict[str, UploadedFile] = field(default_factory=dict)


async def read_multipart(request: Request, *, max_bytes: int) -> Multipart:
    """The request's multipart/form-data body; PayloadTooLargeError past `max_bytes` (before
    reading it all), ValidationError when the body is not multipart or is cut short.

    The boundary comes from Content-Type or, when that has none, from the body's first line:
    TranslatePlus's official client sends its upload as `Content-Type: application/json`."""
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > max_bytes:
        raise _too_large(max_bytes)
    content_type, options = parse_options_header(request.headers.get("content-type"))
    boundary = options.get(b"boundary") if content_type == b"multipart/form-data" else None
    collector = _Collector()
    parser: MultipartParser | None = None
    head = b""
    seen = 0
    async for chunk in request.stream():
        seen += len(chunk)
        if seen > max_bytes:
            raise _too_large(max_bytes)
        if parser is None:
            head += chunk
            if boundary is None:
                boundary = _sniff_boundary(head)
                if boundary is None:
                    continue
            parser = MultipartParser(boundary, collector.callbacks())
            chunk, head = head, b""
        try:
            parser.write(chunk)
        except MultipartParseError as exc:
            raise ValidationError(f"the multipart body is malformed: {exc}", field="body") from None
        collector.check()
    if parser is None:
        raise ValidationError(
            "the request body must be multipart/form-data (a file upload)", field="body"
        )
    if not collector.ended:
        raise ValidationError("the multipart body ends before its closing boundary", field="body")
    return collector.result()


def _too_large(max_bytes: int) -> PayloadTooLargeError:
    return PayloadTooLargeError(f"the upload is larger than the limit of {max_bytes} bytes")


def _sniff_boundary(head: bytes) -> bytes | None:
    """The boundary named by a body's first line `--<boundary>\\r\\n`, or None while too few
    bytes have come to tell; raises once they show the body is not multipart."""
    found = _BOUNDARY.match(head)
    if found is not None:
        return found.group(1)
    if len(head) >= _LONGEST_FIRST_LINE or not head.startswith(b"--"[: len(head)]):
        raise ValidationError(
            "the request body must be multipart/form-data (a file upload)", field="body"
        )
    return None


class _Collector:
    """Gathers parts from the parser's callbacks, enforcing the part and field limits."""

    def __init__(self) -> None:
        self.fields: dict[str, str] = {}
        self.files: dict[str, UploadedFile] = {}
        self.parts = 0
        self.ended = False
        self._headers: dict[str, str] = {}
        self._name = bytearray()
        self._value = bytearray()
        self._data: list[bytes] = []
        self._size = 0
        self._error: ValidationError | None = None

    def callbacks(self) -> MultipartCallbacks:
        return {
            "on_part_begin": self._begin,
            "on_header_field": lambda d, s, e: self._name.extend(d[s:e]),
            "on_header_value": lambda d, s, e: self._value.extend(d[s:e]),
            "on_header_end": self._header_end,
            "on_part_data": self._part_data,
            "on_part_end": self._part_end,
            "on_end": self._end,
        }

    def check(self) -> None:
        """Raise what a callback found wrong (raising inside the parser would lose it)."""
        if self._error is not None:
            raise self._error

    def result(self) -> Multipart:
        return Multipart(self.fields, self.files)

    def _begin(self) -> None:
        self.parts += 1
        if self.parts > _MAX_PARTS:
            self._fail(f"the multipart body has more than {_MAX_PARTS} parts")
        self._headers, self._data, self._size = {}, [], 0

    def _header_end(self) -> None:
        name = self._name.decode("latin-1").strip().lower()
        # latin-1 keeps the bytes; parameters are decoded as UTF-8 once parsed out.
        self._headers[name] = self._value.decode("latin-1").strip()
        self._name.clear()
        self._value.clear()

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        self._size += end - start
        if "filename" not in self._headers.get("content-disposition", "") and (
            self._size > _MAX_FIELD_BYTES
        ):
            self._fail(f"a form field is longer than {_MAX_FIELD_BYTES} bytes")
            return
        self._data.append(data[start:end])

    def _part_end(self) -> None:
        if self._error is not None:
            return
        _, params = parse_options_header(self._headers.get("content-disposition"))
        name = _text(params.get(b"name", b""))
        if not name:
            self._fail("a multipart part has no name in its Content-Disposition header")
            return
        data = b"".join(self._data)
        self._data = []
        if b"filename" in params:
            filename = _text(params[b"filename"])
            media_type = self._headers.get("content-type") or "application/octet-stream"
            self.files[name] = UploadedFile(filename, media_type, data)
            return
        try:
            self.fields[name] = data.decode("utf-8")
        except UnicodeDecodeError:
            self._fail(f"form field {name!r} is not valid UTF-8", field=name)

    def _end(self) -> None:
        self.ended = True

    def _fail(self, message: str, field: str = "body") -> None:
        if self._error is None:
            self._error = ValidationError(message, field=field)


def _text(value: bytes) -> str:
    """A header parameter as text: UTF-8 as browsers and requests send it, else latin-1."""
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        return value.decode("latin-1")


def basic_credentials(header: str) -> tuple[str, str] | None:
    """(client_id, secret) from `Authorization: Basic`, URL-decoded as RFC 6749 2.3.1 says;
    None for anything else."""
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic" or not value.strip():
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    client_id, sep, secret = decoded.partition(":")
    return (unquote(client_id), unquote(secret)) if sep else None
