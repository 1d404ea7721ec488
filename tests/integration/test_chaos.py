"""Chaos on the scale-out setup (issue 9, section 3): an API process and two `dragoman worker`
processes on PostgreSQL and a Redis of our own, over several rounds. Workers die by SIGKILL
at random moments, Redis is killed (losing every message and pub/sub subscriber) and
restarted, the API process is killed and restarted while clients submit. Every accepted
job must complete with its own output, written once; every final event must reach the
webhook receiver at least once, under its own id. Bounded in time; prints its figures."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
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

WORKERS = 2
ROUNDS = 3
GROUPS_PER_ROUND = 24  # x 2 target locales
STRINGS = 400
TIME_LIMIT = 110.0  # seconds for the whole run, process starts included


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


@dataclass
class Figures:
    """What happened, for the printout."""

    worker_kills: int = 0
    redis_restarts: int = 0
    api_restarts: int = 0
    submit_retries: int = 0
    log: list[str] = field(default_factory=list)


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"{what}: not within {timeout:.0f}s"
        time.sleep(0.2)


def catalogue(group: int) -> dict[str, str]:
    return {f"k{i}": f"Hello {{name}}, item {group}-{i} is ready to save." for i in range(STRINGS)}


@pytest.fixture
def receiver(tmp_path: Path) -> Iterator[Receiver]:
    with https_receiver(tmp_path) as running:
        yield running


def test_kill_9_workers_redis_and_the_api_loses_no_job_and_no_webhook(
    tmp_path: Path,
    postgres_databases: PostgresDatabases,
    redis_server: RedisServer,
    receiver: Receiver,
    request: pytest.FixtureRequest,
) -> None:
    started = time.monotonic()
    rng = random.Random(int(os.environ.get("DRAGOMAN_CHAOS_SEED", "9")))
    pg_url = postgres_databases.fresh()
    env = {
        **os.environ,
        "PYTHONUNBUFFERED": "1",
        "DRAGOMAN_DATA_DIR": str(tmp_path / "data"),
        "DRAGOMAN_DATABASE_URL": pg_url,
        "DRAGOMAN_BROKER_URL": redis_server.url,
        "DRAGOMAN_BLOB_PATH_SHARED": "true",  # one machine: every worker sees the blob path
        "DRAGOMAN_DEFAULT_ENGINE_PROVIDER": "pseudo",
        "DRAGOMAN_LEASE_SECONDS": "3",
        "DRAGOMAN_SWEEP_INTERVAL_SECONDS": "0.5",
        "DRAGOMAN_REDISPATCH_GRACE_SECONDS": "2",
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
    figures = Figures()
    groups: dict[str, int] = {}  # group id -> catalogue number

    def submit(group: int) -> None:
        """Submit until accepted; a request cut off by a killed API is retried under the
        same idempotency key, so it is accepted once whatever happened to the first try."""
        body = {
            "sourceLocale": "en",
            "targetLocales": ["de", "fr"],
            "data": catalogue(group),
            "callbackUrl": receiver.url("/hooks"),
            "idempotencyKey": f"chaos-{group}",
        }
        for _ in range(200):
            try:
                response = httpx.post(
                    f"{api.base}/jobs/localization", json=body, headers=headers, timeout=10
                )
            except httpx.HTTPError:
                figures.submit_retries += 1
                time.sleep(0.1)
                continue
            assert response.status_code in (200, 202), response.text
            groups[response.json()["groupId"]] = group
            return
        raise AssertionError(f"group {group} was never accepted")

    def submit_all(batch: range) -> None:
        for group in batch:
            submit(group)

    def final_count() -> int:
        with db.read() as conn:
            return int(
                conn.execute(
                    select(func.count()).where(jobs.c.status.in_(["completed", "failed"]))
                ).scalar_one()
            )

    def busy_workers() -> list[WorkerProcess]:
        with db.read() as conn:
            owners = [r.lease_owner or "" for r in conn.execute(select(jobs.c.lease_owner))]
        return [w for w in workers if w.proc and any(f":{w.proc.pid}:" in o for o in owners)]

    def kill_a_worker() -> None:
        """SIGKILL a worker, one that holds a job when there is one within a second."""
        deadline = time.monotonic() + 1.0
        while not (busy := busy_workers()) and time.monotonic() < deadline:
            time.sleep(0.02)
        victim = rng.choice(busy or workers)
        victim.kill()
        figures.worker_kills += 1
        time.sleep(rng.uniform(0.2, 1.0))
        victim.start()

    def restart_redis() -> None:
        redis_server.kill()  # every message, acknowledgement set and subscriber is gone
        figures.redis_restarts += 1
        time.sleep(rng.uniform(0.5, 1.5))
        redis_server.start()

    def restart_api() -> None:
        api.kill()
        figures.api_restarts += 1
        api.start("--no-worker")

    # Round by round: submissions run on a thread while the chaos happens beside them.
    chaos_by_round: list[list[Callable[[], None]]] = [
        [kill_a_worker, kill_a_worker],
        [restart_redis, kill_a_worker],
        [restart_api, kill_a_worker, kill_a_worker],
    ]
    try:
        for worker in workers:
            worker.start()
        for number in range(ROUNDS):
            batch = range(number * GROUPS_PER_ROUND, (number + 1) * GROUPS_PER_ROUND)
            submitter = threading.Thread(target=submit_all, args=(batch,))
            submitter.start()
            for act in chaos_by_round[number]:
                time.sleep(rng.uniform(0.3, 1.5))
                act()
                figures.log.append(f"round {number + 1}: {act.__name__}")
            submitter.join(60)
            assert not submitter.is_alive(), "submissions hung"
        total = ROUNDS * GROUPS_PER_ROUND
        assert len(groups) == total
        remaining = TIME_LIMIT - (time.monotonic() - started)
        wait_until(lambda: final_count() >= total * 2, remaining, "every job final")
        jobs_done = time.monotonic() - started
        remaining = TIME_LIMIT - (time.monotonic() - started)
        wait_until(
            lambda: len({r.headers["webhook-id"] for r in receiver.on("/hooks")}) >= total * 3,
            max(remaining, 5.0),
            "every final event delivered",
        )
        stopped = [worker.stop() for worker in workers]
    finally:
        for worker in workers:
            worker.stop()
        api.stop()
    elapsed = time.monotonic() - started

    assert stopped == [0] * WORKERS, "SIGTERM stops a worker cleanly"
    with db.read() as conn:
        rows = conn.execute(
            select(jobs.c.id, jobs.c.group_id, jobs.c.status, jobs.c.output, jobs.c.attempts)
        ).all()

        def per(kind: str, column: str) -> dict[str, int]:
            subject = events.c.job_id if column == "job" else events.c.group_id
            query = select(subject, func.count()).where(events.c.type == kind).group_by(subject)
            return {str(k): int(v) for k, v in conn.execute(query).all()}

        completed, started_events = per("job.completed", "job"), per("job.started", "job")
        group_done = per("group.completed", "group")
        final_events = {
            r.id: (r.type, r.job_id or r.group_id)
            for r in conn.execute(
                select(events.c.id, events.c.type, events.c.job_id, events.c.group_id).where(
                    events.c.type.in_(["job.completed", "group.completed"])
                )
            )
        }
        event_ids = [r.id for r in conn.execute(select(events.c.id))]

    total = ROUNDS * GROUPS_PER_ROUND
    assert len(rows) == total * 2, "one group per idempotency key, two jobs each"
    assert {r.status for r in rows} == {"completed"}
    for row in rows:
        group = groups[row.group_id]
        output = json.loads(row.output)
        assert list(output) == list(catalogue(group))
        for i, text in enumerate(output.values()):
            assert text.startswith("[Ĥéĺĺó {name}") and f"{group}-{i} " in text, text
    assert set(completed) == {r.id for r in rows}
    assert set(completed.values()) == {1}, "each output is written (and announced) once"
    assert set(started_events.values()) == {1}
    assert set(group_done) == set(groups) and set(group_done.values()) == {1}
    assert len(event_ids) == len(set(event_ids)), "event ids are unique"
    assert max(r.attempts for r in rows) > 1, "some job was re-run after its worker died"

    by_id: dict[str, set[tuple[str, str]]] = {}
    deliveries = receiver.on("/hooks")
    for delivery in deliveries:
        payload = delivery.json()
        subject = payload["data"].get("id") or payload["data"]["groupId"]
        by_id.setdefault(delivery.headers["webhook-id"], set()).add((payload["type"], subject))
    assert set(by_id) == set(final_events), "each final event delivered, under its own id"
    for webhook_id, subjects in by_id.items():
        assert subjects == {final_events[webhook_id]}, "one webhook-id never names two events"

    print(
        f"\nchaos: {total * 2} jobs in {total} groups, {elapsed:.1f}s in all "
        f"(every job final at {jobs_done:.1f}s); {figures.worker_kills} worker kills, "
        f"{sum(w.starts for w in workers)} worker starts, {figures.redis_restarts} Redis "
        f"restarts, {figures.api_restarts} API restarts, {figures.submit_retries} submit "
        f"retries; {sum(r.attempts > 1 for r in rows)} jobs re-run, max attempts "
        f"{max(r.attempts for r in rows)}; {len(deliveries)} webhook deliveries for "
        f"{len(final_events)} final events ({len(deliveries) - len(by_id)} repeats)\n  "
        + "; ".join(figures.log)
    )
    assert elapsed < TIME_LIMIT + 10, f"the run took {elapsed:.0f}s"
