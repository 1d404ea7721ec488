"""The surfaces' multipart reader: boundaries from the header or the body, bounded size."""

from __future__ import annotations

from collections.abc import Sequence

import httpx
import pytest
import requests
from starlette.requests import Request
from starlette.types import Message

from dragoman.errors import PayloadTooLargeError, ValidationError
from dragoman.surfaces.base import Multipart, read_multipart

PO = b'msgid ""\nmsgstr ""\n"Language: en\\n"\n\nmsgid "Save"\nmsgstr ""\n'


class Body:
    """An ASGI receive callable that hands out `chunks` and counts how many were read."""

    def __init__(self, chunks: Sequence[bytes]) -> None:
        self.chunks = list(chunks)
        self.read = 0

    async def __call__(self) -> Message:
        self.read += 1
        if not self.chunks:
            return {"type": "http.request", "body": b"", "more_body": False}
        chunk = self.chunks.pop(0)
        return {"type": "http.request", "body": chunk, "more_body": bool(self.chunks)}


def make_request(headers: dict[str, str], body: Body) -> Request:
    scope = {
        "type": "http",
        "method": "POST",
        "path": "/v2/i18n/jobs",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
    }
    return Request(scope, body)


def split(data: bytes, size: int) -> list[bytes]:
    return [data[i : i + size] for i in range(0, len(data), size)] or [b""]


def official_client_upload(
    filename: str = "en.po", data: bytes = PO
) -> tuple[dict[str, str], bytes]:
    """The request exactly as translateplus-python prepares it: session JSON content type."""
    session = requests.Session()
    session.headers.update({"X-API-KEY": "k", "Content-Type": "application/json"})
    prepared = session.prepare_request(
        requests.Request(
            "POST",
            "http://127.0.0.1/v2/i18n/jobs",
            data={"source_language": "auto", "target_languages": "fr,es"},
            files={"file": (filename, data)},
            headers={},
        )
    )
    assert prepared.headers["Content-Type"] == "application/json"  # the client's quirk
    assert isinstance(prepared.body, bytes)
    return dict(prepared.headers), prepared.body


async def read(
    headers: dict[str, str], chunks: Sequence[bytes], max_bytes: int = 1 << 20
) -> Multipart:
    return await read_multipart(make_request(headers, Body(chunks)), max_bytes=max_bytes)


async def test_fields_and_file_with_the_boundary_in_content_type() -> None:
    request = httpx.Request(
        "POST",
        "http://x/",
        data={"source_language": "en", "target_languages": "fr,es"},
        files={"file": ("messages.yaml", b"en:\n  hi: Hello\n", "application/x-yaml")},
    )
    body = request.read()
    assert request.headers["content-type"].startswith("multipart/form-data; boundary=")
    parsed = await read(dict(request.headers), split(body, 7))
    assert parsed.fields == {"source_language": "en", "target_languages": "fr,es"}
    upload = parsed.files["file"]
    assert (upload.filename, upload.content_type) == ("messages.yaml", "application/x-yaml")
    assert upload.data == b"en:\n  hi: Hello\n"


@pytest.mark.parametrize("chunk_size", [1, 3, 64, 1 << 20])
async def test_boundary_sniffed_from_the_body_when_content_type_says_json(chunk_size: int) -> None:
    headers, body = official_client_upload()
    parsed = await read(headers, split(body, chunk_size))
    assert parsed.fields == {"source_language": "auto", "target_languages": "fr,es"}
    assert parsed.files["file"].filename == "en.po"
    assert parsed.files["file"].data == PO


async def test_binary_file_content_and_utf8_filename_survive() -> None:
    data = bytes(range(256)) * 40 + b"\r\n--not-the-boundary\r\n"
    headers, body = official_client_upload("données_日本.strings", data)
    parsed = await read(headers, split(body, 1000))
    assert parsed.files["file"].filename == "données_日本.strings"
    assert parsed.files["file"].data == data


async def test_declared_length_over_the_limit_is_refused_before_reading() -> None:
    headers, body = official_client_upload(data=b"x" * 5000)
    receive = Body(split(body, 100))
    with pytest.raises(PayloadTooLargeError) as caught:
        await read_multipart(make_request(headers, receive), max_bytes=4096)
    assert caught.value.status_code == 413 and "4096 bytes" in caught.value.message
    assert receive.read == 0


async def test_streamed_body_over_the_limit_stops_early() -> None:
    headers, body = official_client_upload(data=b"x" * 100_000)
    del headers["Content-Length"]  # chunked: the limit can only be counted
    receive = Body(split(body, 1000))
    with pytest.raises(PayloadTooLargeError):
        await read_multipart(make_request(headers, receive), max_bytes=10_000)
    assert receive.read <= 11  # stopped at the limit, not after all ~100 chunks


@pytest.mark.parametrize(
    "body",
    [b'{"source_language": "en"}', b"", b"--" + b"x" * 100, b"-- bad\r\n", b"hello"],
)
async def test_a_body_that_is_not_multipart_is_422(body: bytes) -> None:
    with pytest.raises(ValidationError) as caught:
        await read({"Content-Type": "application/json"}, [body])
    assert caught.value.status_code == 422 and caught.value.field == "body"
    assert "multipart" in caught.value.message


async def test_a_body_cut_short_is_422() -> None:
    headers, body = official_client_upload()
    with pytest.raises(ValidationError, match="closing boundary"):
        await read(headers, [body[: len(body) // 2]])


async def test_malformed_part_headers_are_422() -> None:
    body = b"--b0undary\r\nContent-Disposition form-data\r\n\r\nx\r\n--b0undary--\r\n"
    with pytest.raises(ValidationError, match="malformed"):
        await read({}, [body])


async def test_a_part_without_a_name_is_422() -> None:
    body = b"--b\r\nContent-Disposition: form-data\r\n\r\nx\r\n--b--\r\n"
    with pytest.raises(ValidationError, match="no name"):
        await read({}, [body])


async def test_a_field_that_is_not_utf8_names_the_field() -> None:
    body = b'--b\r\nContent-Disposition: form-data; name="source_language"\r\n\r\n\xff\r\n--b--\r\n'
    with pytest.raises(ValidationError) as caught:
        await read({}, [body])
    assert caught.value.field == "source_language"


async def test_oversized_text_field_and_too_many_parts_are_422() -> None:
    big = b'--b\r\nContent-Disposition: form-data; name="x"\r\n\r\n' + b"a" * 70_000
    with pytest.raises(ValidationError, match="longer than"):
        await read({}, [big + b"\r\n--b--\r\n"])
    part = b'--b\r\nContent-Disposition: form-data; name="x"\r\n\r\nv\r\n'
    with pytest.raises(ValidationError, match="more than 64 parts"):
        await read({}, [part * 65 + b"--b--\r\n"])
