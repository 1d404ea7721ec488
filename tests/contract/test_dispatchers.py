"""One contract for every dispatcher: embedded always, Dramatiq on Redis and on RabbitMQ
(required under CI). A message only says "look at job X": it must arrive, a duplicate must
be harmless, and stop() must leave nothing running."""

from __future__ import annotations

import secrets
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import func, select

from dragoman.core import orgs
from dragoman.core.submission import SubmitRequest, submit
from dragoman.engines.registry import EnginePool
from dragoman.errors import MissingExtraError, ValidationError
from dragoman.settings import Settings
from dragoman.store.db import Database
from dragoman.store.tables import events, jobs
from dragoman.worker.dispatchers.base import Dispatcher
from dragoman.worker.dispatchers.dramatiq import DramatiqDispatcher, make_broker
from dragoman.worker.dispatchers.embedded import EmbeddedDispatcher
from dragoman.worker.pool import WorkerPool
from tests.services import REDIS_URL, require

RABBITMQ_URL = "amqp://guest:guest@127.0.0.1:5672/%2F"


@dataclass
class Channel:
    """A way to carry job ids: `sender()` on the accepting side, `receiver()` on each worker
    side (the same object for the in-process queue; separate brokers for Dramatiq, as in
    separate processes)."""

    name: str
    sender: Callable[[], Dispatcher]
    receiver: Callable[[], Dispatcher]
    shared_queue: bool  # several receivers share one queue (separate processes)
    opened: list[Dispatcher] = field(default_factory=list)

    def open_sender(self) -> Dispatcher:
        made = self.sender()
        self.opened.append(made)
        return made

    def open_receiver(self) -> Dispatcher:
        made = self.receiver()
        self.opened.append(made)
        return made


def _redis_channel() -> Iterator[Channel]:
    require("Redis", "127.0.0.1", 6379)
    from dramatiq.brokers.redis import RedisBroker
    from redis import Redis

    # Our own namespace and queue in the shared Redis: nothing of anyone else is touched,
    # and everything under the namespace is deleted afterwards.
    namespace = f"dragoman-test-{secrets.token_hex(4)}"
    queue = f"q_{secrets.token_hex(4)}"

    def make() -> Dispatcher:
        broker = RedisBroker(url=REDIS_URL, middleware=[], namespace=namespace)
        return DramatiqDispatcher(REDIS_URL, queue=queue, broker=broker)

    channel = Channel("dramatiq-redis", make, make, shared_queue=True)
    yield channel
    for dispatcher in channel.opened:
        dispatcher.stop()
    client = Redis.from_url(REDIS_URL)
    try:
        keys = list(client.scan_iter(match=f"{namespace}:*", count=1000))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


def _rabbitmq_channel() -> Iterator[Channel]:
    require("RabbitMQ", "127.0.0.1", 5672)
    queue = f"dragoman_test_{secrets.token_hex(4)}"

    def make() -> Dispatcher:
        return DramatiqDispatcher(RABBITMQ_URL, queue=queue)

    channel = Channel("dramatiq-rabbitmq", make, make, shared_queue=True)
    yield channel
    for dispatcher in channel.opened:
        dispatcher.stop()
    cleaner = DramatiqDispatcher(RABBITMQ_URL, queue=queue)
    try:
        for name in (queue, f"{queue}.DQ", f"{queue}.XQ"):
            cleaner.broker.channel.queue_delete(name)
    finally:
        cleaner.stop()


def _embedded_channel() -> Iterator[Channel]:
    shared = EmbeddedDispatcher()
    channel = Channel("embedded", lambda: shared, lambda: shared, shared_queue=False)
    yield channel
    shared.stop()


CHANNELS: dict[str, Callable[[], Iterator[Channel]]] = {
    "embedded": _embedded_channel,
    "dramatiq-redis": _redis_channel,
    "dramatiq-rabbitmq": _rabbitmq_channel,
}


@pytest.fixture(
    params=[
        "embedded",
        pytest.param("dramatiq-redis", marks=pytest.mark.redis),
        "dramatiq-rabbitmq",
    ]
)
def channel(request: pytest.FixtureRequest) -> Iterator[Channel]:
    yield from CHANNELS[request.param]()


class Recorder:
    """A handler that records what it was asked to look at, and when."""

    def __init__(self, fail_on: set[str] | None = None) -> None:
        self.seen: Counter[str] = Counter()
        self.arrived: dict[str, float] = {}
        self.fail_on = fail_on or set()
        self.lock = threading.Lock()

    def __call__(self, job_id: str) -> None:
        with self.lock:
            self.seen[job_id] += 1
            self.arrived.setdefault(job_id, time.monotonic())
        if job_id in self.fail_on:
            raise RuntimeError(f"handler failed on {job_id} on purpose")

    def wait_for(self, ids: set[str], timeout: float = 15) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if ids <= set(self.seen):
                    return
            time.sleep(0.01)
        missing = ids - set(self.seen)
        raise AssertionError(
            f"{len(missing)} of {len(ids)} ids never arrived: {sorted(missing)[:5]}"
        )


def ids(count: int) -> list[str]:
    return [f"ljb_{secrets.token_hex(8)}" for _ in range(count)]


def test_dispatched_ids_reach_the_handler(channel: Channel) -> None:
    receiver = channel.open_receiver()
    recorder = Recorder()
    receiver.start_consuming(recorder, 2)
    sent = ids(5)
    channel.open_sender().dispatch(sent)
    recorder.wait_for(set(sent))
    assert all(recorder.seen[i] == 1 for i in sent)


