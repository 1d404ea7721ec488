"""Dispatch through Dramatiq on Redis or RabbitMQ, to `dragoman worker` processes anywhere.

A message carries one job id and means only "look at job X": the database decides whether
there is anything to do (the claim is atomic), so a duplicate costs one failed UPDATE and a
lost message is found again by the sweeper. The broker and the actor belong to this
dispatcher (never dramatiq's global broker), and are built on first use, not at import.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from dragoman.errors import MissingExtraError, ValidationError
from dragoman.timefmt import utcnow
from dragoman.worker.dispatchers.base import Dispatcher, JobHandler

log = logging.getLogger(__name__)

ACTOR_NAME = "dragoman_look_at_job"
# How long an idle consumer sleeps between polls at most (Redis polls; RabbitMQ pushes):
# this bounds the latency from dispatch to claim on an idle worker.
POLL_MS = 100


def make_broker(url: str) -> Any:
    """A Dramatiq broker for `url` (redis://, rediss://, amqp://, amqps://), without any
    middleware: retries, time limits and age limits are the database's job here."""
    scheme = urlsplit(url).scheme.lower()
    try:
        if scheme in ("redis", "rediss", "unix"):
            from dramatiq.brokers.redis import RedisBroker

            return RedisBroker(url=url, middleware=[])  # type: ignore[no-untyped-call]  # untyped upstream
        if scheme in ("amqp", "amqps"):
            from dramatiq.brokers.rabbitmq import RabbitmqBroker

            # Confirmed publishes: enqueue returns once RabbitMQ holds the message.
            return RabbitmqBroker(url=url, middleware=[], confirm_delivery=True)
    except ModuleNotFoundError as exc:
        extra = "redis" if scheme.startswith(("redis", "unix")) else "rabbitmq"
        raise MissingExtraError(
            f"{exc.name} is missing: install dragoman[{extra}] to use a {scheme}:// broker"
        ) from exc
    raise ValidationError(
        f"DRAGOMAN_BROKER_URL must start with redis://, rediss://, amqp:// or amqps://, "
        f"not {scheme or 'nothing'}://",
        field="broker_url",
    )


class DramatiqDispatcher(Dispatcher):
    """Sends one Dramatiq message per job id; consumes them with an in-process Dramatiq
    `Worker` whose threads run the same `JobRunner.run` as the embedded dispatcher."""

    durable = True

    def __init__(
        self, url: str, *, queue: str = "dragoman", poll_ms: int = POLL_MS, broker: Any = None
    ) -> None:
        self.url = url
        self.queue = queue
        self.poll_ms = poll_ms
        self._broker: Any = broker
        self._actor: Any = None
        self._handler: JobHandler | None = None
        self._worker: Any = None
        self._lock = threading.Lock()

    @property
    def broker(self) -> Any:
        """The Dramatiq broker, built (and the actor declared on it) on first use."""
        return self._get_actor().broker

    def _get_actor(self) -> Any:
        with self._lock:
            if self._actor is None:
                from dramatiq import Actor

                if self._broker is None:
                    self._broker = make_broker(self.url)
                self._actor = Actor(
                    self._handle,
                    broker=self._broker,
                    actor_name=ACTOR_NAME,
                    queue_name=self.queue,
                    priority=0,
                    options={},
                )
            return self._actor

    def dispatch(self, job_ids: Sequence[str], *, tenant: str | None = None) -> None:
        # One queue for every organization: fairness across them is the claim's business.
        if not job_ids:
            return
        actor = self._get_actor()
        sent = 0
        try:
            for job_id in job_ids:
                actor.send(job_id)
                sent += 1
        except Exception as exc:  # the jobs are committed; the sweeper sends them again
            log.warning(
                "broker unreachable, %d job(s) left for the sweeper: %s: %s",
                len(job_ids) - sent,
                type(exc).__name__,
                exc,
            )

    def start_consuming(self, handler: JobHandler, concurrency: int) -> None:
        from dramatiq import Worker

        self._handler = handler
        broker = self.broker
        self._worker = Worker(
            broker, queues={self.queue}, worker_threads=concurrency, worker_timeout=self.poll_ms
        )
        # Dramatiq fetches twice as many messages as threads by default. Those extra messages
        # sit unclaimed in this process, and a kill -9 strands them in its acknowledgement
        # set until Dramatiq's own recovery (a minute or more). With one message per thread,
        # a message held is a job being claimed: its lease, not the broker, recovers it.
        self._worker.queue_prefetch = concurrency
        self._worker.start()

    def waiting_since(self) -> datetime | None:
        """The send time of the message at the head of the queue (the oldest one still
        waiting): read in place on Redis; on RabbitMQ taken and handed straight back."""
        broker = self.broker
        try:
            if getattr(broker, "client", None) is not None:  # RedisBroker
                return self._redis_head(broker)
            return self._rabbitmq_head(broker)
        except Exception as exc:  # broker down: nothing can be sent now anyway
            log.warning("cannot read the broker queue: %s: %s", type(exc).__name__, exc)
            return None

    def _redis_head(self, broker: Any) -> datetime | None:
        client = broker.client
        key = f"{broker.namespace}:{self.queue}"
        for _ in range(3):  # the head may be fetched between the two reads: look again
            now = utcnow()  # before reading: an empty list means all sent before was taken
            head = client.lindex(key, 0)
            if head is None:
                return now
            data = client.hget(f"{key}.msgs", head)
            if data is not None:
                return min(now, _sent_at(data))
        return None

    def _rabbitmq_head(self, broker: Any) -> datetime | None:
        now = utcnow()
        if broker.get_queue_message_counts(self.queue)[0] == 0:
            return now
        channel = broker.channel  # this thread's own
        method, _properties, body = channel.basic_get(self.queue, auto_ack=False)
        if method is None:  # taken meanwhile
            return now
        # Back where it was (RabbitMQ keeps a requeued message's place in the queue).
        channel.basic_nack(method.delivery_tag, requeue=True)
        return min(now, _sent_at(body))

    def _handle(self, job_id: str) -> None:
        handler = self._handler
        if handler is None:
            raise RuntimeError("this dispatcher is not consuming")
        try:
            handler(job_id)
        except Exception:  # never let Dramatiq dead-letter or retry: the sweeper owns retries
            log.exception("worker failed on job %s", job_id)

    def stop(self, timeout: float = 10.0) -> None:
        worker, self._worker = self._worker, None
        if worker is not None:
            worker.stop(timeout=int(timeout * 1000))
        with self._lock:
            broker, self._broker, self._actor = self._broker, None, None
        if broker is not None:
            broker.close()
            client = getattr(broker, "client", None)  # RedisBroker.close leaves its pool open
            if client is not None:
                client.connection_pool.disconnect()


def _sent_at(data: bytes) -> datetime:
    """When the Dramatiq message encoded in `data` was made (it carries the sender's clock)."""
    from dramatiq import Message

    return datetime.fromtimestamp(Message.decode(data).message_timestamp / 1000, UTC)
