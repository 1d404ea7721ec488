"""A revoked API key stops working everywhere within a second (issue 9, section 2): the key
cache follows revocations through the event bus, distrusts itself while the bus is down,
and `dragoman keys revoke` reaches separate API processes."""

from __future__ import annotations

import asyncio
import os
import secrets
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select, update

from dragoman.core import orgs
from dragoman.core.orgs import KeyCache, Organization
from dragoman.delivery.buses.memory import MemoryBus
from dragoman.delivery.buses.redis import RedisBus
from dragoman.errors import AuthenticationError, NotFoundError, ValidationError
from dragoman.store.db import Database
from dragoman.store.tables import api_keys
from tests.acceptance.serverproc import ServerProcess, cli
from tests.conftest import PostgresDatabases
from tests.processes import RedisServer

ORG = Organization("org_1", "one")
REVOKED = orgs.RevokedKey("key_1", ORG.id, "dgm_k", orgs.hash_key("dgm_k"))


def wait_until(condition: Callable[[], bool], timeout: float) -> float:
    """Seconds until `condition()` held; fails the test after `timeout`."""
    started = time.monotonic()
    while not condition():
        assert time.monotonic() - started < timeout, f"not within {timeout}s"
        time.sleep(0.01)
    return time.monotonic() - started


def test_revoke_key_by_id_prefix_or_key(database_url: str) -> None:
    db = Database(database_url)
    try:
        with db.write() as conn:
            org = orgs.get_or_create_org(conn, "revoking")
            keys = [orgs.create_key(conn, org.id) for _ in range(3)]
            key_id = conn.execute(
                select(api_keys.c.id).where(api_keys.c.key_hash == orgs.hash_key(keys[2]))
            ).scalar_one()
        with db.write() as conn:
            assert [k.hint for k in orgs.revoke_key(conn, keys[0])] == [keys[0][:8]]
        with db.write() as conn:
            by_prefix = orgs.revoke_key(conn, keys[1][:8])
            assert [k.key_hash for k in by_prefix] == [orgs.hash_key(keys[1])]
        with db.write() as conn:
            assert [k.id for k in orgs.revoke_key(conn, key_id)] == [key_id]
        with db.write() as conn, pytest.raises(NotFoundError):
            orgs.revoke_key(conn, key_id)  # a revoked key is not matched again
        for bad in ("nonsense", "dgm_", "dgm_ab"):
            with db.write() as conn, pytest.raises(ValidationError):
                orgs.revoke_key(conn, bad)
        with db.read() as conn:
            for revoked in keys:
                with pytest.raises(AuthenticationError):
                    orgs.authenticate(conn, revoked)
    finally:
        db.dispose()


def test_a_prefix_two_live_keys_share_is_refused(database_url: str) -> None:
    db = Database(database_url)
    try:
        with db.write() as conn:
            org = orgs.get_or_create_org(conn, "twins")
            one = orgs.create_key(conn, org.id)
            two = orgs.create_key(conn, org.id)
            conn.execute(update(api_keys).values(hint=one[:8]))  # as if both began alike
        with db.write() as conn, pytest.raises(ValidationError, match="give the key id"):
            orgs.revoke_key(conn, one[:8])
        with db.read() as conn:
            assert orgs.authenticate(conn, two).id == org.id
    finally:
        db.dispose()


def test_without_a_bus_across_processes_an_entry_lives_a_second_at_most() -> None:
    cache = KeyCache(ttl=5.0)
    cache.put("dgm_k", ORG)
    assert cache.get("dgm_k") == ORG
    time.sleep(1.05)
    assert cache.get("dgm_k") is None
    following = KeyCache(ttl=5.0)
    following.follow(MemoryBus())  # reaches this process only: the same bound
    following.put("dgm_k", ORG)
    time.sleep(1.05)
    assert following.get("dgm_k") is None


def test_a_revocation_on_the_memory_bus_evicts_at_once() -> None:
    bus = MemoryBus()
    cache = KeyCache()
    cache.follow(bus)
    cache.put("dgm_k", ORG)
    cache.put("dgm_other", ORG)
    orgs.announce_revoked(bus, [REVOKED])
    assert cache.get("dgm_k") is None
    assert cache.get("dgm_other") == ORG


