"""The Apertium engine against the real installed pairs: translations, isolation, restarts."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from dragoman.engines.apertium import ApertiumEngine, ApertiumOptions
from dragoman.engines.base import LanguagePair, Segment
from dragoman.errors import EngineError, UnsupportedLanguagePairError
from tests.contract.test_engines import require_apertium_eng_spa

pytestmark = pytest.mark.apertium

UI_STRINGS = [
    "Save the file",
    "Open the settings",
    "The red car is fast.",
    "Delete this account?",
    "Your password has expired",
    "regular expression too big",
    "Invisible set",
    "ODS spreadsheet",
    "You have new messages",
    "Choose a language",
]


@pytest.fixture
def engine() -> Iterator[ApertiumEngine]:
    require_apertium_eng_spa()
    built = ApertiumEngine()
    yield built
    built.close()


def segments(texts: list[str]) -> list[Segment]:
    return [Segment(text) for text in texts]


def child_pids(engine: ApertiumEngine) -> set[int]:
    """Our children, read from /proc: each one's parent is this process."""
    mine = os.getpid()
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == mine and stat.split()[2] != "Z":
                found.add(int(entry.name))
    return found


def test_english_to_spanish(engine: ApertiumEngine) -> None:
    out = engine.translate_batch(
        segments(["Hello world", "The red car", "I have two dogs."]), "en", "es"
    )
    assert "Hola" in out[0]
    assert out[1] == "El coche rojo"
    assert out[2] == "Tengo dos perros."


def test_english_to_catalan(engine: ApertiumEngine) -> None:
    if not engine.supports("en", "ca"):
        pytest.skip("apertium-eng-cat is not installed")
    out = engine.translate_batch(segments(["Hello world", "The red car"]), "en", "ca")
    assert "Hola" in out[0]
    assert "vermell" in out[1]


def test_variants_fall_back_to_the_base_language(engine: ApertiumEngine) -> None:
    assert engine.resolve_pair("en-US", "es-419") == LanguagePair("en", "es")
    assert engine.resolve_pair("en", "es-ES") == LanguagePair("en", "es")
    if (engine.modes_dir / "eng-cat_valencia.mode").is_file():  # type: ignore[operator]
        assert engine.resolve_pair("en", "ca-ES-valencia") == LanguagePair("en", "ca-ES-valencia")
        assert engine.resolve_pair("en", "ca-valencia") == LanguagePair("en", "ca-ES-valencia")
        assert engine.resolve_pair("en", "ca") == LanguagePair("en", "ca")
    out = engine.translate_batch(segments(["The red car"]), "en-GB", "es-MX")
    assert out == ["El coche rojo"]


def test_language_pairs(engine: ApertiumEngine) -> None:
    pairs = set(engine.language_pairs())
    assert {LanguagePair("en", "es"), LanguagePair("es", "en")} <= pairs
    if (engine.modes_dir / "eng-cat.mode").is_file():  # type: ignore[operator]
        assert LanguagePair("en", "ca") in pairs
    assert all(pair.source != pair.target for pair in pairs)
    assert not any("iec2017" in pair.target or "bytecode" in pair.target for pair in pairs)


def test_missing_pair(engine: ApertiumEngine) -> None:
    assert not engine.supports("en", "ja")
    assert "apertium-" in engine.missing_pair_hint("en", "ja")
    assert engine.missing_pair_hint("es", "it") == "apt-get install apertium-spa-ita"
    with pytest.raises(UnsupportedLanguagePairError, match="en -> ja"):
        engine.translate_batch(segments(["Hello"]), "en", "ja")


def test_big_batch_has_no_cross_segment_bleeding(engine: ApertiumEngine) -> None:
    texts = [f"{UI_STRINGS[i % len(UI_STRINGS)]} {i}" for i in range(2000)]
    started = time.monotonic()
    out = engine.translate_batch(segments(texts), "en", "es")
    assert time.monotonic() - started < 30
    assert len(out) == 2000
    alone = {
        i: engine.translate_batch(segments([texts[i]]), "en", "es")[0] for i in range(0, 2000, 97)
    }
    assert {i: out[i] for i in alone} == alone
    assert all(text.split()[-1] == str(i) for i, text in enumerate(out))


