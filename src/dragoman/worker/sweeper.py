"""The sweeper: re-dispatches work that waited too long or whose worker died, and records a
project's `project.finished` should its last job's end ever have missed it."""

from __future__ import annotations

import logging
import threading
import time
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, or_, select, update

from dragoman.core.quoting import settle_stranded
from dragoman.core.review_sweep import approve_due
from dragoman.core.states import LEASED
from dragoman.core.status import JobStatus
from dragoman.delivery.buses.base import EventBus
from dragoman.settings import Settings
from dragoman.store.blobs.base import BlobStore
from dragoman.store.db import Database
from dragoman.store.tables import jobs
from dragoman.timefmt import utcnow
from dragoman.worker.dispatchers.base import Dispatcher
from dragoman.worker.retention import apply_retention

log = logging.getLogger(__name__)
SWEEP_BATCH = 1000


class Sweeper:
    """Finds stale queued jobs and expired leases and dispatches them again."""

    def __init__(
        self,
        db: Database,
        dispatcher: Dispatcher,
        settings: Settings,
        blobs: BlobStore | None = None,
        bus: EventBus | None = None,
    ) -> None:
        self.db = db
        self.dispatcher = dispatcher
        self.settings = settings
        self.blobs = blobs  # retention deletes files with their rows
        self.bus = bus  # wakes the deliverer when a missed event was recorded
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def sweep_once(self, *, everything_queued: bool = False) -> int:
        """Dispatch what is due; `everything_queued` after a start, when an in-process queue
        was lost with the previous process. Returns how many jobs were dispatched."""
        # Read the broker's queue before the database: a job dispatched after this moment is
        # compared with a head that was already there, never with a later one.
        waiting_since = self.dispatcher.waiting_since()
        now = utcnow()
        if waiting_since is not None:
            cutoff = waiting_since - timedelta(seconds=self.settings.redispatch_grace_seconds)
        else:
            cutoff = now - timedelta(seconds=self.settings.requeue_after_seconds)
        query = due_jobs(now, cutoff, everything_queued)
        with self.db.write() as conn:
            ids = [r.id for r in conn.execute(query)]
            if ids:
                conn.execute(update(jobs).where(jobs.c.id.in_(ids)).values(dispatched_at=now))
        if ids:
            log.info("sweeper re-dispatching %d job(s)", len(ids))
            self.dispatcher.dispatch(ids)
        return len(ids)

    def settle_projects(self) -> int:
        """Record `project.finished` for projects whose jobs all ended without it; how many."""
        with self.db.write() as conn:
            settled = settle_stranded(conn, SWEEP_BATCH)
        if settled:
            log.info("sweeper recorded %d missed project.finished event(s)", settled)
            if self.bus is not None:
                self.bus.notify()
        return settled

    def start(self) -> None:
        """Sweep everything once, then every `sweep_interval_seconds` on a thread."""
        self._thread = threading.Thread(target=self._run, name="dragoman-sweeper", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        first = True
        retention_due = 0.0
        while not self._stop.is_set():
            if time.monotonic() >= retention_due:
                retention_due = time.monotonic() + self.settings.retention_interval_seconds
                try:
                    apply_retention(self.db, self.settings, blobs=self.blobs)
                except Exception:  # retried on the next interval
                    log.exception("retention pass failed")
            try:
                # A broker keeps its messages across our restarts; an in-process queue not.
                self.sweep_once(everything_queued=first and not self.dispatcher.durable)
                first = False
            except Exception:  # a database hiccup must not end sweeping
                log.exception("sweep failed")
            try:
                self.settle_projects()
            except Exception:  # retried on the next sweep
                log.exception("settling projects failed")
            try:
                approve_due(self.db)  # human jobs whose review time is up (a column: restart-safe)
            except Exception:  # retried on the next sweep
                log.exception("auto-approval failed")
            self._stop.wait(self.settings.sweep_interval_seconds)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(10)


def due_jobs(
    now: datetime, cutoff: datetime | float, everything_queued: bool = False
) -> Select[Any]:
    """Ids of the jobs the sweeper dispatches again (`cutoff` a time, or seconds before now).

    - A queued job dispatched before `cutoff`. With a broker that shows its queue, `cutoff` is
      the send time of the oldest message still waiting, less a grace for the gap between
      commit and send: the queue is first in, first out, so such a job's message is no longer
      in it (lost with a broker restart, or taken by a worker killed before it claimed the
      job), while a job whose message merely waits in a long queue is never sent twice. Other
      dispatchers use `now - requeue_after_seconds`.
    - A job whose lease expired (its worker died): once when the lease expires, since
      `dispatched_at` is then older than the lease; after that only when that message too
      has left the queue unclaimed (the same `cutoff`).
    """
    if not isinstance(cutoff, datetime):
        cutoff = now - timedelta(seconds=cutoff)
    # Waiting: queued for translation, or created and waiting for analysis (quote-first).
    queued: ColumnElement[bool] = jobs.c.status.in_([JobStatus.CREATED, JobStatus.QUEUED])
    if not everything_queued:
        queued = and_(queued, or_(jobs.c.dispatched_at.is_(None), jobs.c.dispatched_at < cutoff))
    expired = and_(
        jobs.c.status.in_(sorted(LEASED)),  # translating, or analyzing
        jobs.c.lease_expires_at < now,
        or_(
            jobs.c.dispatched_at.is_(None),
            jobs.c.dispatched_at < jobs.c.lease_expires_at,
            jobs.c.dispatched_at < cutoff,
        ),
    )
    # SKIP LOCKED: when many worker processes sweep at once, each row goes to one of them;
    # the others skip it and, once it commits, no longer see it as due.
    return (
        select(jobs.c.id)
        .where(or_(queued, expired))
        .limit(SWEEP_BATCH)
        .with_for_update(skip_locked=True)
    )
