"""A small synchronous client for the native localization-jobs API."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import httpx


class DragomanAPIError(Exception):
    """The server answered with an error status; `status` and `body` say what it was."""

    def __init__(self, status: int, body: Any) -> None:
        self.status = status
        self.body = body
        message = body.get("error") if isinstance(body, dict) else body
        super().__init__(f"HTTP {status}: {message}")


class Client:
    """`Client(base_url, api_key)`; pass `transport=` to talk to an in-process app in tests."""

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
        self._http = httpx.Client(
            base_url=base_url.rstrip("/"),
            headers={"X-API-Key": api_key},
            timeout=timeout,
            transport=transport,
        )

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self._http.request(method, path, **kwargs)
        try:
            body = response.json()
        except ValueError:
            body = response.text
        if response.status_code >= 400:
            raise DragomanAPIError(response.status_code, body)
        return body

    def submit(
        self,
        data: Mapping[str, Any],
        *,
        source: str,
        targets: Sequence[str],
        hints: Mapping[str, Sequence[str]] | None = None,
        callback_url: str | None = None,
        idempotency_key: str | None = None,
        engine_id: str | None = None,
    ) -> dict[str, Any]:
        """Create a job group; returns the 202 body (`groupId`, `jobs`, ...)."""
        body: dict[str, Any] = {
            "sourceLocale": source,
            "targetLocales": list(targets),
            "data": data,
        }
        optional = {
            "hints": hints,
            "callbackUrl": callback_url,
            "idempotencyKey": idempotency_key,
            "engineId": engine_id,
        }
        body.update({k: v for k, v in optional.items() if v is not None})
        result: dict[str, Any] = self._call("POST", "/jobs/localization", json=body)
        return result

    def group(self, group_id: str) -> dict[str, Any]:
        result: dict[str, Any] = self._call("GET", f"/jobs/localization/groups/{group_id}")
        return result

    def job(self, job_id: str) -> dict[str, Any]:
        result: dict[str, Any] = self._call("GET", f"/jobs/localization/{job_id}")
        return result

    def jobs(
        self, *, status: str | None = None, engine_id: str | None = None, page_size: int = 100
    ) -> Iterator[dict[str, Any]]:
        """Every job, newest first, following `nextCursor`."""
        params: dict[str, Any] = {"limit": page_size}
        if status:
            params["status"] = status
        if engine_id:
            params["engineId"] = engine_id
        while True:
            page = self._call("GET", "/jobs/localization", params=params)
            yield from page["items"]
            if not page.get("nextCursor"):
                return
            params["cursor"] = page["nextCursor"]

    def engines(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = self._call("GET", "/engines")["items"]
        return result

    def create_engine(
        self,
        name: str,
        provider: str,
        options: Mapping[str, Any] | None = None,
        *,
        default: bool = False,
    ) -> dict[str, Any]:
        body = {
            "name": name,
            "provider": provider,
            "options": dict(options or {}),
            "isDefault": default,
        }
        result: dict[str, Any] = self._call("POST", "/engines", json=body)
        return result
