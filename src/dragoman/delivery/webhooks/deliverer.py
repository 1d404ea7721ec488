"""The deliverer: a thread with its own event loop that claims due deliveries and sends them.

Bounded twice: `webhook_concurrency` in flight per process and `webhook_concurrency_per_org`
per organization, so one organization's slow or dead receiver holds only its own slots;
translation threads never wait on any of it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import Connection

from dragoman.delivery.buses.base import EventBus
from dragoman.delivery.webhooks import outbox, signing, ssrf
from dragoman.delivery.webhooks.outbox import Delivery
from dragoman.delivery.webhooks.profiles import CallbackProfile
from dragoman.delivery.webhooks.schedule import next_attempt_at
from dragoman.delivery.webhooks.secrets import current_secret, signing_secrets
from dragoman.delivery.webhooks.sender import Outcome, WebhookSender
from dragoman.ids import new_id
from dragoman.settings import Settings
from dragoman.store.db import Database
from dragoman.timefmt import utcnow

log = logging.getLogger(__name__)
Renderer = Callable[[Connection, Delivery], bytes]
Clock = Callable[[], datetime]
LEASE_MARGIN_SECONDS = 5.0  # a killed sender's deliveries are taken over this soon after


class Deliverer:
    """Runs until `stop()`; any number of processes may run one against the same database."""

    def __init__(
        self,
        db: Database,
        settings: Settings,
        render: Renderer,
        *,
        bus: EventBus | None = None,
        clock: Clock = utcnow,
        sender: WebhookSender | None = None,
    ) -> None:
        self.db = db
        self.settings = settings
        self.render = render
        # A RendererBySurface also names each delivery's profile (method, attempt header,
        # schedule) where a surface's differs from the defaults.
        self.profile_of: Callable[[Connection, Delivery], CallbackProfile | None] | None = getattr(
            render, "profile_of", None
        )
        self.bus = bus
        self.clock = clock
        self.owner = new_id("dlv", 10)
        self.sender = sender or WebhookSender(
            ssrf.NetworkPolicy.from_cidrs(settings.webhook_allow_networks),
            settings.webhook_timeout_seconds,
            settings.webhook_ca_bundle,
        )
        self.lease = timedelta(seconds=settings.webhook_timeout_seconds + LEASE_MARGIN_SECONDS)
        self._inflight: Counter[str] = Counter()
        self._tasks: set[asyncio.Task[None]] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None
        self._stopping = False
        self._thread: threading.Thread | None = None
        self._started = threading.Event()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="dragoman-webhooks", daemon=True)
        self._thread.start()
        self._started.wait(10)

    def stop(self, grace: float = 2.0) -> None:
        """Stop claiming; give attempts in flight `grace` seconds, then abandon them (their
        leases expire and another deliverer retries them: at least once, same webhook-id)."""
        self._stopping = True
        self.wake()
        if self._thread is not None:
            self._thread.join(grace + 5)

    def wake(self) -> None:
        """Look for due deliveries now (the bus calls this after events commit)."""
        loop, wake = self._loop, self._wake
        if loop is not None and wake is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop closed since the check
                loop.call_soon_threadsafe(wake.set)

    def _run(self) -> None:
        asyncio.run(self._main())

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        unsubscribe = self.bus.subscribe(self.wake) if self.bus is not None else None
        self._started.set()
        try:
            while not self._stopping:
                self._wake.clear()
                try:
                    delay = await self._fill()
                except Exception:  # a database hiccup must not end delivery
                    log.exception("claiming webhook deliveries failed")
                    delay = self.settings.webhook_poll_interval_seconds
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), delay)
            if self._tasks:
                await asyncio.wait(self._tasks, timeout=2.0)
        finally:
            if unsubscribe is not None:
                unsubscribe()
            for task in self._tasks:
                task.cancel()
            await self.sender.aclose()

    async def _fill(self) -> float:
        """Claim as much due work as there are free slots; returns how long to sleep."""
        poll = self.settings.webhook_poll_interval_seconds
        free = self.settings.webhook_concurrency - len(self._tasks)
        if free <= 0:
            return poll
        claimed, later = await asyncio.to_thread(self._claim, free)
        for delivery in claimed:
            self._inflight[delivery.org_id] += 1
            task = asyncio.create_task(self._deliver(delivery))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        if later is None:
            return poll
        return max(0.0, min(poll, (later - self.clock()).total_seconds()))

    def _claim(self, free: int) -> tuple[list[Delivery], datetime | None]:
        per_org = self.settings.webhook_concurrency_per_org
        full = {org for org, n in self._inflight.items() if n >= per_org}
        now = self.clock()
        with self.db.read() as conn:
            candidates, later = outbox.due_candidates(conn, now, full, max(free * 4, 100))
        picked: list[str] = []
        taken: Counter[str] = Counter()
        for delivery_id, org_id in candidates:
            if len(picked) >= free:
                break
            if self._inflight[org_id] + taken[org_id] < per_org:
                picked.append(delivery_id)
                taken[org_id] += 1
        if not picked:
            return [], later
        with self.db.write() as conn:
            return outbox.claim(conn, picked, self.owner, now, self.lease), later

    async def _deliver(self, delivery: Delivery) -> None:
        try:
            body, secrets, profile = await asyncio.to_thread(self._prepare, delivery)
            now = self.clock()
            headers = signing.headers(secrets, delivery.id, int(now.timestamp()), body)
            method = "POST"
            outcome: Outcome | None = None
            if profile is not None:
                method = profile.method
                if profile.attempt_header:
                    headers[profile.attempt_header] = str(delivery.attempts + 1)
                if profile.content_type:
                    headers["content-type"] = profile.content_type
                limit = profile.max_payload_bytes
                if limit is not None and len(body) > limit:  # not sent, not retried
                    error = f"the payload is {len(body)} bytes; larger than {limit} is not sent"
                    outcome = Outcome(False, error=error, permanent=True)
            if outcome is None:
                outcome = await self.sender.send(delivery.url, headers, body, now, method)
            await asyncio.to_thread(self._record, delivery, body, outcome, profile)
        except Exception:  # the lease expires and the delivery is tried again
            log.exception("webhook delivery %s failed unexpectedly", delivery.id)
        finally:
            self._inflight[delivery.org_id] -= 1
            if self._wake is not None:
                self._wake.set()

    def _prepare(self, delivery: Delivery) -> tuple[bytes, list[str], CallbackProfile | None]:
        with self.db.read() as conn:
            body = delivery.body.encode() if delivery.body is not None else None
            if body is None:
                body = self.render(conn, delivery)
            secrets = signing_secrets(conn, delivery.org_id, self.clock())
            profile = self.profile_of(conn, delivery) if self.profile_of is not None else None
        if not secrets:
            with self.db.write() as conn:
                secrets = [current_secret(conn, delivery.org_id)]
        return body, secrets, profile

    def _record(
        self,
        delivery: Delivery,
        body: bytes,
        outcome: Outcome,
        profile: CallbackProfile | None = None,
    ) -> None:
        now = self.clock()
        text = body.decode()
        with self.db.write() as conn:
            if outcome.ok:
                outbox.record_attempt(
                    conn,
                    delivery,
                    now=now,
                    body=text,
                    outcome="delivered",
                    status_code=outcome.status_code,
                    error=None,
                )
                return
            first = delivery.first_attempt_at or now
            next_at = None
            if not (outcome.gone or outcome.permanent):
                next_at = next_attempt_at(
                    first,
                    delivery.attempts + 1,
                    profile.schedule
                    if profile is not None and profile.schedule is not None
                    else self.settings.webhook_retry_schedule,
                    now,
                    outcome.retry_after,
                )
            outbox.record_attempt(
                conn,
                delivery,
                now=now,
                body=text,
                status_code=outcome.status_code,
                error=outcome.error,
                outcome="failed" if next_at is None else "pending",
                next_at=next_at,
            )
            if outcome.gone:
                outbox.disable_url(
                    conn,
                    delivery.org_id,
                    delivery.url,
                    now,
                    f"{delivery.url} answered 410 Gone; deliveries to it stopped",
                )
        log.info("webhook %s to %s: %s", delivery.id, delivery.url, outcome.error)