def test_many_ids_arrive_with_bounded_latency(channel: Channel) -> None:
    receiver = channel.open_receiver()
    recorder = Recorder()
    receiver.start_consuming(recorder, 4)
    sender = channel.open_sender()
    time.sleep(0.3)  # let an idle consumer settle into its longest poll interval
    sent = ids(500)
    started = time.monotonic()
    sender.dispatch(sent)
    recorder.wait_for(set(sent), timeout=20)
    elapsed = max(recorder.arrived.values()) - started
    first = min(recorder.arrived.values()) - started
    assert first < 2.0, f"first id took {first:.2f}s"
    assert elapsed < 10.0, f"500 ids took {elapsed:.2f}s"


def test_a_failing_handler_does_not_stop_consumption(channel: Channel) -> None:
    receiver = channel.open_receiver()
    bad = ids(3)
    recorder = Recorder(fail_on=set(bad))
    receiver.start_consuming(recorder, 1)
    good = ids(3)
    channel.open_sender().dispatch([*bad, *good])
    recorder.wait_for(set(bad) | set(good))
    time.sleep(0.3)
    assert all(recorder.seen[i] == 1 for i in bad), "a failed id must not be retried by the broker"


def test_stop_is_clean_and_nothing_arrives_after_it(channel: Channel) -> None:
    before = set(threading.enumerate())
    receiver = channel.open_receiver()
    recorder = Recorder()
    receiver.start_consuming(recorder, 3)
    first = ids(3)
    sender = channel.open_sender()
    sender.dispatch(first)
    recorder.wait_for(set(first))
    receiver.stop()
    time.sleep(0.2)
    leftover = [t for t in set(threading.enumerate()) - before if t.is_alive()]
    assert leftover == [], f"threads left running after stop(): {leftover}"
    if channel.shared_queue:
        later = ids(2)
        sender.dispatch(later)
        time.sleep(0.5)
        assert not set(later) & set(recorder.seen)


def test_a_sender_alone_needs_no_consumer_and_stops_cleanly(channel: Channel) -> None:
    sender = channel.open_sender()
    sender.dispatch(ids(2))
    sender.stop()
    sender.stop()  # twice is harmless


def test_receivers_in_separate_processes_share_one_queue(channel: Channel) -> None:
    if not channel.shared_queue:
        pytest.skip("the in-process queue belongs to one process")
    recorders = [Recorder(), Recorder()]
    for recorder in recorders:
        channel.open_receiver().start_consuming(recorder, 2)
    sent = ids(200)
    channel.open_sender().dispatch(sent)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if set(sent) <= set(recorders[0].seen) | set(recorders[1].seen):
            break
        time.sleep(0.02)
    together = recorders[0].seen + recorders[1].seen
    assert set(sent) <= set(together)
    assert all(together[i] == 1 for i in sent), "each message goes to one receiver"
    assert recorders[0].seen and recorders[1].seen, "both receivers take work"


# --- duplicates are harmless: real jobs, real workers, a duplicated message ----------------


def test_duplicate_messages_run_a_job_once(
    channel: Channel, sqlite_url: str, settings_factory: Callable[..., Settings]
) -> None:
    settings = settings_factory(sqlite_url)
    db = Database(sqlite_url)
    engines = EnginePool(settings)
    receiver = channel.open_receiver()
    pool = WorkerPool(db, receiver, engines, settings, sweep=False)
    try:
        with db.write() as conn:
            org = orgs.get_or_create_org(conn, "dup")
            job_ids = submit(
                conn,
                org,
                SubmitRequest("en", ["de", "fr"], {"a": "Hello", "b": "World"}),
                settings,
            ).job_ids
        pool.start()
        sender = channel.open_sender()
        for _ in range(3):
            sender.dispatch(job_ids)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            with db.read() as conn:
                states = [r.status for r in conn.execute(select(jobs.c.status))]
            if states == ["completed", "completed"]:
                break
            time.sleep(0.05)
        assert states == ["completed", "completed"]
        time.sleep(0.3)  # the duplicates arrive and find nothing to do
        with db.read() as conn:
            done = conn.execute(
                select(events.c.job_id, func.count())
                .where(events.c.type.in_(["job.completed", "job.started"]))
                .group_by(events.c.job_id, events.c.type)
            ).all()
            attempts = [r.attempts for r in conn.execute(select(jobs.c.attempts))]
        assert sorted(n for _, n in done) == [1, 1, 1, 1]
        assert attempts == [1, 1]
    finally:
        pool.stop()
        engines.close()
        db.dispose()


# --- Dramatiq-specific: an unreachable broker, a missing extra, a bad URL ------------------


def test_dramatiq_dispatch_to_an_unreachable_broker_leaves_the_job_to_the_sweeper(
    caplog: pytest.LogCaptureFixture,
) -> None:
    from tests.apptools import free_port

    dispatcher = DramatiqDispatcher(f"redis://127.0.0.1:{free_port()}/0", queue="nowhere")
    try:
        started = time.monotonic()
        dispatcher.dispatch(ids(3))  # must not raise: the jobs are already committed
        assert time.monotonic() - started < 10
    finally:
        dispatcher.stop()
    assert "left for the sweeper" in caplog.text


def test_a_missing_broker_extra_names_its_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "pika", None)
    monkeypatch.delitem(sys.modules, "dramatiq.brokers.rabbitmq", raising=False)
    with pytest.raises(MissingExtraError, match=r"install dragoman\[rabbitmq\]"):
        make_broker("amqp://guest:guest@127.0.0.1:5672/")


def test_an_unknown_broker_scheme_is_refused() -> None:
    with pytest.raises(ValidationError, match="redis://"):
        make_broker("kafka://127.0.0.1:9092")


def test_building_a_dispatcher_connects_to_nothing() -> None:
    dispatcher: Any = DramatiqDispatcher("redis://127.0.0.1:1/0")
    assert dispatcher._broker is None and dispatcher._actor is None
    dispatcher.stop()
