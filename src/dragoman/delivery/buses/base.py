"""The event bus interface: wake-ups (the events table holds the data) and small broadcast
messages such as "this API key was revoked"."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import ClassVar

Listener = Callable[[], None]
MessageListener = Callable[[str], None]


class EventBus(ABC):
    """Carries "new events were committed" from writers to readers, and topic messages to
    every process the bus reaches.

    Listeners must return at once (set a flag, schedule a coroutine); they run on the
    notifying thread. A lost wake-up costs latency only: readers also poll the database. A
    lost message can cost more, so `generation` tells a listener when messages may have
    been missed (and it must stop trusting what they would have corrected).
    """

    #: Whether messages reach other processes (a broker) or only this one.
    spans_processes: ClassVar[bool] = False

    @abstractmethod
    def notify(self) -> None:
        """Call after a transaction that wrote events has committed."""

    @abstractmethod
    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call `listener` on every notify; returns a function that unsubscribes it."""

    @abstractmethod
    def publish(self, topic: str, message: str) -> None:
        """Hand `message` to every listener of `topic`, here and in every process reached."""

    @abstractmethod
    def listen(self, topic: str, listener: MessageListener) -> Callable[[], None]:
        """Call `listener(message)` for each message on `topic`; returns an unsubscriber."""

    @property
    def generation(self) -> int | None:
        """Changes whenever messages may have been lost (a reconnection); None while they
        cannot arrive at all (disconnected). Stays 0 for a bus that cannot lose any."""
        return 0

    def close(self) -> None:  # noqa: B027 - optional hook, a no-op by default
        """Release connections (a broker-backed bus has some)."""
