"""In-process dispatch: per-organization lanes feeding worker threads, for the one-machine
default. Threads take from the lanes in turn, so one organization's backlog of a thousand jobs
does not keep another's single job waiting behind it."""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict, deque
from collections.abc import Sequence

from dragoman.worker.dispatchers.base import Dispatcher, JobHandler

log = logging.getLogger(__name__)


class EmbeddedDispatcher(Dispatcher):
    """Job ids wait in one lane per tenant; this process's worker threads serve the lanes
    round-robin, one job at a time."""

    def __init__(self) -> None:
        self._lanes: OrderedDict[str | None, deque[str]] = OrderedDict()
        self._ready = threading.Condition()
        self._stopping = False
        self._threads: list[threading.Thread] = []

    def dispatch(self, job_ids: Sequence[str], *, tenant: str | None = None) -> None:
        if not job_ids:
            return
        with self._ready:
            lane = self._lanes.get(tenant)
            if lane is None:
                lane = self._lanes[tenant] = deque()
            lane.extend(job_ids)
            self._ready.notify(len(job_ids))

    def start_consuming(self, handler: JobHandler, concurrency: int) -> None:
        self._stopping = False
        for index in range(concurrency):
            thread = threading.Thread(
                target=self._consume, args=(handler,), name=f"dragoman-worker-{index}", daemon=True
            )
            thread.start()
            self._threads.append(thread)

    def _next(self) -> str | None:
        """The next job id, taking lanes in turn; None once stopping."""
        with self._ready:
            while not self._lanes and not self._stopping:
                self._ready.wait()
            if self._stopping:
                return None
            tenant, lane = next(iter(self._lanes.items()))
            job_id = lane.popleft()
            del self._lanes[tenant]  # to the back of the line, if it has more
            if lane:
                self._lanes[tenant] = lane
            return job_id

    def _consume(self, handler: JobHandler) -> None:
        while (job_id := self._next()) is not None:
            try:
                handler(job_id)
            except Exception:  # a crash here must not kill the thread; the sweeper retries
                log.exception("worker failed on job %s", job_id)

    def stop(self, timeout: float = 10.0) -> None:
        """Let running jobs finish (up to `timeout`); queued ones stay queued in the database
        and are dispatched again when a process starts."""
        with self._ready:
            self._stopping = True
            self._ready.notify_all()
        for thread in self._threads:
            thread.join(timeout)
        self._threads.clear()

    @property
    def backlog(self) -> int:
        """Job ids waiting for a thread."""
        with self._ready:
            return sum(len(lane) for lane in self._lanes.values())
