"""The identity engine: any valid pair, every segment returned exactly as it came."""

from __future__ import annotations

from dragoman.engines.base import Segment
from dragoman.engines.identity import IdentityEngine


def test_every_target_equals_its_source() -> None:
    texts = ["Save the file", 'Open <x id="1"/>settings<x id="2"/>', "", "  ", "42", "%s & <b>"]
    out = IdentityEngine().translate_batch([Segment(t, ("hint",)) for t in texts], "en", "de")
    assert out == texts


def test_any_valid_pair_and_no_invalid_one() -> None:
    engine = IdentityEngine()
    assert engine.name == "identity"
    assert engine.any_pair and engine.language_pairs() == []
    assert engine.supports("en", "fr") and engine.supports("ja", "pt-BR")
    assert engine.supports("fr", "fr")
    assert not engine.supports("en", "?")
    assert not engine.supports("not a tag", "en")
