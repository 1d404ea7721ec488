"""Providers by name, options validated, and a per-process pool of live engines."""

from __future__ import annotations

import functools
import json
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, ClassVar

import pydantic

from dragoman.engines.apertium import ApertiumEngine
from dragoman.engines.base import Engine, EngineOptions, LanguagePair, Segment
from dragoman.engines.human import HumanEngine
from dragoman.engines.identity import IdentityEngine
from dragoman.engines.pseudo import PseudoEngine
from dragoman.errors import ValidationError
from dragoman.settings import Settings

log = logging.getLogger(__name__)

PROVIDERS: dict[str, type[Engine]] = {
    ApertiumEngine.name: ApertiumEngine,
    PseudoEngine.name: PseudoEngine,
    IdentityEngine.name: IdentityEngine,
    HumanEngine.name: HumanEngine,
}


def provider_class(provider: str) -> type[Engine]:
    """The engine class of `provider`, or a ValidationError that lists the known ones."""
    try:
        return PROVIDERS[provider]
    except KeyError:
        known = ", ".join(sorted(PROVIDERS))
        raise ValidationError(
            f"unknown engine provider {provider!r}; known providers: {known}", field="provider"
        ) from None


def validate_options(provider: str, options: Mapping[str, Any] | None) -> EngineOptions:
    """`options` checked against the provider's options model; errors name the bad option."""
    model = provider_class(provider).options_model
    try:
        return model.model_validate(dict(options or {}))
    except pydantic.ValidationError as exc:
        error = exc.errors()[0]
        name = ".".join(str(part) for part in error["loc"]) or "options"
        raise ValidationError(
            f"engine option {name!r} of provider {provider!r}: {error['msg']}",
            field=f"options.{name}",
        ) from None


def build_engine(provider: str, options: Mapping[str, Any] | None, settings: Settings) -> Engine:
    """A new engine of `provider` with validated `options`."""
    return provider_class(provider).from_settings(validate_options(provider, options), settings)


def backend_key(provider: str, options: EngineOptions) -> tuple[str, str]:
    """The pool key: the provider and only the options that shape its backend.

    An engine class may list those in `backend_options` (Apertium: `mark_unknown` changes the
    pipeline's programs, `timeout_seconds` does not); without the list, every option counts.
    """
    values = options.model_dump(mode="json")
    shaping: frozenset[str] | None = getattr(provider_class(provider), "backend_options", None)
    if shaping is not None:
        values = {name: value for name, value in values.items() if name in shaping}
    return provider, json.dumps(values, sort_keys=True)


@dataclass(eq=False)
class _Live:
    """One live backend engine and how many calls are running on it now."""

    engine: Engine
    users: int = 0


class PooledEngine(Engine):
    """An engine as callers see it: each call borrows the live backend from the pool, so an
    idle backend may be closed (LRU) and the next call transparently builds it again."""

    name: ClassVar[str] = "pooled"

    def __init__(self, pool: EnginePool, provider: str, options: EngineOptions) -> None:
        super().__init__(options)
        self._pool = pool
        self._provider = provider

    def language_pairs(self) -> list[LanguagePair]:
        with self._pool.borrow(self._provider, self.options) as engine:
            return engine.language_pairs()

    def resolve_pair(self, source: str, target: str) -> LanguagePair | None:
        with self._pool.borrow(self._provider, self.options) as engine:
            return engine.resolve_pair(source, target)

    def missing_pair_hint(self, source: str, target: str) -> str:
        with self._pool.borrow(self._provider, self.options) as engine:
            return engine.missing_pair_hint(source, target)

    def translate_batch(self, segments: Sequence[Segment], source: str, target: str) -> list[str]:
        with self._pool.borrow(self._provider, self.options) as engine:
            return engine.translate_batch(segments, source, target)

    def close(self) -> None:
        """Nothing to release: the pool owns the backend."""


