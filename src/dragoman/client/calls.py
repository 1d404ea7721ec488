"""What each native API call sends and how its answer is read, shared by both clients."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx


class DragomanAPIError(Exception):
    """The server answered with an error status; `status` and `body` say what it was."""

    def __init__(self, status: int, body: Any) -> None:
        self.status = status
        self.body = body
        message = body.get("error") if isinstance(body, dict) else body
        super().__init__(f"HTTP {status}: {message}")


@dataclass(frozen=True, slots=True)
class Call:
    """One request: method, path, query, JSON body, and the key of the answer to return."""

    method: str
    path: str
    params: dict[str, Any] = field(default_factory=dict)
    json: Any = None
    pick: str | None = None
    files: dict[str, tuple[str, bytes]] | None = None  # multipart upload
    data: dict[str, str] | None = None  # multipart text fields
    raw: bool = False  # the answer is a file: return (filename, bytes)

    def read(self, response: httpx.Response) -> Any:
        """The answer's JSON (or `pick` of it), or DragomanAPIError for an error status."""
        if self.raw and response.status_code < 400:
            return _filename(response), response.content
        try:
            body = response.json()
        except ValueError:
            body = response.text
        if response.status_code >= 400:
            raise DragomanAPIError(response.status_code, body)
        return body[self.pick] if self.pick else body


def submit(
    data: Mapping[str, Any],
    *,
    source: str,
    targets: Sequence[str],
    hints: Mapping[str, Sequence[str]] | None = None,
    callback_url: str | None = None,
    idempotency_key: str | None = None,
    engine_id: str | None = None,
) -> Call:
    body: dict[str, Any] = {"sourceLocale": source, "targetLocales": list(targets), "data": data}
    optional = {
        "hints": hints,
        "callbackUrl": callback_url,
        "idempotencyKey": idempotency_key,
        "engineId": engine_id,
    }
    body.update({k: v for k, v in optional.items() if v is not None})
    return Call("POST", "/jobs/localization", json=body)


def group(group_id: str) -> Call:
    return Call("GET", f"/jobs/localization/groups/{group_id}")


def job(job_id: str) -> Call:
    return Call("GET", f"/jobs/localization/{job_id}")


def jobs_page(
    *, status: str | None, engine_id: str | None, page_size: int, cursor: str | None
) -> Call:
    params: dict[str, Any] = {"limit": page_size}
    for name, value in (("status", status), ("engineId", engine_id), ("cursor", cursor)):
        if value:
            params[name] = value
    return Call("GET", "/jobs/localization", params=params)


def engines() -> Call:
    return Call("GET", "/engines", pick="items")


def create_engine(
    name: str, provider: str, options: Mapping[str, Any] | None, default: bool
) -> Call:
    body = {
        "name": name,
        "provider": provider,
        "options": dict(options or {}),
        "isDefault": default,
    }
    return Call("POST", "/engines", json=body)


def _filename(response: httpx.Response) -> str:
    """The file name a download's Content-Disposition carries (RFC 6266 `filename*`)."""
    from email.message import Message
    from urllib.parse import unquote

    message = Message()
    message["content-disposition"] = response.headers.get("content-disposition", "")
    name = message.get_filename() or "translated"
    return unquote(name)


def submit_file(
    filename: str,
    content: bytes,
    *,
    source: str,
    targets: Sequence[str],
    format: str | None = None,
    callback_url: str | None = None,
    idempotency_key: str | None = None,
    engine_id: str | None = None,
) -> Call:
    fields = {"sourceLocale": source, "targetLocales": ",".join(targets)}
    optional = {
        "format": format,
        "callbackUrl": callback_url,
        "idempotencyKey": idempotency_key,
        "engineId": engine_id,
    }
    fields.update({k: v for k, v in optional.items() if v is not None})
    return Call(
        "POST", "/jobs/localization/files", files={"file": (filename, content)}, data=fields
    )


def download(job_id: str) -> Call:
    return Call("GET", f"/jobs/localization/{job_id}/file", raw=True)
