"""The per-process WebSocket hub: reads new rows of the events table (the source of truth)
and fans them out to subscribers, woken by the event bus and polling as a fallback.

On PostgreSQL sequence order is not commit order: a transaction can take `seq` 10, another
take 11 and commit first, and 10 become visible later. A client that saw 11 and resumes
"after 11" would never get 10. So nothing is handed out above the *safe horizon*
(`safe_seq`): the highest `seq` that no running transaction can still commit below. Events
then appear in `seq` order, live and replayed alike, and `lastEventId` is an exact cursor.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select, text

from dragoman.delivery.buses.base import EventBus
from dragoman.store.db import Database
from dragoman.store.tables import events

log = logging.getLogger(__name__)
READ_BATCH = 1000
QUEUE_LIMIT = 10_000
SETTLE_SECONDS = 2.0  # how long a reader waits for transactions that may fill a gap
SETTLE_POLL_SECONDS = 0.005


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """An event row as subscribers see it; `seq` is the id a reconnecting client resumes from."""

    seq: int
    id: str
    org_id: str
    group_id: str | None
    job_id: str | None
    type: str
    payload: dict[str, Any]
    created_at: datetime


@dataclass(eq=False)
class Subscription:
    """One connection's interest: an organization and some of its groups (None: all)."""

    org_id: str
    groups: set[str] | None = field(default_factory=set)
    queue: asyncio.Queue[StoredEvent | None] = field(default_factory=asyncio.Queue)
    overflowed: bool = False

    def wants(self, event: StoredEvent) -> bool:
        if event.org_id != self.org_id:
            return False
        return self.groups is None or event.group_id in self.groups


def _stored(row: Any) -> StoredEvent:
    return StoredEvent(row.seq, row.id, row.org_id, row.group_id, row.job_id, row.type,
                       dict(row.payload), row.created_at)  # fmt: skip


def read_after(
    conn: Connection,
    after: int,
    *,
    org_id: str | None = None,
    groups: Sequence[str] | None = None,
    limit: int = READ_BATCH,
    upto: int | None = None,
) -> list[StoredEvent]:
    """Events with `after < seq <= upto`, in seq order, optionally for one organization and
    groups; `upto` defaults to the safe horizon, so that resuming after the last event read
    never skips one that commits later. Call it outside any write transaction."""
    if upto is None:
        upto = safe_seq(conn, after)
    query = select(events).where(events.c.seq > after, events.c.seq <= upto)
    if org_id is not None:
        query = query.where(events.c.org_id == org_id)
    if groups is not None:
        query = query.where(events.c.group_id.in_(list(groups)))
    return [_stored(r) for r in conn.execute(query.order_by(events.c.seq).limit(limit))]


_SNAPSHOT = text(
    "SELECT pg_snapshot_xmin(s)::text::bigint AS xmin, pg_snapshot_xmax(s)::text::bigint AS xmax,"
    " (SELECT coalesce(max(seq), 0) FROM events) AS top FROM pg_current_snapshot() AS s"
)
_OLDEST_RUNNING = text("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint")


def safe_seq(conn: Connection, after: int = 0, wait: float = SETTLE_SECONDS) -> int:
    """The highest seq below which no event can still appear.

    SQLite has one writer at a time, so commit order is seq order: the highest seq is safe.
    On PostgreSQL, every event with a seq up to the highest visible one, `top`, that is not
    visible yet belongs to a transaction running when `top` was read (it took its seq before
    `top` was taken, and writes earlier in the same transaction already gave it an xid). So
    once every transaction older than that snapshot's xmax has ended, `top` is safe: this
    waits for them up to `wait` seconds (they are short). Should one run longer, the answer
    is the end of the unbroken run of seqs after `after`, which nothing can still fill.
    """
    if conn.dialect.name != "postgresql":
        return int(conn.execute(select(func.max(events.c.seq))).scalar() or 0)
    snapshot = conn.execute(_SNAPSHOT).one()
    oldest, xmax, top = int(snapshot.xmin), int(snapshot.xmax), int(snapshot.top)
    deadline = time.monotonic() + wait
    while oldest < xmax:
        if time.monotonic() > deadline:
            return _unbroken_run(conn, after, top)
        time.sleep(SETTLE_POLL_SECONDS)
        oldest = int(conn.execute(_OLDEST_RUNNING).scalar_one())
    return top


