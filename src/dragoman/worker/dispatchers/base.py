"""The dispatcher interface: a message only says "look at job X"; the database decides."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import ClassVar

JobHandler = Callable[[str], None]


class Dispatcher(ABC):
    """Carries job ids from whoever accepted work to whoever runs it."""

    #: Messages outlive the process that sent them (a broker). When False, a restart loses
    #: the queue, so the sweeper's first pass re-dispatches every queued job.
    durable: ClassVar[bool] = False

    @abstractmethod
    def dispatch(self, job_ids: Sequence[str], *, tenant: str | None = None) -> None:
        """Ask some worker to look at each job; losing a message must be harmless.
        `tenant` (the organization) lets a dispatcher serve organizations fairly."""

    def start_consuming(self, handler: JobHandler, concurrency: int) -> None:  # noqa: B027
        """Run `handler(job_id)` for dispatched jobs on `concurrency` threads (worker side)."""

    def stop(self, timeout: float = 10.0) -> None:  # noqa: B027 - none to release: no override
        """Stop consuming (running jobs get `timeout` seconds to finish), release connections."""

    def waiting_since(self) -> datetime | None:
        """When the oldest message still waiting in the queue was sent (now, when none waits);
        None when this dispatcher cannot tell.

        The queue is first in, first out, so a job dispatched well before this moment has no
        message waiting any more: it was lost (a broker restart) or taken by a worker that died
        before claiming it. The sweeper sends only those again, never one that merely waits."""
        return None
