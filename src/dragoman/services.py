"""The backends one process runs with, built from settings and passed in (never global)."""

from __future__ import annotations

from dataclasses import dataclass, field

from dragoman.core.orgs import KeyCache
from dragoman.delivery.buses.base import EventBus
from dragoman.delivery.buses.memory import MemoryBus
from dragoman.delivery.webhooks.deliverer import Deliverer
from dragoman.engines.registry import EnginePool
from dragoman.settings import Settings
from dragoman.store.db import Database
from dragoman.store.writer import Writer
from dragoman.worker.dispatchers.base import Dispatcher
from dragoman.worker.dispatchers.embedded import EmbeddedDispatcher
from dragoman.worker.pool import WorkerPool


@dataclass
class Services:
    """Database, engines, dispatcher and (when this process runs jobs) the worker pool."""

    settings: Settings
    db: Database
    engines: EnginePool
    dispatcher: Dispatcher
    workers: WorkerPool | None = field(default=None)
    key_cache: KeyCache = field(default_factory=KeyCache)
    bus: EventBus = field(default_factory=MemoryBus)  # wakes the deliverer and the WS hub
    deliverer: Deliverer | None = field(default=None)
    writer: Writer = field(init=False)

    def __post_init__(self) -> None:
        self.writer = Writer(self.db)

    @classmethod
    def build(
        cls, settings: Settings, *, dispatcher: Dispatcher | None = None, run_workers: bool = True
    ) -> Services:
        db = Database(
            settings.resolved_database_url(),
            pool_size=settings.db_pool_size,
            max_overflow=settings.db_max_overflow,
        )
        engines = EnginePool(settings)
        dispatcher = dispatcher or _dispatcher_for(settings)
        bus = _bus_for(settings)
        workers = WorkerPool(db, dispatcher, engines, settings, bus=bus) if run_workers else None
        deliverer = None
        if run_workers:  # processes that run jobs also send their webhooks
            from dragoman.surfaces.native.webhook_payloads import NativeWebhookPayloads

            deliverer = Deliverer(db, settings, NativeWebhookPayloads(settings), bus=bus)
        return cls(settings, db, engines, dispatcher, workers, bus=bus, deliverer=deliverer)

    def start(self) -> None:
        if self.workers is not None:
            self.workers.start()
        if self.deliverer is not None:
            self.deliverer.start()

    def close(self) -> None:
        self.writer.stop()
        if self.deliverer is not None:
            self.deliverer.stop()
        if self.workers is not None:
            self.workers.stop()
        else:
            self.dispatcher.stop()
        self.engines.close()
        self.bus.close()
        self.db.dispose()


def _dispatcher_for(settings: Settings) -> Dispatcher:
    """Dramatiq when a broker is configured, else the in-process queue."""
    if settings.broker_url:
        from dragoman.worker.dispatchers.dramatiq import DramatiqDispatcher

        return DramatiqDispatcher(settings.broker_url, queue=settings.broker_queue)
    return EmbeddedDispatcher()


def _bus_for(settings: Settings) -> EventBus:
    """Redis pub/sub when one is configured (processes apart), else in-process wake-ups."""
    url = settings.resolved_event_bus_url()
    if url:
        from dragoman.delivery.buses.redis import RedisBus

        return RedisBus(url)
    return MemoryBus()
