"""The per-process WebSocket hub: reads new rows of the events table (the source of truth)
and fans them out to subscribers, woken by the event bus and polling as a fallback.

On PostgreSQL sequence order is not commit order: a row with a lower `seq` can become visible
after a higher one. The hub therefore keeps its low-water mark at the first `seq` it has not
seen, re-reads from there, and skips a hole only once it has stayed empty for `gap_timeout`
seconds (a rolled-back transaction leaves one for good).
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

from sqlalchemy import Connection, func, select

from dragoman.delivery.buses.base import EventBus
from dragoman.store.db import Database
from dragoman.store.tables import events

log = logging.getLogger(__name__)
READ_BATCH = 1000
QUEUE_LIMIT = 10_000


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
) -> list[StoredEvent]:
    """Events with `seq > after`, in seq order, optionally for one organization and groups."""
    query = select(events).where(events.c.seq > after)
    if org_id is not None:
        query = query.where(events.c.org_id == org_id)
    if groups is not None:
        query = query.where(events.c.group_id.in_(list(groups)))
    return [_stored(r) for r in conn.execute(query.order_by(events.c.seq).limit(limit))]


class EventHub:
    """Start it on the server's event loop; `add`/`remove` subscriptions from any task."""

    def __init__(
        self,
        db: Database,
        bus: EventBus | None = None,
        *,
        poll_interval: float = 1.0,
        gap_timeout: float = 5.0,
    ) -> None:
        self.db = db
        self.bus = bus
        self.poll_interval = poll_interval
        self.gap_timeout = gap_timeout
        self.low = 0  # every seq <= low has been handled
        self._seen: set[int] = set()  # handled seqs above `low`
        self._holes: dict[int, float] = {}  # missing seq -> when first noticed
        self._subs: set[Subscription] = set()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._unsubscribe: Any = None
        self._loop: asyncio.AbstractEventLoop | None = None

    async def start(self) -> None:
        self.low = await asyncio.to_thread(self._max_seq)
        self._loop = asyncio.get_running_loop()
        if self.bus is not None:
            self._unsubscribe = self.bus.subscribe(self._notified)
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
        if self._task is not None:
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

    def _max_seq(self) -> int:
        with self.db.read() as conn:
            return int(conn.execute(select(func.max(events.c.seq))).scalar() or 0)

    async def _run(self) -> None:
        while True:
            self._wake.clear()
            try:
                await self.poll()
            except Exception:  # a database hiccup must not end the hub
                log.exception("reading events failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.poll_interval)

    async def poll(self) -> None:
        """Read what is new and hand it to subscribers (the loop calls this; tests may too)."""
        if not self._subs:  # nobody listens: skip ahead instead of reading history
            self.low, self._seen, self._holes = await asyncio.to_thread(self._max_seq), set(), {}
            return
        after = self.low
        while True:
            rows = await asyncio.to_thread(self._read, after)
            for event in rows:
                if event.seq in self._seen:
                    continue
                self._seen.add(event.seq)
                self._fan_out(event)
            if len(rows) < READ_BATCH:
                break
            after = rows[-1].seq
        self._advance()

    def _read(self, after: int) -> list[StoredEvent]:
        with self.db.read() as conn:
            return read_after(conn, after)

    def _fan_out(self, event: StoredEvent) -> None:
        for sub in list(self._subs):
            if sub.wants(event) and not sub.overflowed:
                if sub.queue.qsize() >= QUEUE_LIMIT:  # a client that does not read: drop it
                    sub.overflowed = True
                    sub.queue.put_nowait(None)
                else:
                    sub.queue.put_nowait(event)

    def _advance(self) -> None:
        now = time.monotonic()
        top = max(self._seen, default=self.low)
        while self.low < top:
            nxt = self.low + 1
            if nxt in self._seen:
                self._seen.discard(nxt)
            elif now - self._holes.setdefault(nxt, now) < self.gap_timeout:
                return  # maybe an uncommitted transaction: read from here again next time
            self._holes.pop(nxt, None)
            self.low = nxt
