"""One contract for every engine: pseudo always, Apertium when installed (and always under CI)."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable, Iterator

import pytest

from dragoman.engines.apertium import ApertiumEngine
from dragoman.engines.apertium_pipeline import find_modes_dir
from dragoman.engines.base import Engine, Segment
from dragoman.engines.identity import IdentityEngine
from dragoman.engines.pseudo import PseudoEngine


def require_apertium_eng_spa() -> None:
    """Skip when Apertium or its eng-spa mode is missing, but fail when `CI` is set."""
    modes = find_modes_dir("apertium")
    if shutil.which("apertium") and modes and (modes / "eng-spa.mode").is_file():
        return
    message = "Apertium with the eng-spa mode is not installed (apt-get install apertium-eng-spa)"
    if os.environ.get("CI"):
        pytest.fail(f"{message}, and CI is set: it must run")
    pytest.skip(message)


def _apertium() -> Engine:
    require_apertium_eng_spa()
    return ApertiumEngine()


FACTORIES: dict[str, Callable[[], Engine]] = {
    "pseudo": PseudoEngine,
    "apertium": _apertium,
    "identity": IdentityEngine,
}


@pytest.fixture(params=sorted(FACTORIES))
def engine(request: pytest.FixtureRequest) -> Iterator[Engine]:
    if request.param == "apertium":
        request.applymarker(pytest.mark.apertium)
    built = FACTORIES[request.param]()
    yield built
    built.close()


SENTENCES = [
    "Save the file",
    'Open <x id="1"/>the settings<x id="2"/> now',
    'You have <x id="3"/> new messages',
    "The red car is fast.",
    "Delete this account?",
]


def batch(texts: list[str]) -> list[Segment]:
    return [Segment(text) for text in texts]


def test_one_string_per_segment_in_order(engine: Engine) -> None:
    texts = [f"{sentence} {n}" for n in range(40) for sentence in SENTENCES]
    out = engine.translate_batch(batch(texts), "en", "es")
    assert len(out) == len(texts)
    assert all(isinstance(text, str) and text for text in out)
    # Each output carries its input's number, so outputs cannot be shuffled or merged.
    for text, translated in zip(texts, out, strict=True):
        assert translated.rstrip("~]").split()[-1].strip(".?~]") == text.split()[-1]


def test_markers_come_back_exactly_once(engine: Engine) -> None:
    texts = ['Click <x id="1"/>here<x id="2"/> to continue', '<x id="7"/> files were deleted']
    out = engine.translate_batch(batch(texts), "en", "es")
    for text, translated in zip(texts, out, strict=True):
        for marker in ('<x id="1"/>', '<x id="2"/>', '<x id="7"/>'):
            assert translated.count(marker) == text.count(marker)


def test_empty_batch(engine: Engine) -> None:
    assert engine.translate_batch([], "en", "es") == []


@pytest.mark.parametrize(
    "text", ["", "   ", "\n\t ", "...", "42", "#1 · 2/3 (100%)", '<x id="1"/>', "— !"]
)
def test_segment_without_words_comes_back_unchanged(engine: Engine, text: str) -> None:
    assert engine.translate_batch(batch([text, "Hello"]), "en", "es")[0] == text


def test_supports_what_it_lists(engine: Engine) -> None:
    assert engine.supports("en", "es")
    assert not engine.supports("en", "not a tag")
    for pair in engine.language_pairs():
        assert engine.supports(pair.source, pair.target)


def test_threads_share_one_engine(engine: Engine) -> None:
    jobs = [[f"{sentence} (job {j})" for sentence in SENTENCES * 10] for j in range(8)]
    expected = [engine.translate_batch(batch(texts), "en", "es") for texts in jobs]
    results: dict[int, list[str]] = {}

    def work(j: int) -> None:
        for _ in range(3):
            results[j] = engine.translate_batch(batch(jobs[j]), "en", "es")

    threads = [threading.Thread(target=work, args=(j,)) for j in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert [results[j] for j in range(8)] == expected


def test_close_then_reuse_starts_again(engine: Engine) -> None:
    first = engine.translate_batch(batch(SENTENCES), "en", "es")
    engine.close()
    assert engine.translate_batch(batch(SENTENCES), "en", "es") == first
    engine.close()
    engine.close()  # closing twice is harmless
