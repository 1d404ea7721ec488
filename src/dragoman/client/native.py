"""`Client` and `AsyncClient` for the native localization-jobs API; only the transport
differs between them (what each call sends and reads lives in `calls.py`)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping
from pathlib import Path
from typing import Any

import anyio
import httpx

from dragoman.client import calls
from dragoman.client.calls import Call


def _http_options(base_url: str, api_key: str, timeout: float) -> dict[str, Any]:
    return {"base_url": base_url.rstrip("/"), "headers": {"X-API-Key": api_key}, "timeout": timeout}


class Client:
    """`Client(base_url, api_key)`; pass `transport=` (e.g. httpx.MockTransport) in tests."""

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        timeout: float = 30.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self._http = httpx.Client(**_http_options(base_url, api_key, timeout), transport=transport)

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def _do(self, call: Call) -> Any:
        return call.read(
            self._http.request(
                call.method,
                call.path,
                params=call.params,
                json=call.json,
                files=call.files,
                data=call.data,
            )
        )

    def submit_file(
        self, path: str | Path, *, content: bytes | None = None, **options: Any
    ) -> dict[str, Any]:
        """Upload an i18n file (`source=` a tag or "auto", `targets=`, optional `format=`,
        `callback_url=`, `idempotency_key=`, `engine_id=`); returns the 202 body."""
        data = Path(path).read_bytes() if content is None else content
        result: dict[str, Any] = self._do(calls.submit_file(Path(path).name, data, **options))
        return result

    def download(self, job_id: str) -> tuple[str, bytes]:
        """A completed file job's translated file: its conventional name and bytes."""
        result: tuple[str, bytes] = self._do(calls.download(job_id))
        return result

    def submit(self, data: Mapping[str, Any], **options: Any) -> dict[str, Any]:
        """Create a job group (`source=`, `targets=`, optional `hints=`, `callback_url=`,
        `idempotency_key=`, `engine_id=`); returns the 202 body."""
        result: dict[str, Any] = self._do(calls.submit(data, **options))
        return result

    def group(self, group_id: str) -> dict[str, Any]:
        result: dict[str, Any] = self._do(calls.group(group_id))
        return result

    def job(self, job_id: str) -> dict[str, Any]:
        result: dict[str, Any] = self._do(calls.job(job_id))
        return result

    def jobs(
        self, *, status: str | None = None, engine_id: str | None = None, page_size: int = 100
    ) -> Iterator[dict[str, Any]]:
        """Every job, newest first, following `nextCursor`."""
        cursor = None
        while True:
            page = self._do(calls.jobs_page(status=status, engine_id=engine_id,
                                            page_size=page_size, cursor=cursor))  # fmt: skip
            yield from page["items"]
            if not (cursor := page.get("nextCursor")):
                return

    def engines(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = self._do(calls.engines())
        return result

    def create_engine(
        self, name: str, provider: str, options: Mapping[str, Any] | None = None,
        *, default: bool = False,
    ) -> dict[str, Any]:  # fmt: skip
        result: dict[str, Any] = self._do(calls.create_engine(name, provider, options, default))
        return result


class AsyncClient:
    """The same calls as `Client`, awaited."""

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        timeout: float = 30.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self._http = httpx.AsyncClient(
            **_http_options(base_url, api_key, timeout), transport=transport
        )

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def _do(self, call: Call) -> Any:
        response = await self._http.request(
            call.method,
            call.path,
            params=call.params,
            json=call.json,
            files=call.files,
            data=call.data,
        )
        return call.read(response)

    async def submit_file(
        self, path: str | Path, *, content: bytes | None = None, **options: Any
    ) -> dict[str, Any]:
        if content is None:
            content = await anyio.Path(path).read_bytes()
        data = content
        result: dict[str, Any] = await self._do(calls.submit_file(Path(path).name, data, **options))
        return result

    async def download(self, job_id: str) -> tuple[str, bytes]:
        result: tuple[str, bytes] = await self._do(calls.download(job_id))
        return result

    async def submit(self, data: Mapping[str, Any], **options: Any) -> dict[str, Any]:
        result: dict[str, Any] = await self._do(calls.submit(data, **options))
        return result

    async def group(self, group_id: str) -> dict[str, Any]:
        result: dict[str, Any] = await self._do(calls.group(group_id))
        return result

    async def job(self, job_id: str) -> dict[str, Any]:
        result: dict[str, Any] = await self._do(calls.job(job_id))
        return result

    async def jobs(
        self, *, status: str | None = None, engine_id: str | None = None, page_size: int = 100
    ) -> AsyncIterator[dict[str, Any]]:
        cursor = None
        while True:
            page = await self._do(calls.jobs_page(status=status, engine_id=engine_id,
                                                  page_size=page_size, cursor=cursor))  # fmt: skip
            for item in page["items"]:
                yield item
            if not (cursor := page.get("nextCursor")):
                return

    async def engines(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = await self._do(calls.engines())
        return result

    async def create_engine(
        self, name: str, provider: str, options: Mapping[str, Any] | None = None,
        *, default: bool = False,
    ) -> dict[str, Any]:  # fmt: skip
        result: dict[str, Any] = await self._do(
            calls.create_engine(name, provider, options, default)
        )
        return result


__all__ = ["AsyncClient", "Client"]
