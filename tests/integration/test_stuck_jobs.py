"""Jobs stranded by a dead worker finish promptly, and jobs waiting in a healthy queue are
never sent twice (issue 9, section 2): the sweeper's rules against a real Redis broker, then
the reported scenario with `dragoman worker` processes and `kill -9`."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, update

from dragoman.settings import Settings
from dragoman.store.db import Database
from dragoman.store.tables import events, jobs
from dragoman.timefmt import utcnow
from dragoman.worker.dispatchers.dramatiq import DramatiqDispatcher, make_broker
from dragoman.worker.dispatchers.stub import StubDispatcher
from dragoman.worker.sweeper import Sweeper
from tests.acceptance.serverproc import ServerProcess, cli
from tests.apptools import Api, running_api
from tests.conftest import PostgresDatabases
from tests.processes import RedisServer
from tests.services import require


def submit_groups(api: Api, key: str, count: int) -> list[str]:
    """`count` groups of two jobs each; returns the job ids in dispatch order."""
    made: list[str] = []
    for n in range(count):
        body = {"sourceLocale": "en", "targetLocales": ["de", "fr"], "data": {"k": f"Hi {n}"}}
        response = api.post(key, body)
        assert response.status_code == 202, response.text
        made += [job["id"] for job in response.json()["jobs"]]
    return made


def job_ids_of(messages: list[Any]) -> list[str]:
    return [str(message.args[0]) for message in messages]


def take_and_die(url: str, queue: str, count: int) -> list[str]:
    """What a worker killed with -9 leaves: `count` messages fetched, never acknowledged."""
    broker = make_broker(url)
    consumer = broker.consume(queue, prefetch=count, timeout=100)
    taken: list[Any] = []
    deadline = time.monotonic() + 10
    while len(taken) < count and time.monotonic() < deadline:
        message = next(consumer)
        if message is not None:
            taken.append(message)
    broker.client.connection_pool.disconnect()
    assert len(taken) == count
    return job_ids_of(taken)


@pytest.mark.redis
def test_the_sweeper_resends_what_a_dead_worker_took_and_nothing_that_waits(
    database_url: str, redis_server: RedisServer, settings_factory: Callable[..., Settings]
) -> None:
    queue = f"q_{secrets.token_hex(4)}"
    # A long-bound of half a second: before the fix the sweeper re-sent every queued job
    # older than this, waiting or not; now that bound applies only to blind dispatchers.
    settings = settings_factory(
        database_url, requeue_after_seconds=0.5, redispatch_grace_seconds=0.5
    )
    sender = DramatiqDispatcher(redis_server.url, queue=queue)
    with running_api(settings, run_workers=False, dispatcher=sender) as api:
        key = api.new_key()
        early = submit_groups(api, key, 2)
        time.sleep(1.0)  # the queue's head will be this much younger than the early jobs
        late = submit_groups(api, key, 3)
        assert take_and_die(redis_server.url, queue, len(early)) == early

        time.sleep(0.8)  # older than requeue_after; the early ones past the grace too
        sweeper_dispatcher = DramatiqDispatcher(redis_server.url, queue=queue)
        sweeper = Sweeper(api.services.db, sweeper_dispatcher, settings)
        try:
            assert sweeper.sweep_once() == len(early), "only the stranded jobs are sent again"
            assert sweeper.sweep_once() == 0, "and only once"
        finally:
            sweeper_dispatcher.stop()
        client = sender.broker.client
        waiting_ids = client.lrange(f"dramatiq:{queue}", 0, -1)
        bodies = [client.hget(f"dramatiq:{queue}.msgs", mid) for mid in waiting_ids]
        from dramatiq import Message

        in_queue = [str(Message.decode(b).args[0]) for b in bodies]
        assert in_queue[: len(late)] == late, "each waiting job once, in order"
        assert sorted(in_queue[len(late) :]) == sorted(early), "then the stranded ones again"

        # A live worker now runs everything, each job claimed exactly once.
        worker_dispatcher = DramatiqDispatcher(redis_server.url, queue=queue)
        from dragoman.worker.pool import WorkerPool

        pool = WorkerPool(
            api.services.db, worker_dispatcher, api.services.engines, settings, sweep=False
        )
        pool.start()
        try:
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                with api.services.db.read() as conn:
                    left = conn.execute(
                        select(func.count()).where(jobs.c.status != "completed")
                    ).scalar_one()
                if left == 0:
                    break
                time.sleep(0.1)
            assert left == 0
        finally:
            pool.stop()
        with api.services.db.read() as conn:
            attempts = {r.attempts for r in conn.execute(select(jobs.c.attempts))}
        assert attempts == {1}, "no job was run twice"


@pytest.mark.redis
def test_an_empty_queue_means_every_older_message_was_taken(redis_server: RedisServer) -> None:
    queue = f"q_{secrets.token_hex(4)}"
    dispatcher = DramatiqDispatcher(redis_server.url, queue=queue)
    try:
        before = time.time()
        empty = dispatcher.waiting_since()
        assert empty is not None and empty.timestamp() >= before - 0.01
        dispatcher.dispatch(["ljb_a", "ljb_b"])
        head = dispatcher.waiting_since()
        assert head is not None and before - 0.01 <= head.timestamp() <= time.time()
        time.sleep(0.05)
        assert dispatcher.waiting_since() == head, "the head stays until someone takes it"
        redis_server.kill()
        assert dispatcher.waiting_since() is None, "a broker that is down cannot tell"
    finally:
        dispatcher.stop()


def test_a_blind_dispatcher_falls_back_to_requeue_after_and_expired_leases_go_once(
    database_url: str, settings_factory: Callable[..., Settings]
) -> None:
    settings = settings_factory(database_url, requeue_after_seconds=0.5)
    with running_api(settings, run_workers=False, dispatcher=StubDispatcher()) as api:
        key = api.new_key()
        made = submit_groups(api, key, 1)
        blind = StubDispatcher()  # cannot show its queue: waiting_since() is None
        sweeper = Sweeper(api.services.db, blind, settings)
        assert sweeper.sweep_once() == 0, "just dispatched"
        time.sleep(0.6)
        assert sweeper.sweep_once() == 2 and sorted(blind.sent) == sorted(made)
        assert sweeper.sweep_once() == 0, "sent again once, not on every sweep"

        now = utcnow()
        with api.services.db.write() as conn:  # its worker died holding it
            conn.execute(
                update(jobs)
                .where(jobs.c.id == made[0])
                .values(
                    status="translating",
                    lease_owner="dead:1:w",
                    lease_expires_at=now - timedelta(seconds=0.1),
                    dispatched_at=now - timedelta(seconds=0.2),
                )
            )
        blind.sent.clear()
        assert sweeper.sweep_once() == 1 and blind.sent == [made[0]]
        assert sweeper.sweep_once() == 0, "an expired lease is sent once when it expires"


RABBITMQ_URL = "amqp://guest:guest@127.0.0.1:5672/%2F"


@pytest.fixture
def rabbitmq_queue() -> Iterator[str]:
    """A private queue on the machine's RabbitMQ, deleted afterwards."""
    require("RabbitMQ", "127.0.0.1", 5672)
    queue = f"dragoman_test_{secrets.token_hex(4)}"
    yield queue
    cleaner = DramatiqDispatcher(RABBITMQ_URL, queue=queue)
    try:
        for name in (queue, f"{queue}.DQ", f"{queue}.XQ"):
            cleaner.broker.channel.queue_delete(name)
    finally:
        cleaner.stop()