def test_edges_entities_and_newlines_survive(engine: ApertiumEngine) -> None:
    texts = [
        "  Save the file\n",
        "Tom & Jerry <b> &amp; \"quoted\" 'single'",
        "First line\nsecond line",
        "a\\b [c] ^d$ /e@ {f} ~g",
        '<x id="1"/>Save<x id="2"/>',
    ]
    out = engine.translate_batch(segments(texts), "en", "es")
    assert out[0].startswith("  ") and out[0].endswith("\n") and "lima" in out[0]
    assert "&" in out[1] and "<b>" in out[1] and "&amp;" in out[1] and '"' in out[1]
    assert out[2].count("\n") == 1
    assert all(part in out[3] for part in ("\\b", "[c]", "^d$", "/e@", "{f}", "~g"))
    assert out[4].startswith('<x id="1"/>') and out[4].endswith('<x id="2"/>')


def test_lower_case_fragment_stays_lower_case(engine: ApertiumEngine) -> None:
    out = engine.translate_batch(segments(["regular expression too big", "Big file"]), "en", "es")
    assert out[0][0].islower() and out[1][0].isupper()


def test_killed_pipeline_restarts_transparently(engine: ApertiumEngine) -> None:
    first = engine.translate_batch(segments(UI_STRINGS), "en", "es")
    pipeline = engine._pipelines["eng-spa"][0]
    os.kill(pipeline.pids[len(pipeline.pids) // 2], signal.SIGKILL)
    assert engine.translate_batch(segments(UI_STRINGS), "en", "es") == first
    os.kill(pipeline.pids[0], signal.SIGKILL)
    time.sleep(0.2)  # now dead before the batch starts, not during it
    assert engine.translate_batch(segments(UI_STRINGS), "en", "es") == first


def test_hung_pipeline_fails_clearly(engine: ApertiumEngine) -> None:
    stuck = ApertiumEngine(ApertiumOptions(timeout_seconds=0.5))
    try:
        stuck.translate_batch(segments(["Hello"]), "en", "es")
        for pid in stuck._pipelines["eng-spa"][0].pids:
            os.kill(pid, signal.SIGSTOP)  # frozen, not dead: only the timeout can tell
        stuck._pipelines["eng-spa"][0].commands = [["sleep", "30"]]  # the restart hangs too
        with pytest.raises(EngineError, match="failed twice"):
            stuck.translate_batch(segments(["Hello"]), "en", "es")
    finally:
        stuck.close()


def test_no_process_per_string(engine: ApertiumEngine) -> None:
    engine.translate_batch(segments(UI_STRINGS), "en", "es")
    pids = set(engine._pipelines["eng-spa"][0].pids)
    before = child_pids(engine)
    assert pids <= before
    for n in range(100):
        engine.translate_batch(segments([f"{text} {n}" for text in UI_STRINGS]), "en", "es")
    assert set(engine._pipelines["eng-spa"][0].pids) == pids
    assert child_pids(engine) == before


def test_close_ends_every_process(engine: ApertiumEngine) -> None:
    engine.translate_batch(segments(UI_STRINGS), "en", "es")
    engine.translate_batch(segments(UI_STRINGS), "es", "en")
    pids = [pid for pool in engine._pipelines.values() for p in pool for pid in p.pids]
    assert len(engine._pipelines) == 2
    engine.close()
    assert not set(pids) & child_pids(engine)


def test_concurrent_calls_on_one_pair_run_on_separate_pipelines(engine: ApertiumEngine) -> None:
    barrier = threading.Barrier(3)
    results: list[list[str]] = []

    def call() -> None:
        barrier.wait()
        results.append(engine.translate_batch(segments(UI_STRINGS), "en", "es"))

    threads = [threading.Thread(target=call) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 3 and results[0] == results[1] == results[2]
    pool = engine._pipelines["eng-spa"]
    assert 1 <= len(pool) <= engine.pipelines_per_mode == 2  # never more than the setting
    assert all(not p.lock.locked() for p in pool)  # every pipeline handed back
