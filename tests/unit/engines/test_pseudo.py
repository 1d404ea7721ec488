"""Pseudo-localization: accented, padded, bracketed, markers untouched."""

from __future__ import annotations

from dragoman.engines.base import Segment
from dragoman.engines.pseudo import PseudoEngine, pseudo_localize


def test_accents_padding_and_brackets() -> None:
    out = pseudo_localize("Save the file")
    assert out.startswith("[Šávé ţĥé ƒ".replace("ƒ", "f")) and out.endswith("]")
    body = out[1:-1].rstrip("~")
    assert len(body) == len("Save the file")
    assert 1.3 <= (len(out) - 2) / len("Save the file") <= 1.4


def test_markers_are_untouched() -> None:
    out = pseudo_localize('Open <x id="12"/>settings<x id="3"/>')
    assert '<x id="12"/>' in out and '<x id="3"/>' in out
    assert out.index('<x id="12"/>') < out.index('<x id="3"/>')


def test_text_without_words_is_unchanged() -> None:
    for text in ("", "  ", "...", "42", '<x id="1"/>'):
        assert pseudo_localize(text) == text


def test_any_valid_pair() -> None:
    engine = PseudoEngine()
    assert engine.any_pair and engine.language_pairs() == []
    assert engine.supports("en", "qps-ploc") or engine.supports("en", "de")
    assert engine.supports("ja", "pt-BR")
    assert not engine.supports("en", "?")
    assert engine.translate_batch([Segment("Hi")], "en", "de") == [pseudo_localize("Hi")]