def test_rabbitmq_shows_its_head_without_losing_or_moving_it(
    rabbitmq_queue: str, database_url: str, settings_factory: Callable[..., Settings]
) -> None:
    sender = DramatiqDispatcher(RABBITMQ_URL, queue=rabbitmq_queue)
    looker = DramatiqDispatcher(RABBITMQ_URL, queue=rabbitmq_queue)
    try:
        before = time.time()
        empty = looker.waiting_since()
        assert empty is not None and empty.timestamp() >= before - 0.01
        settings = settings_factory(database_url, requeue_after_seconds=0.5)
        with running_api(settings, run_workers=False, dispatcher=sender) as api:
            made = submit_groups(api, api.new_key(), 3)
            head = looker.waiting_since()
            assert head is not None and before - 0.01 <= head.timestamp() <= time.time()
            time.sleep(0.6)  # older than requeue_after, but waiting in a healthy queue
            assert Sweeper(api.services.db, looker, settings).sweep_once() == 0
            assert looker.waiting_since() == head
        assert looker.broker.get_queue_message_counts(rabbitmq_queue)[0] == len(made)
        seen: list[str] = []
        looker.start_consuming(seen.append, 1)
        deadline = time.monotonic() + 10
        while len(seen) < len(made) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert seen == made, "every message once, in the order sent"
    finally:
        looker.stop()
        sender.stop()


