"""Providers by name, options validated, and a per-process pool of live engines."""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from typing import Any

import pydantic

from dragoman.engines.apertium import ApertiumEngine
from dragoman.engines.base import Engine, EngineOptions
from dragoman.engines.identity import IdentityEngine
from dragoman.engines.pseudo import PseudoEngine
from dragoman.errors import ValidationError
from dragoman.settings import Settings

PROVIDERS: dict[str, type[Engine]] = {
    ApertiumEngine.name: ApertiumEngine,
    PseudoEngine.name: PseudoEngine,
    IdentityEngine.name: IdentityEngine,
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


class EnginePool:
    """The live engines of this process, one per (provider, options), shared by threads."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self._engines: dict[tuple[str, str], Engine] = {}

    def validate(self, provider: str, options: Mapping[str, Any] | None) -> EngineOptions:
        """The validated options; raises ValidationError as `build_engine` would."""
        return validate_options(provider, options)

    def get(self, provider: str, options: Mapping[str, Any] | None = None) -> Engine:
        """The live engine for `provider` and `options`, built on first use."""
        validated = validate_options(provider, options)
        key = (provider, json.dumps(validated.model_dump(mode="json"), sort_keys=True))
        with self._lock:
            engine = self._engines.get(key)
            if engine is None:
                engine = provider_class(provider).from_settings(validated, self.settings)
                self._engines[key] = engine
            return engine

    def close(self) -> None:
        """Close every engine; a later `get()` builds fresh ones."""
        with self._lock:
            engines, self._engines = list(self._engines.values()), {}
        for engine in engines:
            engine.close()
