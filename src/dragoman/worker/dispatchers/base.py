"""The dispatcher interface: a message only says "look at job X"; the database decides."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence

JobHandler = Callable[[str], None]


class Dispatcher(ABC):
    """Carries job ids from whoever accepted work to whoever runs it."""

    @abstractmethod
    def dispatch(self, job_ids: Sequence[str]) -> None:
        """Ask some worker to look at each job; losing a message must be harmless."""

    def start_consuming(self, handler: JobHandler, concurrency: int) -> None:  # noqa: B027
        """Run `handler(job_id)` for dispatched jobs on `concurrency` threads (worker side)."""

    def stop(self) -> None:  # noqa: B027 - dispatchers without resources need not override
        """Stop consuming and release connections."""
