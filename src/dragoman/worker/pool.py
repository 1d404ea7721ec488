"""A worker process's moving parts: consumer threads, lease renewal, the sweeper."""

from __future__ import annotations

import logging
import os
import socket
import threading

from dragoman.core import quoting, transitions
from dragoman.delivery.buses.base import EventBus
from dragoman.engines.registry import EnginePool
from dragoman.ids import new_id
from dragoman.settings import Settings
from dragoman.store.blobs.base import BlobStore
from dragoman.store.db import Database
from dragoman.worker import memory
from dragoman.worker.dispatchers.base import Dispatcher
from dragoman.worker.pipeline import JobRunner
from dragoman.worker.quoting import Analyzer
from dragoman.worker.sweeper import Sweeper

log = logging.getLogger(__name__)


def worker_identity() -> str:
    """Who holds a lease: host, pid and a random suffix (pids are reused after restarts)."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{new_id('w', 6)}"


class WorkerPool:
    """Runs jobs from `dispatcher` on `concurrency` threads, renewing leases as it goes."""

    def __init__(
        self,
        db: Database,
        dispatcher: Dispatcher,
        engines: EnginePool,
        settings: Settings,
        *,
        sweep: bool = True,
        bus: EventBus | None = None,
        blobs: BlobStore | None = None,
    ) -> None:
        self.db = db
        self.dispatcher = dispatcher
        self.settings = settings
        self.runner = JobRunner(
            db,
            engines,
            settings,
            worker_identity(),
            bus=bus,
            blobs=blobs,
            redispatch=dispatcher.dispatch,
        )
        self.analyzer = Analyzer(
            db,
            settings,
            self.runner.owner,
            blobs=blobs,
            bus=bus,
            redispatch=dispatcher.dispatch,
        )
        self.sweeper = Sweeper(db, dispatcher, settings, blobs, bus) if sweep else None
        self._stop = threading.Event()
        self._heartbeat: threading.Thread | None = None

    def start(self) -> None:
        memory.keep_large_buffers_in_mmap()
        self.dispatcher.start_consuming(self.handle, self.settings.worker_concurrency)
        self._heartbeat = threading.Thread(target=self._renew, name="dragoman-leases", daemon=True)
        self._heartbeat.start()
        if self.sweeper is not None:
            self.sweeper.start()

    def handle(self, job_id: str) -> None:
        """Run a dispatched job: a quote-first job's analysis, or its translation (whose end
        settles its project in the same commit)."""
        with self.db.read() as conn:
            where = quoting.route(conn, job_id)
        if where.analyze:
            self.analyzer.run(job_id)
            return
        self.runner.run(job_id)

    def _renew(self) -> None:
        interval = self.settings.lease_seconds / 3
        while not self._stop.wait(interval):
            held = self.runner.held() + self.analyzer.held()  # the same owner claims both
            if not held:
                continue
            try:
                with self.db.write() as conn:
                    lost = transitions.renew(
                        conn, held, self.runner.owner, self.settings.lease_seconds
                    )
                if lost:
                    log.warning("leases lost on %s", sorted(lost))
            except Exception:  # renewal retries on the next tick; the lease outlives one miss
                log.exception("lease renewal failed")

    def stop(self, timeout: float = 10.0) -> None:
        """Stop sweeping, let running jobs finish for up to `timeout` seconds while their
        leases are still renewed, then stop renewing."""
        if self.sweeper is not None:
            self.sweeper.stop()
        self.dispatcher.stop(timeout)
        self._stop.set()
        if self._heartbeat is not None:
            self._heartbeat.join(5)
