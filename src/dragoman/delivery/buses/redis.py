"""Wake-ups and messages across processes through Redis pub/sub, for API and worker
processes apart."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from dragoman.delivery.buses.base import EventBus, Listener, MessageListener
from dragoman.errors import MissingExtraError

log = logging.getLogger(__name__)
CHANNEL = "dragoman:events"


class RedisBus(EventBus):
    """`notify()` publishes on a channel, `publish()` on a second one; a thread per process
    relays both to listeners.

    Only a signal travels for events: readers take them from the database, so a wake-up lost
    while Redis restarts costs latency (the readers' polling catches up), never an event.
    Messages lost that way are announced through `generation` instead."""

    spans_processes = True

    def __init__(self, url: str, *, channel: str = CHANNEL) -> None:
        try:
            import redis
        except ModuleNotFoundError as exc:
            raise MissingExtraError("the Redis event bus needs dragoman[redis]") from exc
        self.channel = channel
        self.message_channel = f"{channel}:messages"
        self._client: Any = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
        self._listeners: list[Listener] = []
        self._topics: dict[str, list[MessageListener]] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._connections = 0
        self._generation: int | None = None

    @property
    def generation(self) -> int | None:
        return self._generation

    def notify(self) -> None:
        self._wake_local()  # no round trip for this process's own readers
        try:
            self._client.publish(self.channel, b"1")
        except Exception as exc:  # Redis down: other processes fall back to polling
            log.warning("event bus publish failed: %s", exc)

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        with self._lock:
            self._listeners.append(listener)
        self._start_relay()

        def unsubscribe() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return unsubscribe

    def publish(self, topic: str, message: str) -> None:
        """Deliver here at once, then through Redis (raises when Redis cannot take it, so a
        caller that must reach every process knows it did not)."""
        self._deliver(topic, message)
        self._client.publish(self.message_channel, f"{topic}\n{message}".encode())

    def listen(self, topic: str, listener: MessageListener) -> Callable[[], None]:
        with self._lock:
            self._topics.setdefault(topic, []).append(listener)
        self._start_relay()

        def unlisten() -> None:
            with self._lock:
                listeners = self._topics.get(topic, [])
                if listener in listeners:
                    listeners.remove(listener)

        return unlisten

    def _start_relay(self) -> None:
        with self._lock:
            if self._thread is None and not self._stop.is_set():
                self._thread = threading.Thread(
                    target=self._relay, name="dragoman-bus", daemon=True
                )
                self._thread.start()

    def _wake_local(self) -> None:
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener()
            except Exception:  # one broken listener must not keep the others asleep
                log.exception("event bus listener failed")

    def _deliver(self, topic: str, message: str) -> None:
        with self._lock:
            listeners = list(self._topics.get(topic, ()))
        for listener in listeners:
            try:
                listener(message)
            except Exception:  # one broken listener must not starve the others
                log.exception("event bus listener failed on %s", topic)

    def _is_ours(self, message: dict[str, Any]) -> bool:
        """Whether `message` came on the wake-up channel (not the message channel)."""
        channel = message.get("channel")
        return (channel.decode() if isinstance(channel, bytes) else channel) == self.channel

    def _received(self, message: dict[str, Any]) -> None:
        channel = message.get("channel")
        if isinstance(channel, bytes):
            channel = channel.decode()
        if channel != self.message_channel:
            self._wake_local()
            return
        data = message.get("data")
        text = data.decode() if isinstance(data, bytes) else str(data)
        topic, _, body = text.partition("\n")
        self._deliver(topic, body)

    def _relay(self) -> None:
        backoff = 0.1
        while not self._stop.is_set():
            pubsub = self._client.pubsub()
            try:
                pubsub.subscribe(self.channel, self.message_channel)
                while not self._stop.is_set():
                    message = pubsub.get_message(timeout=0.5)
                    if message is None:
                        continue
                    if message.get("type") == "subscribe" and self._is_ours(message):
                        # (Re)subscribed, perhaps by redis-py behind our back: from here on
                        # nothing is missed; what was published while away may have been.
                        self._connections += 1
                        self._generation = self._connections
                        backoff = 0.1
                        self._wake_local()  # anything published meanwhile: look now
                    elif message.get("type") == "message":
                        self._received(message)
            except Exception as exc:  # reconnect: Redis restarted or the network blinked
                self._generation = None
                log.warning("event bus connection lost (%s); reconnecting", exc)
                self._stop.wait(backoff)
                backoff = min(backoff * 2, 5.0)
            finally:
                self._generation = None
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
