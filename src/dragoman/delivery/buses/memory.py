"""The in-process bus: the embedded default, and the fake that tests use."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from dragoman.delivery.buses.base import EventBus, Listener, MessageListener

log = logging.getLogger(__name__)


class MemoryBus(EventBus):
    """Wakes listeners, and hands messages to them, in this process only."""

    def __init__(self) -> None:
        self._listeners: list[Listener] = []
        self._topics: dict[str, list[MessageListener]] = {}
        self._lock = threading.Lock()
        self.notifications = 0

    def notify(self) -> None:
        with self._lock:
            listeners = list(self._listeners)
            self.notifications += 1
        for listener in listeners:
            try:
                listener()
            except Exception:  # one broken listener must not keep the others asleep
                log.exception("event bus listener failed")

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        with self._lock:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return unsubscribe

    def publish(self, topic: str, message: str) -> None:
        with self._lock:
            listeners = list(self._topics.get(topic, ()))
        for listener in listeners:
            try:
                listener(message)
            except Exception:  # one broken listener must not starve the others
                log.exception("event bus listener failed on %s", topic)

    def listen(self, topic: str, listener: MessageListener) -> Callable[[], None]:
        with self._lock:
            self._topics.setdefault(topic, []).append(listener)

        def unlisten() -> None:
            with self._lock:
                listeners = self._topics.get(topic, [])
                if listener in listeners:
                    listeners.remove(listener)

        return unlisten
