"""Providers, option validation and the engine pool."""

from __future__ import annotations

import threading

import pytest

from dragoman.engines.apertium import ApertiumEngine, ApertiumOptions
from dragoman.engines.human import HumanEngine
from dragoman.engines.identity import IdentityEngine
from dragoman.engines.pseudo import PseudoEngine
from dragoman.engines.registry import PROVIDERS, EnginePool, build_engine
from dragoman.errors import ValidationError
from dragoman.settings import Settings


def test_providers() -> None:
    assert {
        "apertium": ApertiumEngine,
        "pseudo": PseudoEngine,
        "identity": IdentityEngine,
        "human": HumanEngine,
    } == PROVIDERS


def test_unknown_provider_lists_the_known_ones() -> None:
    with pytest.raises(ValidationError, match="apertium, human, identity, pseudo") as caught:
        build_engine("deepl", {}, Settings())
    assert caught.value.field == "provider"


def test_bad_option_is_named() -> None:
    with pytest.raises(ValidationError, match="timeout_seconds") as caught:
        build_engine("apertium", {"timeout_seconds": -1}, Settings())
    assert caught.value.field == "options.timeout_seconds"
    with pytest.raises(ValidationError, match="colour"):
        build_engine("pseudo", {"colour": "red"}, Settings())


def test_build_engine_passes_settings(tmp_path: object) -> None:
    settings = Settings(apertium_path="/nonexistent/apertium", apertium_modes_dir=None)
    engine = build_engine("apertium", {"timeout_seconds": 5}, settings)
    assert isinstance(engine, ApertiumEngine)
    assert isinstance(engine.config, ApertiumOptions) and engine.config.timeout_seconds == 5
    assert engine.apertium_path == "/nonexistent/apertium"


def test_apertium_not_installed_is_reported_gracefully(tmp_path: object) -> None:
    engine = ApertiumEngine(apertium_path="/nonexistent/apertium", modes_dir=None)
    engine.modes_dir = None  # as on a machine without Apertium
    engine._directions = None
    assert engine.language_pairs() == []
    assert not engine.supports("en", "es")
    assert "not installed" in engine.missing_pair_hint("en", "es")


def test_pool_caches_by_provider_and_options() -> None:
    pool = EnginePool(Settings())
    first = pool.get("pseudo", {})
    assert pool.get("pseudo") is first
    a = pool.get("apertium", {"timeout_seconds": 5, "mark_unknown": False})
    assert pool.get("apertium", {"mark_unknown": False, "timeout_seconds": 5.0}) is a
    assert pool.get("apertium", {"timeout_seconds": 6}) is not a
    with pytest.raises(ValidationError):
        pool.validate("apertium", {"nope": 1})
    pool.close()
    assert pool.get("pseudo") is not first
    pool.close()


def test_pool_is_thread_safe() -> None:
    pool = EnginePool(Settings())
    got: list[object] = []
    threads = [threading.Thread(target=lambda: got.append(pool.get("pseudo"))) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({id(engine) for engine in got}) == 1
    pool.close()
