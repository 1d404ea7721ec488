"""The backends one process runs with, built from settings and passed in (never global)."""

from __future__ import annotations

from dataclasses import dataclass, field

from dragoman.core.orgs import KeyCache
from dragoman.core.service import Core
from dragoman.delivery.buses.base import EventBus
from dragoman.delivery.buses.memory import MemoryBus
from dragoman.delivery.webhooks.deliverer import Deliverer, Renderer
from dragoman.engines.registry import EnginePool
from dragoman.settings import Settings
from dragoman.store.blobs import blob_store_from_settings
from dragoman.store.blobs.base import BlobStore
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
    blobs: BlobStore | None = field(default=None)
    writer: Writer = field(init=False)
    core: Core = field(init=False)

    def __post_init__(self) -> None:
        self.writer = Writer(self.db)
        self.key_cache.follow(self.bus)  # revocations reach this process within a second
        if self.blobs is None:
            self.blobs = blob_store_from_settings(self.settings)
        self.core = Core(
            settings=self.settings,
            db=self.db,
            writer=self.writer,
            blobs=self.blobs,
            dispatch=self.dispatcher,
            bus=self.bus,
            key_cache=self.key_cache,
            engines=self.engines,
        )

    @classmethod
    def build(
        cls,
        settings: Settings,
        *,
        dispatcher: Dispatcher | None = None,
        run_workers: bool = True,
        payloads: Renderer | None = None,
    ) -> Services:
        """The backends for `settings`; `payloads` renders webhook bodies (the composition
        root passes the surfaces' renderer, so this module never imports a surface)."""
        db = Database(
            settings.resolved_database_url(),
            pool_size=settings.db_pool_size,
            max_overflow=settings.db_max_overflow,
        )
        engines = EnginePool(settings)
        dispatcher = dispatcher or _dispatcher_for(settings)
        bus = _bus_for(settings)
        blobs = blob_store_from_settings(settings)
        workers = (
            WorkerPool(db, dispatcher, engines, settings, bus=bus, blobs=blobs)
            if run_workers
            else None
        )
        deliverer = None
        if run_workers and payloads is not None:  # processes that run jobs send webhooks too
            deliverer = Deliverer(db, settings, payloads, bus=bus)
        return cls(
            settings, db, engines, dispatcher, workers, bus=bus, deliverer=deliverer, blobs=blobs
        )

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
        self.key_cache.close()
        self.bus.close()
        if self.blobs is not None:
            self.blobs.close()
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