# The reported scenario, as an operator would meet it.

LEASE = 4.0
GROUPS = 75  # x 2 target locales = 150 jobs


def count_final(db: Database) -> int:
    with db.read() as conn:
        return int(
            conn.execute(
                select(func.count()).where(jobs.c.status.in_(["completed", "failed"]))
            ).scalar_one()
        )


def holds_lease(db: Database, pid: int) -> bool:
    with db.read() as conn:
        owners = [r.lease_owner for r in conn.execute(select(jobs.c.lease_owner))]
    return any(owner and f":{pid}:" in owner for owner in owners)


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.slow
def test_a_killed_workers_jobs_finish_within_the_lease_plus_15_seconds(
    tmp_path: Path, postgres_databases: PostgresDatabases, redis_server: RedisServer
) -> None:
    url = postgres_databases.fresh()
    env = {
        **os.environ,
        "PYTHONUNBUFFERED": "1",
        "DRAGOMAN_DATA_DIR": str(tmp_path),
        "DRAGOMAN_DATABASE_URL": url,
        "DRAGOMAN_BROKER_URL": redis_server.url,
        "DRAGOMAN_BLOB_PATH_SHARED": "true",
        "DRAGOMAN_DEFAULT_ENGINE_PROVIDER": "pseudo",
        "DRAGOMAN_LEASE_SECONDS": str(LEASE),
        "DRAGOMAN_DB_POOL_SIZE": "4",
    }
    made = cli(env, "keys", "create", "--org", "stuck")
    assert made.returncode == 0, made.stderr
    key = made.stdout.strip().splitlines()[-1]
    api = ServerProcess(env, tmp_path / "api.log").start("--no-worker")
    procs: list[subprocess.Popen[bytes]] = []
    db = Database(url)

    def start_worker() -> subprocess.Popen[bytes]:
        with (tmp_path / f"worker{len(procs)}.log").open("ab") as out:
            proc = subprocess.Popen(
                [sys.executable, "-m", "dragoman", "worker", "--concurrency", "2"],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        procs.append(proc)
        return proc

    try:
        victim = start_worker()
        start_worker()
        with httpx.Client(base_url=api.base, headers={"X-API-Key": key}, timeout=30) as client:
            for group in range(GROUPS):
                data = {f"k{i}": f"Hello item {group}-{i}" for i in range(40)}
                body = {"sourceLocale": "en", "targetLocales": ["de", "fr"], "data": data}
                response = client.post("/jobs/localization", json=body)
                assert response.status_code == 202, response.text
        deadline = time.monotonic() + 30
        while not holds_lease(db, victim.pid):  # kill it while it holds work
            assert time.monotonic() < deadline, "the victim never claimed a job"
            time.sleep(0.02)
        victim.send_signal(signal.SIGKILL)
        victim.wait(10)
        killed = time.monotonic()
        time.sleep(2)
        start_worker()
        bound = LEASE + 15
        while count_final(db) < GROUPS * 2 and time.monotonic() - killed < bound + 30:
            time.sleep(0.2)
        took = time.monotonic() - killed
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.terminate()
                proc.wait(20)
        api.stop()
    with db.read() as conn:
        statuses: dict[str, int] = dict(
            conn.execute(select(jobs.c.status, func.count()).group_by(jobs.c.status)).all()
        )
        started: dict[str, int] = dict(
            conn.execute(
                select(events.c.job_id, func.count())
                .where(events.c.type == "job.started")
                .group_by(events.c.job_id)
            ).all()
        )
    db.dispose()
    print(f"{GROUPS * 2} jobs, {took:.1f}s from the kill to the last final one: {statuses}")
    assert statuses == {"completed": GROUPS * 2}
    assert took < bound, f"the last job finished {took:.1f}s after the kill (bound {bound}s)"
    assert set(started.values()) == {1}
