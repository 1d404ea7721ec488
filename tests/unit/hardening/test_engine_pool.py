"""EnginePool: shared backends, a bounded number live, LRU eviction never under a call (issue 9,
item 2)."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from typing import Any, ClassVar

import pytest

from dragoman.engines import registry
from dragoman.engines.base import Engine, EngineOptions, LanguagePair, Segment
from dragoman.engines.registry import EnginePool
from dragoman.settings import Settings


class FlavourOptions(EngineOptions):
    flavour: str = "plain"  # shapes the backend
    patience: float = 1.0  # does not


class FlavourEngine(Engine):
    """A small real engine whose backend is shaped by `flavour`; it records its lifecycle."""

    name = "flavour"
    options_model = FlavourOptions
    any_pair = True
    backend_options: ClassVar[frozenset[str]] = frozenset({"flavour"})
    built: ClassVar[list[FlavourEngine]] = []
    gate: ClassVar[threading.Event | None] = None

    def __init__(self, options: EngineOptions | None = None, **settings: Any) -> None:
        super().__init__(options)
        self.closed = False
        self.running = 0
        FlavourEngine.built.append(self)

    def language_pairs(self) -> list[LanguagePair]:
        return []

    def translate_batch(self, segments: Sequence[Segment], source: str, target: str) -> list[str]:
        assert not self.closed, "a closed engine was used"
        self.running += 1
        try:
            flavour = FlavourOptions.model_validate(self.options.model_dump()).flavour
            if flavour == "busy" and FlavourEngine.gate is not None:
                FlavourEngine.gate.wait(10)
            return [f"{flavour}:{s.text}" for s in segments]
        finally:
            self.running -= 1

    def close(self) -> None:
        assert self.running == 0, "closed while a batch ran on it"
        self.closed = True


@pytest.fixture
def flavour(monkeypatch: pytest.MonkeyPatch) -> Iterator[type[FlavourEngine]]:
    monkeypatch.setitem(registry.PROVIDERS, "flavour", FlavourEngine)
    FlavourEngine.built = []
    FlavourEngine.gate = None
    yield FlavourEngine
    FlavourEngine.gate = None


def _translate(engine: Engine, text: str = "hi") -> str:
    return engine.translate_batch([Segment(text)], "en", "de")[0]


def test_options_that_do_not_shape_the_backend_share_it(flavour: type[FlavourEngine]) -> None:
    pool = EnginePool(Settings())
    engines = [pool.get("flavour", {"patience": float(p)}) for p in range(1, 11)]
    assert [_translate(e) for e in engines] == ["plain:hi"] * 10
    assert len(flavour.built) == 1 and pool.live_count() == 1
    assert _translate(pool.get("flavour", {"flavour": "spicy"})) == "spicy:hi"
    assert len(flavour.built) == 2
    assert engines[0].batch_size == FlavourEngine.batch_size and engines[0].any_pair
    pool.close()
    assert all(engine.closed for engine in flavour.built)


def test_live_backends_are_bounded_lru_and_closed(flavour: type[FlavourEngine]) -> None:
    pool = EnginePool(Settings(max_live_engines=2))
    a, b, c = (pool.get("flavour", {"flavour": f}) for f in "abc")
    _translate(a)
    _translate(b)
    _translate(a)  # a is now the most recently used
    _translate(c)  # evicts b, the least recently used
    assert pool.live_count() == 2
    built = {e.options.model_dump()["flavour"]: e for e in flavour.built}
    assert built["b"].closed and not built["a"].closed and not built["c"].closed
    assert _translate(b) == "b:hi"  # rebuilt transparently through the same handle
    assert len(flavour.built) == 4 and pool.live_count() == 2
    pool.close()


def test_a_backend_is_never_closed_while_a_batch_runs(flavour: type[FlavourEngine]) -> None:
    pool = EnginePool(Settings(max_live_engines=1))
    busy = pool.get("flavour", {"flavour": "busy"})
    flavour.gate = threading.Event()
    result: list[str] = []
    worker = threading.Thread(target=lambda: result.append(_translate(busy)))
    worker.start()
    try:
        while not flavour.built or flavour.built[0].running == 0:
            threading.Event().wait(0.01)
        # Beyond the limit while `busy` runs: the idle newcomers are the ones evicted.
        for name in ("x", "y"):
            assert _translate(pool.get("flavour", {"flavour": name})) == f"{name}:hi"
    finally:
        flavour.gate.set()
        worker.join(10)
    assert result == ["busy:hi"]
    assert pool.live_count() == 1
    pool.close()