def _unbroken_run(conn: Connection, after: int, top: int) -> int:
    """The last seq of the gap-free run after `after` (up to `top`)."""
    seqs = conn.execute(
        select(events.c.seq)
        .where(events.c.seq > after, events.c.seq <= top)
        .order_by(events.c.seq)
        .limit(READ_BATCH)
    ).scalars()
    last = after
    for seq in seqs:
        if seq != last + 1:
            break
        last = seq
    return last


class EventHub:
    """Start it on the server's event loop; `add`/`remove` subscriptions from any task."""

    def __init__(
        self,
        db: Database,
        bus: EventBus | None = None,
        *,
        poll_interval: float = 1.0,
        settle_wait: float = 0.5,
    ) -> None:
        self.db = db
        self.bus = bus
        self.poll_interval = poll_interval
        self.settle_wait = settle_wait
        self.low = 0  # every seq <= low has been handed out (or skipped with nobody listening)
        self._subs: set[Subscription] = set()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._unsubscribe: Any = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._closing = False
        self._polling = asyncio.Lock()

    async def start(self) -> None:
        self.low = await asyncio.to_thread(self._horizon, 0)
        self._loop = asyncio.get_running_loop()
        if self.bus is not None:
            self._unsubscribe = self.bus.subscribe(self._notified)
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
        if self._task is not None:
            # Let a read in flight finish: cancelling would leave its thread holding a
            # connection while the caller disposes of the pool.
            self._closing = True
            self._wake.set()
            try:
                await asyncio.wait_for(asyncio.shield(self._task), 5.0)
            except TimeoutError:
                self._task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._task
        for sub in self._subs:
            sub.queue.put_nowait(None)

    def _notified(self) -> None:
        if self._loop is not None:
            with contextlib.suppress(RuntimeError):  # the loop is closing
                self._loop.call_soon_threadsafe(self._wake.set)

    def add(self, sub: Subscription) -> None:
        self._subs.add(sub)

    def remove(self, sub: Subscription) -> None:
        self._subs.discard(sub)

    def _horizon(self, after: int) -> int:
        with self.db.read() as conn:
            return safe_seq(conn, after, self.settle_wait)

    async def _run(self) -> None:
        while not self._closing:
            self._wake.clear()
            try:
                await self.poll()
            except Exception:  # a database hiccup must not end the hub
                log.exception("reading events failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.poll_interval)

    async def poll(self) -> None:
        """Hand subscribers every event up to the safe horizon, in seq order (the loop calls
        this; tests may too: one poll at a time, or two would hand out the same events)."""
        async with self._polling:
            horizon = await asyncio.to_thread(self._horizon, self.low)
            if not self._subs:  # nobody listens: skip ahead instead of reading history
                self.low = max(self.low, horizon)
                return
            while self.low < horizon:
                rows = await asyncio.to_thread(self._read, self.low, horizon)
                for event in rows:
                    self._fan_out(event)
                self.low = horizon if len(rows) < READ_BATCH else rows[-1].seq

    def _read(self, after: int, upto: int) -> list[StoredEvent]:
        with self.db.read() as conn:
            return read_after(conn, after, upto=upto)

    def _fan_out(self, event: StoredEvent) -> None:
        for sub in list(self._subs):
            if sub.wants(event) and not sub.overflowed:
                if sub.queue.qsize() >= QUEUE_LIMIT:  # a client that does not read: drop it
                    sub.overflowed = True
                    sub.queue.put_nowait(None)
                else:
                    sub.queue.put_nowait(event)
