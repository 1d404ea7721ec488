"""An in-process Dragoman for API tests: real database, real workers, TestClient transport."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx

from dragoman.app import build_services, create_app
from dragoman.core import orgs
from dragoman.services import Services
from dragoman.settings import Settings
from dragoman.worker.dispatchers.base import Dispatcher


@dataclass
class Api:
    """A running server on 127.0.0.1, an HTTP client for it, and helpers tests keep needing."""

    client: httpx.Client
    services: Services

    def new_key(self, org: str | None = None) -> str:
        with self.services.db.write() as conn:
            organization = orgs.get_or_create_org(conn, org or f"org-{time.perf_counter_ns()}")
            return orgs.create_key(conn, organization.id)

    def post(self, key: str, body: dict[str, Any]) -> Any:
        return self.client.post("/jobs/localization", json=body, headers={"X-API-Key": key})

    def get(self, key: str, path: str, **params: Any) -> Any:
        return self.client.get(path, params=params, headers={"X-API-Key": key})

    def wait_group(self, key: str, group_id: str, timeout: float = 30) -> dict[str, Any]:
        """Poll until every job of the group is final; fail the test on timeout."""
        deadline = time.monotonic() + timeout
        while True:
            body = self.get(key, f"/jobs/localization/groups/{group_id}").json()
            if all(j["status"] in ("completed", "failed") for j in body["jobs"]):
                return body  # type: ignore[no-any-return]
            if time.monotonic() > deadline:
                raise AssertionError(f"group not final after {timeout}s: {body}")
            time.sleep(0.02)


@contextmanager
def running_api(
    settings: Settings, *, run_workers: bool = True, dispatcher: Dispatcher | None = None
) -> Iterator[Api]:
    with (
        live_server(settings, run_workers=run_workers, dispatcher=dispatcher) as (base, services),
        httpx.Client(base_url=base, timeout=30) as client,
    ):
        yield Api(client, services)


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def live_server(
    settings: Settings, *, run_workers: bool = True, dispatcher: Dispatcher | None = None
) -> Iterator[tuple[str, Services]]:
    """A real uvicorn server on 127.0.0.1 in a thread; yields its base URL and services."""
    import threading

    import uvicorn

    services = build_services(settings, run_workers=run_workers, dispatcher=dispatcher)
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(settings, services=services),
            host="127.0.0.1",
            port=port,
            log_level="warning",
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("live server did not start")
        time.sleep(0.05)
    try:
        yield base, services
    finally:
        server.should_exit = True
        thread.join(15)
