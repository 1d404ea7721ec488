"""Wake-ups across processes through Redis pub/sub, for API and worker processes apart."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from dragoman.delivery.buses.base import EventBus, Listener
from dragoman.errors import MissingExtraError

log = logging.getLogger(__name__)
CHANNEL = "dragoman:events"


class RedisBus(EventBus):
    """`notify()` publishes on a channel; a thread per process relays messages to listeners.

    Only a signal travels: readers take the events from the database, so a wake-up lost while
    Redis restarts costs latency (the readers' polling catches up), never an event."""

    def __init__(self, url: str, *, channel: str = CHANNEL) -> None:
        try:
            import redis
        except ModuleNotFoundError as exc:
            raise MissingExtraError("the Redis event bus needs dragoman[redis]") from exc
        self.channel = channel
        self._client: Any = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
        self._listeners: list[Listener] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def notify(self) -> None:
        self._wake_local()  # no round trip for this process's own readers
        try:
            self._client.publish(self.channel, b"1")
        except Exception as exc:  # Redis down: other processes fall back to polling
            log.warning("event bus publish failed: %s", exc)

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        with self._lock:
            self._listeners.append(listener)
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._relay, name="dragoman-bus", daemon=True
                )
                self._thread.start()

        def unsubscribe() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return unsubscribe

    def _wake_local(self) -> None:
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener()
            except Exception:  # one broken listener must not keep the others asleep
                log.exception("event bus listener failed")

    def _relay(self) -> None:
        backoff = 0.1
        while not self._stop.is_set():
            pubsub = self._client.pubsub(ignore_subscribe_messages=True)
            try:
                pubsub.subscribe(self.channel)
                backoff = 0.1
                self._wake_local()  # anything published while we were away: look now
                while not self._stop.is_set():
                    message = pubsub.get_message(timeout=0.5)
                    if message is not None:
                        self._wake_local()
            except Exception as exc:  # reconnect: Redis restarted or the network blinked
                log.warning("event bus connection lost (%s); reconnecting", exc)
                self._stop.wait(backoff)
                backoff = min(backoff * 2, 5.0)
            finally:
                try:
                    pubsub.close()
                except Exception:  # closing a broken connection may fail too; nothing to do
                    log.debug("closing the pub/sub connection failed", exc_info=True)

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None
        self._client.close()