async def test_a_lookup_in_flight_during_a_revocation_is_not_cached() -> None:
    bus = MemoryBus()
    cache = KeyCache()
    cache.follow(bus)
    looking = threading.Event()
    go_on = threading.Event()

    def slow_lookup() -> Organization:
        looking.set()
        go_on.wait(5)
        return ORG  # read from the database before the revocation committed

    task = asyncio.create_task(cache.resolve("dgm_k", slow_lookup))
    await asyncio.to_thread(looking.wait, 5)
    cache.evict(orgs.hash_key("dgm_k"))
    go_on.set()
    assert await task == ORG  # that request began before the revocation
    assert cache.get("dgm_k") is None, "but the next one must look again"


@pytest.mark.redis
def test_redis_bus_carries_revocations_and_distrusts_itself_when_down(
    redis_server: RedisServer,
) -> None:
    channel = f"dragoman:test:{secrets.token_hex(4)}"
    here, there = (
        RedisBus(redis_server.url, channel=channel),
        RedisBus(redis_server.url, channel=channel),
    )
    cache = KeyCache(ttl=5.0)
    try:
        cache.follow(here)
        wait_until(lambda: here.generation is not None, 5)
        cache.put("dgm_k", ORG)
        cache.put("dgm_stays", ORG)
        time.sleep(1.1)
        assert cache.get("dgm_k") == ORG, "following a bus across processes: the longer ttl"
        orgs.announce_revoked(there, [REVOKED])
        took = wait_until(lambda: cache.get("dgm_k") is None, 1.0)
        assert took < 0.5, f"evicted {took:.2f}s after the announcement"
        assert cache.get("dgm_stays") == ORG

        redis_server.kill()  # revocations published now would be lost
        wait_until(lambda: here.generation is None, 5)
        assert cache.get("dgm_stays") is None, "no trust while revocations cannot arrive"
        redis_server.start()
        wait_until(lambda: here.generation is not None, 10)
        assert cache.get("dgm_stays") is None, "nor for entries from before the outage"
        cache.put("dgm_stays", ORG)
        assert cache.get("dgm_stays") == ORG
    finally:
        cache.close()
        here.close()
        there.close()


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.slow
def test_keys_revoke_reaches_every_api_process_within_a_second(
    tmp_path: Path, postgres_databases: PostgresDatabases, redis_server: RedisServer
) -> None:
    env = {
        **os.environ,
        "PYTHONUNBUFFERED": "1",
        "DRAGOMAN_DATA_DIR": str(tmp_path),
        "DRAGOMAN_DATABASE_URL": postgres_databases.fresh(),
        "DRAGOMAN_EVENT_BUS_URL": redis_server.url,
        "DRAGOMAN_DEFAULT_ENGINE_PROVIDER": "pseudo",
    }
    made = cli(env, "keys", "create", "--org", "revoked")
    assert made.returncode == 0, made.stderr
    key = made.stdout.strip().splitlines()[-1]
    apis = [ServerProcess(env, tmp_path / f"api{i}.log").start("--no-worker") for i in range(2)]
    stop = threading.Event()
    accepted_after: list[float] = []
    revoked_at: list[float] = []

    def status(api: ServerProcess) -> int:
        response = httpx.get(
            f"{api.base}/jobs/localization/groups/ljg_missing", headers={"X-API-Key": key}
        )
        return response.status_code

    def hammer(api: ServerProcess) -> None:
        """Keep the process's cache warm, and note any success after the revocation."""
        while not stop.is_set():
            code = status(api)
            if code == 404 and revoked_at:
                accepted_after.append(time.monotonic() - revoked_at[0])
            time.sleep(0.02)

    try:
        assert [status(api) for api in apis] == [404, 404], "the key works at first"
        threads = [threading.Thread(target=hammer, args=(api,)) for api in apis]
        for thread in threads:
            thread.start()
        done = cli(env, "keys", "revoke", key[:8])
        revoked_at.append(time.monotonic())
        assert done.returncode == 0, done.stderr
        assert "revoked key_" in done.stdout
        time.sleep(1.5)
        stop.set()
        for thread in threads:
            thread.join(10)
        assert [status(api) for api in apis] == [401, 401]
    finally:
        stop.set()
        for api in apis:
            api.stop()
    latest = max(accepted_after, default=0.0)
    print(f"last request accepted {latest:.3f}s after `keys revoke` returned")
    assert latest < 1.0, f"a revoked key still worked {latest:.2f}s after revocation"
    again = cli(env, "keys", "revoke", key[:8])
    assert again.returncode == 2 and "no active API key" in again.stderr
