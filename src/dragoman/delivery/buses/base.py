"""The event bus interface: a wake-up signal, never the data (the events table holds that)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable

Listener = Callable[[], None]


class EventBus(ABC):
    """Carries "new events were committed" from writers to readers.

    Listeners must return at once (set a flag, schedule a coroutine); they run on the
    notifying thread. A lost wake-up costs latency only: readers also poll the database.
    """

    @abstractmethod
    def notify(self) -> None:
        """Call after a transaction that wrote events has committed."""

    @abstractmethod
    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call `listener` on every notify; returns a function that unsubscribes it."""

    def close(self) -> None:  # noqa: B027 - optional hook, a no-op by default
        """Release connections (a broker-backed bus has some)."""
