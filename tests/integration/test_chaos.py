"""Chaos on the scale-out setup: an API process, three `dragoman worker` processes on
PostgreSQL and a Redis of our own; workers are killed with SIGKILL and restarted at random
and the broker is killed (losing every message) and restarted, while a few hundred jobs run.
Every job must end completed, its output written once, each event recorded once."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from dragoman.store.db import Database
from dragoman.store.tables import events, jobs
from tests.acceptance.serverproc import ServerProcess, cli
from tests.conftest import PostgresDatabases
from tests.processes import RedisServer
from tests.webhook_receiver import Receiver, https_receiver

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]

WORKERS = 3
GROUPS = 160  # x 2 target locales = 320 jobs
STRINGS = 1500


class WorkerProcess:
    """`dragoman worker` as an operator runs it; `kill()` is SIGKILL."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env = env
        self.log = log
        self.proc: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def start(self) -> None:
        self.starts += 1
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "dragoman", "worker", "--concurrency", "2"],
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> int | None:
        if self.proc is None or self.proc.poll() is not None:
            return None
        self.proc.terminate()
        try:
            return self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)
            return None


def delivered_ids(receiver: Receiver) -> set[str]:
    return {r.headers["webhook-id"] for r in receiver.on("/hooks")}


def wait_until(condition: Callable[[], bool], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"not reached within {timeout}s"
        time.sleep(0.2)


def catalogue(group: int) -> dict[str, str]:
    return {f"k{i}": f"Hello {{name}}, item {group}-{i} is ready to save." for i in range(STRINGS)}


@pytest.fixture
def pg_url(postgres_databases: PostgresDatabases) -> str:
    return postgres_databases.fresh()


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    binary = shutil.which("redis-server")
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("redis-server is required under CI")
        pytest.skip("redis-server is not installed")
    server = RedisServer(binary, tmp_path / "redis.log")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def receiver(tmp_path: Path) -> Iterator[Receiver]:
    with https_receiver(tmp_path) as running:
        yield running


def test_kill_9_workers_and_the_broker_loses_no_job(
    tmp_path: Path,
    pg_url: str,
    redis_server: RedisServer,
    receiver: Receiver,
    request: pytest.FixtureRequest,
) -> None:
    rng = random.Random(4)
    env = {
        **os.environ,
        "PYTHONUNBUFFERED": "1",
        "DRAGOMAN_DATA_DIR": str(tmp_path / "data"),
        "DRAGOMAN_DATABASE_URL": pg_url,
        "DRAGOMAN_BROKER_URL": f"redis://127.0.0.1:{redis_server.port}/0",
        "DRAGOMAN_DEFAULT_ENGINE_PROVIDER": "pseudo",
        "DRAGOMAN_LEASE_SECONDS": "3",
        "DRAGOMAN_SWEEP_INTERVAL_SECONDS": "0.5",
        "DRAGOMAN_REQUEUE_AFTER_SECONDS": "3",
        "DRAGOMAN_DB_POOL_SIZE": "4",
        # Webhooks to a real HTTPS receiver on loopback, trusted through a test CA; a worker
        # killed mid-delivery leaves it to another once its lease (timeout + margin) expires.
        "DRAGOMAN_WEBHOOK_ALLOW_NETWORKS": "127.0.0.0/8",
        "DRAGOMAN_WEBHOOK_CA_BUNDLE": str(receiver.ca_path),
        "DRAGOMAN_WEBHOOK_TIMEOUT_SECONDS": "2",
        "DRAGOMAN_WEBHOOK_RETRY_SCHEDULE": "1,2,4,8",
    }
    made = cli(env, "keys", "create", "--org", "chaos")
    assert made.returncode == 0, made.stderr
    headers = {"X-API-Key": made.stdout.strip().splitlines()[-1]}
    api = ServerProcess(env, tmp_path / "api.log").start("--no-worker")
    workers = [WorkerProcess(env, tmp_path / f"worker{i}.log") for i in range(WORKERS)]
    db = Database(pg_url)
    request.addfinalizer(db.dispose)
    groups: dict[str, int] = {}

    def submit(group: int) -> None:
        body = {
            "sourceLocale": "en",
            "targetLocales": ["de", "fr"],
            "data": catalogue(group),
            "callbackUrl": receiver.url("/hooks"),
        }
        response = httpx.post(
            f"{api.base}/jobs/localization", json=body, headers=headers, timeout=30
        )
        assert response.status_code == 202, response.text
        groups[response.json()["groupId"]] = group

    def final_count() -> int:
        with db.read() as conn:
            return int(
                conn.execute(
                    select(func.count()).where(jobs.c.status.in_(["completed", "failed"]))
                ).scalar_one()
            )

    stop_killing = threading.Event()
    kills: list[float] = []

    def killer() -> None:
        """SIGKILL a random worker about every second, restarting it shortly after."""
        while not stop_killing.wait(rng.uniform(0.6, 1.4)):
            victim = rng.choice(workers)
            victim.kill()
            kills.append(time.monotonic())
            time.sleep(rng.uniform(0.1, 0.5))
            victim.start()

    chaos = threading.Thread(target=killer, daemon=True)
    try:
        for worker in workers:
            worker.start()
        for group in range(GROUPS // 2):
            submit(group)
        chaos.start()
        wait_until(lambda: final_count() >= GROUPS // 2, 40)
        # The broker dies with every message in it; what is submitted meanwhile is not sent.
        redis_server.kill()
        for group in range(GROUPS // 2, GROUPS // 2 + 20):
            submit(group)
        time.sleep(1.0)
        redis_server.start()
        for group in range(GROUPS // 2 + 20, GROUPS):
            submit(group)
        wait_until(lambda: final_count() >= GROUPS * 2 - 40, 40)
        stop_killing.set()
        chaos.join(10)
        wait_until(lambda: final_count() >= GROUPS * 2, 30)
        assert len(kills) >= 5, f"only {len(kills)} kills happened; make the run longer"
        # Every final event is delivered: 2 jobs + 1 group per group, at least once each.
        wait_until(lambda: len(delivered_ids(receiver)) >= GROUPS * 3, 60)
        stopped = [worker.stop() for worker in workers]
    finally:
        stop_killing.set()
        for worker in workers:
            worker.stop()
        api.stop()

    assert stopped == [0] * WORKERS, "SIGTERM stops a worker cleanly"
    with db.read() as conn:
        rows = conn.execute(
            select(
                jobs.c.id,
                jobs.c.group_id,
                jobs.c.target_locale,
                jobs.c.status,
                jobs.c.output,
                jobs.c.attempts,
            )
        ).all()
        completed = dict(
            conn.execute(
                select(events.c.job_id, func.count())
                .where(events.c.type == "job.completed")
                .group_by(events.c.job_id)
            ).all()
        )
        started = dict(
            conn.execute(
                select(events.c.job_id, func.count())
                .where(events.c.type == "job.started")
                .group_by(events.c.job_id)
            ).all()
        )
        group_done = dict(
            conn.execute(
                select(events.c.group_id, func.count())
                .where(events.c.type == "group.completed")
                .group_by(events.c.group_id)
            ).all()
        )
        ids = [r.id for r in conn.execute(select(events.c.id))]

    assert len(rows) == GROUPS * 2
    assert {r.status for r in rows} == {"completed"}
    for row in rows:
        group = groups[row.group_id]
        output = json.loads(row.output)
        assert list(output) == list(catalogue(group))
        for i, text in enumerate(output.values()):
            assert text.startswith("[Ĥéĺĺó {name}") and f"{group}-{i} " in text, text
    assert set(completed) == {r.id for r in rows}
    assert set(completed.values()) == {1}, "each output is written (and announced) once"
    assert set(started.values()) == {1}
    assert set(group_done) == set(groups) and set(group_done.values()) == {1}
    assert len(ids) == len(set(ids)), "event ids are unique"
    assert max(r.attempts for r in rows) > 1, "some job was re-run after its worker died"
    with db.read() as conn:
        final_events = {
            r.id: (r.type, r.job_id or r.group_id)
            for r in conn.execute(
                select(events.c.id, events.c.type, events.c.job_id, events.c.group_id).where(
                    events.c.type.in_(["job.completed", "group.completed"])
                )
            )
        }
    by_id: dict[str, set[tuple[str, str]]] = {}
    for delivery in receiver.on("/hooks"):
        payload = delivery.json()
        subject = payload["data"].get("id") or payload["data"]["groupId"]
        by_id.setdefault(delivery.headers["webhook-id"], set()).add((payload["type"], subject))
    assert set(by_id) == set(final_events), "each final event delivered, under its own event id"
    for webhook_id, subjects in by_id.items():
        assert subjects == {final_events[webhook_id]}, "one webhook-id never names two events"
    print(
        f"{len(kills)} kills, {sum(w.starts for w in workers)} worker starts, "
        f"{sum(r.attempts > 1 for r in rows)} jobs re-run, max attempts "
        f"{max(r.attempts for r in rows)}"
    )
