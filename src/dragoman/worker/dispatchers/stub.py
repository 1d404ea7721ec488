"""A dispatcher that only records, for tests of the API without workers."""

from __future__ import annotations

from collections.abc import Sequence

from dragoman.worker.dispatchers.base import Dispatcher


class StubDispatcher(Dispatcher):
    """Keeps every dispatched job id in `sent`, in order; runs nothing."""

    def __init__(self) -> None:
        self.sent: list[str] = []

    def dispatch(self, job_ids: Sequence[str], *, tenant: str | None = None) -> None:
        self.sent.extend(job_ids)
