"""Resuming after `lastEventId` on PostgreSQL never misses an event that committed late with
a lower seq (issue 9, section 2): two concurrent transactions, the second committing first."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import Connection, insert, select
from websockets.asyncio.client import ClientConnection, connect

from dragoman.delivery.hub import EventHub, Subscription, read_after, safe_seq
from dragoman.ids import new_id
from dragoman.settings import Settings
from dragoman.store.db import Database
from dragoman.store.tables import api_keys, events
from dragoman.timefmt import utcnow
from tests.apptools import running_api
from tests.conftest import PostgresDatabases

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_url(postgres_databases: PostgresDatabases) -> str:
    return postgres_databases.fresh()


def add_event(conn: Connection, org_id: str, name: str) -> tuple[str, int]:
    event_id = new_id("evt")
    seq = conn.execute(
        insert(events)
        .values(
            id=event_id,
            org_id=org_id,
            group_id=None,
            job_id=None,
            type="group.completed",
            payload={"status": name},
            created_at=utcnow(),
        )
        .returning(events.c.seq)
    ).scalar_one()
    return event_id, int(seq)


@contextmanager
def late_and_early(db: Database, org_id: str) -> Iterator[tuple[str, str, Callable[[], None]]]:
    """Event `late` takes the lower seq in a transaction left open; event `early` takes the
    next one and commits at once. Yields both ids and a function that commits `late`."""
    slow = db.engine.connect()
    transaction = slow.begin()
    try:
        late, late_seq = add_event(slow, org_id, "late")
        with db.engine.begin() as fast:
            early, early_seq = add_event(fast, org_id, "early")
        assert early_seq > late_seq
        yield late, early, transaction.commit
    finally:
        if transaction.is_active:
            transaction.rollback()
        slow.close()


def test_a_reader_resuming_after_what_it_read_misses_nothing(pg_url: str) -> None:
    db = Database(pg_url)
    try:
        with db.read() as conn:
            cursor = safe_seq(conn)
        got: list[str] = []
        with late_and_early(db, "org_r") as (late, early, commit_late):
            with db.read() as conn:
                first = read_after(conn, cursor)
            got += [e.id for e in first]
            cursor = first[-1].seq if first else cursor  # what a client keeps as lastEventId
            assert got == [], "nothing above a seq that may still commit"
            commit_late()
        with db.read() as conn:
            got += [e.id for e in read_after(conn, cursor)]
        assert got == [late, early]
    finally:
        db.dispose()


def test_a_reader_does_not_wait_for_a_transaction_that_has_ended(pg_url: str) -> None:
    db = Database(pg_url)
    try:
        with db.write() as conn:
            _, seq = add_event(conn, "org_r", "one")
        with db.read() as conn:
            assert safe_seq(conn, wait=0.0) == seq
    finally:
        db.dispose()


async def test_the_hub_hands_events_out_in_seq_order_only(pg_url: str) -> None:
    db = Database(pg_url)
    hub = EventHub(db, poll_interval=60, settle_wait=0.2)
    await hub.start()
    sub = Subscription("org_h", groups=None)
    hub.add(sub)
    try:
        with late_and_early(db, "org_h") as (late, early, commit_late):
            await hub.poll()
            assert sub.queue.empty(), "the early event waits for the late one"
            commit_late()
        await hub.poll()
        got = [sub.queue.get_nowait() for _ in range(sub.queue.qsize())]
        assert [e.id for e in got if e is not None] == [late, early]
    finally:
        await hub.stop()
        db.dispose()


async def recv(ws: ClientConnection, wait: float) -> dict[str, Any]:
    return json.loads(await asyncio.wait_for(ws.recv(), wait))  # type: ignore[no-any-return]


async def test_a_websocket_client_that_resumes_gets_the_late_event(
    pg_url: str, settings_factory: Callable[..., Settings]
) -> None:
    settings = settings_factory(pg_url, ws_poll_interval_seconds=0.1)
    with running_api(settings, run_workers=False) as api:
        key = api.new_key()
        with api.services.db.read() as conn:
            org_id = conn.execute(select(api_keys.c.org_id)).scalar_one()
        url = str(api.client.base_url).replace("http://", "ws://") + "/ws"
        headers = {"X-API-Key": key}
        last = 0
        seen: list[str] = []
        with late_and_early(api.services.db, org_id) as (_, _, commit_late):
            async with connect(url, additional_headers=headers) as ws:
                await ws.send(json.dumps({"action": "subscribe", "all": True, "lastEventId": 0}))
                assert (await recv(ws, 10))["type"] == "subscribed"
                try:
                    while True:  # whatever arrives live before the client goes away
                        message = await recv(ws, 3.0)
                        seen.append(message["data"]["status"])
                        last = message["id"]
                except TimeoutError:
                    pass
            commit_late()
        async with connect(url, additional_headers=headers) as ws:
            await ws.send(json.dumps({"action": "subscribe", "all": True, "lastEventId": last}))
            assert (await recv(ws, 10))["type"] == "subscribed"
            while len(seen) < 2:
                seen.append((await recv(ws, 10))["data"]["status"])
        assert seen == ["late", "early"], "every event once, in seq order, none skipped"