@functools.cache
def _pooled_class(engine_class: type[Engine]) -> type[PooledEngine]:
    """A PooledEngine subclass that carries the class attributes callers read."""
    attributes = {
        "name": engine_class.name,
        "batch_size": engine_class.batch_size,
        "options_model": engine_class.options_model,
        "uses_hints": engine_class.uses_hints,
        "any_pair": engine_class.any_pair,
        "__doc__": engine_class.__doc__,
    }
    return type(f"Pooled{engine_class.__name__}", (PooledEngine,), attributes)


class EnginePool:
    """The live engines of this process, shared by threads and bounded in number.

    Options that do not shape a backend share it (ten engines differing only in
    `timeout_seconds` cost one set of Apertium pipelines). At most `max_live_engines`
    backends stay live; beyond that the least recently used idle one is closed. A backend
    is never closed while a call runs on it: every call holds a reference for its duration.
    """

    _HANDLES = 1024  # handles are tiny; the bound only keeps a flood of option sets finite

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self._live: OrderedDict[tuple[str, str], _Live] = OrderedDict()
        self._handles: OrderedDict[tuple[str, str], PooledEngine] = OrderedDict()

    def validate(self, provider: str, options: Mapping[str, Any] | None) -> EngineOptions:
        """The validated options; raises ValidationError as `build_engine` would."""
        return validate_options(provider, options)

    def get(self, provider: str, options: Mapping[str, Any] | None = None) -> Engine:
        """The engine for `provider` and `options`; its backend is built on first use."""
        validated = validate_options(provider, options)
        key = (provider, json.dumps(validated.model_dump(mode="json"), sort_keys=True))
        with self._lock:
            handle = self._handles.get(key)
            if handle is None:
                handle = _pooled_class(provider_class(provider))(self, provider, validated)
                self._handles[key] = handle
                if len(self._handles) > self._HANDLES:
                    self._handles.popitem(last=False)
            else:
                self._handles.move_to_end(key)
            return handle

    @contextmanager
    def borrow(self, provider: str, options: EngineOptions) -> Iterator[Engine]:
        """The live backend for these options, held (not evictable) until the block ends."""
        key = backend_key(provider, options)
        with self._lock:
            live = self._live.get(key)
            if live is None:
                engine = provider_class(provider).from_settings(options, self.settings)
                live = self._live[key] = _Live(engine)
            else:
                self._live.move_to_end(key)
            live.users += 1
            idle = self._evict_idle()
        _close(idle)
        try:
            yield _with_options(live.engine, options)
        finally:
            with self._lock:
                live.users -= 1
                idle = self._evict_idle()
            _close(idle)

    def _evict_idle(self) -> list[Engine]:
        """Pop least recently used idle backends beyond the limit (called under the lock)."""
        evicted: list[Engine] = []
        excess = len(self._live) - self.settings.max_live_engines
        for key in list(self._live):
            if excess <= 0:
                break
            if self._live[key].users == 0:
                evicted.append(self._live.pop(key).engine)
                excess -= 1
        return evicted  # with every backend busy, the limit is exceeded until a call ends

    def live_count(self) -> int:
        """How many backends are live now."""
        with self._lock:
            return len(self._live)

    def close(self) -> None:
        """Close every backend; a later call builds fresh ones."""
        with self._lock:
            engines = [live.engine for live in self._live.values()]
            self._live.clear()
            self._handles.clear()
        _close(engines)


def _with_options(engine: Engine, options: EngineOptions) -> Engine:
    """`engine` as configured by `options`, which may differ only in non-shaping options."""
    if options == engine.options:
        return engine
    view: Callable[[EngineOptions], Engine] | None = getattr(engine, "with_options", None)
    return view(options) if view is not None else engine


def _close(engines: list[Engine]) -> None:
    for engine in engines:
        try:
            engine.close()
        except Exception:  # one engine failing to close must not keep others open
            log.exception("closing engine %s failed", engine.name)
