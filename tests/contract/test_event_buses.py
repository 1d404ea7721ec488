"""One suite over every event bus: in-process (memory) and Redis pub/sub."""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable, Iterator

import pytest

from dragoman.delivery.buses.base import EventBus
from dragoman.delivery.buses.memory import MemoryBus
from tests.services import REDIS_URL, require


def make_memory(channel: str) -> EventBus:
    return MemoryBus()


def make_redis(channel: str) -> EventBus:
    require("Redis", "127.0.0.1", 6379)
    from dragoman.delivery.buses.redis import RedisBus

    return RedisBus(REDIS_URL, channel=channel)


@pytest.fixture(
    params=[make_memory, pytest.param(make_redis, marks=pytest.mark.redis)], ids=["memory", "redis"]
)
def make_bus(request: pytest.FixtureRequest) -> Iterator[Callable[[], EventBus]]:
    """Buses on one private channel (a fresh one per test: tests never hear each other)."""
    channel = f"dragoman:test:{secrets.token_hex(6)}"
    made: list[EventBus] = []

    def make() -> EventBus:
        bus: EventBus = request.param(channel)
        made.append(bus)
        return bus

    yield make
    for bus in made:
        bus.close()


def wait_for(event: threading.Event, timeout: float = 5.0) -> bool:
    return event.wait(timeout)


def test_notify_wakes_a_subscriber(make_bus: Callable[[], EventBus]) -> None:
    bus = make_bus()
    woken = threading.Event()
    bus.subscribe(woken.set)
    time.sleep(0.1)  # a Redis subscription takes a moment to be in place
    bus.notify()
    assert wait_for(woken)


def test_unsubscribed_listener_is_not_called(make_bus: Callable[[], EventBus]) -> None:
    bus = make_bus()
    calls: list[str] = []
    stay = threading.Event()
    unsubscribe = bus.subscribe(lambda: calls.append("gone"))
    bus.subscribe(stay.set)
    unsubscribe()
    time.sleep(0.1)
    bus.notify()
    assert wait_for(stay)
    time.sleep(0.2)
    assert calls == []


def test_a_broken_listener_does_not_silence_others(make_bus: Callable[[], EventBus]) -> None:
    bus = make_bus()
    woken = threading.Event()

    def broken() -> None:
        raise RuntimeError("listener bug")

    bus.subscribe(broken)
    bus.subscribe(woken.set)
    time.sleep(0.1)
    bus.notify()
    assert wait_for(woken)


@pytest.mark.redis
def test_redis_carries_wake_ups_between_separate_buses() -> None:
    """Two RedisBus objects stand for two processes: the API's and a worker's."""
    channel = f"dragoman:test:{secrets.token_hex(6)}"
    api_side, worker_side = make_redis(channel), make_redis(channel)
    try:
        woken = threading.Event()
        api_side.subscribe(woken.set)
        time.sleep(0.2)
        worker_side.notify()
        assert wait_for(woken)
    finally:
        api_side.close()
        worker_side.close()
