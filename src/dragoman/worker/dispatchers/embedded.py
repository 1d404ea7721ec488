"""In-process dispatch: a queue feeding worker threads, for the one-machine default."""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Sequence

from dragoman.worker.dispatchers.base import Dispatcher, JobHandler

log = logging.getLogger(__name__)
_STOP = object()


class EmbeddedDispatcher(Dispatcher):
    """Job ids go into a queue that this process's worker threads drain."""

    def __init__(self) -> None:
        self._queue: queue.Queue[object] = queue.Queue()
        self._threads: list[threading.Thread] = []

    def dispatch(self, job_ids: Sequence[str]) -> None:
        for job_id in job_ids:
            self._queue.put(job_id)

    def start_consuming(self, handler: JobHandler, concurrency: int) -> None:
        for index in range(concurrency):
            thread = threading.Thread(
                target=self._consume, args=(handler,), name=f"dragoman-worker-{index}", daemon=True
            )
            thread.start()
            self._threads.append(thread)

    def _consume(self, handler: JobHandler) -> None:
        while True:
            item = self._queue.get()
            if item is _STOP:
                return
            try:
                handler(str(item))
            except Exception:  # a crash here must not kill the thread; the sweeper retries
                log.exception("worker failed on job %s", item)

    def stop(self, timeout: float = 10.0) -> None:
        for _ in self._threads:
            self._queue.put(_STOP)
        for thread in self._threads:
            thread.join(timeout)
        self._threads.clear()

    @property
    def backlog(self) -> int:
        """Job ids waiting for a thread."""
        return self._queue.qsize()
