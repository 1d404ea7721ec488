"""A WebSocket client on an API process sees the events of a job that a `dragoman worker`
started separately ran: PostgreSQL holds the events, Redis pub/sub carries the wake-ups."""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from websockets.asyncio.client import connect

from tests.acceptance.serverproc import ServerProcess, cli
from tests.conftest import PostgresDatabases
from tests.services import require

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]


def test_ws_on_api_process_sees_events_from_a_separate_worker(
    tmp_path: Path, postgres_databases: PostgresDatabases
) -> None:
    require("Redis", "127.0.0.1", 6379)
    db_number = secrets.randbelow(14) + 1  # a database number of this run's own
    env = {
        **os.environ,
        "PYTHONUNBUFFERED": "1",
        "DRAGOMAN_DATA_DIR": str(tmp_path / "data"),
        "DRAGOMAN_DATABASE_URL": postgres_databases.fresh(),
        "DRAGOMAN_BROKER_URL": f"redis://127.0.0.1:6379/{db_number}",
        "DRAGOMAN_BLOB_PATH_SHARED": "true",  # both processes run on this machine
        "DRAGOMAN_BROKER_QUEUE": f"ws-test-{secrets.token_hex(4)}",
        "DRAGOMAN_DEFAULT_ENGINE_PROVIDER": "pseudo",
        # Polling so slow that only the Redis wake-ups can deliver within the test's wait.
        "DRAGOMAN_WS_POLL_INTERVAL_SECONDS": "30",
    }
    made = cli(env, "keys", "create", "--org", "ws-scale")
    assert made.returncode == 0, made.stderr
    key = made.stdout.strip().splitlines()[-1]
    api = ServerProcess(env, tmp_path / "api.log").start("--no-worker")
    with (tmp_path / "worker.log").open("ab") as log:
        worker = subprocess.Popen(
            [sys.executable, "-m", "dragoman", "worker", "--concurrency", "1"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        time.sleep(1.0)  # the worker connects to the broker
        url = api.base.replace("http://", "ws://") + "/ws"

        async def scenario() -> list[dict[str, object]]:
            async with connect(url, additional_headers={"X-API-Key": key}) as ws:
                await ws.send(json.dumps({"action": "subscribe", "all": True}))
                subscribed = json.loads(await asyncio.wait_for(ws.recv(), 10))
                assert subscribed["type"] == "subscribed", subscribed
                async with httpx.AsyncClient(base_url=api.base) as client:
                    created = await client.post(
                        "/jobs/localization",
                        headers={"X-API-Key": key},
                        json={
                            "sourceLocale": "en",
                            "targetLocales": ["de", "fr"],
                            "data": {"title": "Hello world"},
                        },
                    )
                assert created.status_code == 202, created.text
                got: list[dict[str, object]] = []
                while not any(m.get("event") == "group.completed" for m in got):
                    got.append(json.loads(await asyncio.wait_for(ws.recv(), 10)))
                return got

        started = time.monotonic()
        got = asyncio.run(scenario())
        elapsed = time.monotonic() - started
    finally:
        worker.terminate()
        worker.wait(20)
        api.stop()
    kinds = [m["event"] for m in got]
    assert kinds.count("job.completed") == 2 and kinds.count("job.started") == 2
    assert kinds[-1] == "group.completed"
    assert elapsed < 10, f"events took {elapsed:.1f}s: they came by polling, not by the bus"
    worker_log = (tmp_path / "worker.log").read_text()
    assert "Traceback" not in worker_log, worker_log[-2000:]
