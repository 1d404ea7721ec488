"""Apertium codes and mode names <-> BCP-47."""

from __future__ import annotations

import pytest

from dragoman.engines.languages import (
    apertium_to_locale,
    best_direction,
    package_hint,
    parse_mode_name,
    to_apertium,
)


@pytest.mark.parametrize(
    ("mode", "source", "target"),
    [
        ("eng-spa", "en", "es"),
        ("spa-eng", "es", "en"),
        ("eng-cat", "en", "ca"),
        ("cat-eng", "ca", "en"),
        ("eng-cat_valencia", "en", "ca-ES-valencia"),
        ("spa-eng_US", "es", "en-US"),
        ("en-gl", "en", "gl"),
        ("gl-en", "gl", "en"),
        ("en-eo", "en", "eo"),
        ("eo-en", "eo", "en"),
        ("por-cat", "pt", "ca"),
        ("nno-nob", "nn", "nb"),
    ],
)
def test_translation_modes(mode: str, source: str, target: str) -> None:
    direction = parse_mode_name(mode)
    assert direction is not None
    assert (direction.source.tag, direction.target.tag) == (source, target)


@pytest.mark.parametrize(
    "mode",
    [
        "en-eo-bytecode",
        "en-eo-bytecode-cg",
        "eo-en-bytecode",
        "eo-en-compounds",
        "eo-en-j",
        "eo-en-malnova-kun-3-etapoj",
        "eng-cat_iec2017",
        "eng-cat_valencia_iec2017",
        "eng-cat_valencia_uni",
        "eng-spa-tagger",
        "eng-eng",
        "README",
    ],
)
def test_modes_that_are_not_translation_directions(mode: str) -> None:
    assert parse_mode_name(mode) is None


def test_codes() -> None:
    assert apertium_to_locale("glg") == apertium_to_locale("gl")
    assert apertium_to_locale("cat_iec2017") is None
    assert to_apertium("es") == "spa"
    assert to_apertium("es-419") == "spa"
    assert to_apertium("gl", three_letter=False) == "gl"
    assert to_apertium("not a tag") is None


MODES = ["eng-spa", "spa-eng", "eng-cat", "eng-cat_valencia", "spa-eng_US", "cat-eng"]
DIRECTIONS = [d for d in map(parse_mode_name, MODES) if d]


@pytest.mark.parametrize(
    ("source", "target", "mode"),
    [
        ("en", "es", "eng-spa"),
        ("en-US", "es-ES", "eng-spa"),
        ("en_GB", "es-419", "eng-spa"),
        ("en", "ca", "eng-cat"),
        ("en", "ca-ES", "eng-cat"),
        ("en", "ca-ES-valencia", "eng-cat_valencia"),
        ("en", "ca-valencia", "eng-cat_valencia"),
        ("es", "en", "spa-eng"),
        ("es", "en-GB", "spa-eng"),
        ("es", "en-US", "spa-eng_US"),
        ("en", "fr", None),
        ("ca", "es", None),
        ("xx yy", "es", None),
    ],
)
def test_best_direction(source: str, target: str, mode: str | None) -> None:
    found = best_direction(DIRECTIONS, source, target)
    assert (found.mode if found else None) == mode


def test_package_hint_names_real_debian_packages() -> None:
    assert package_hint("en", "es") == "apt-get install apertium-eng-spa"
    assert package_hint("es", "en") == "apt-get install apertium-eng-spa"
    assert package_hint("gl", "en") == "apt-get install apertium-en-gl"
    assert package_hint("ca", "es") == "apt-get install apertium-spa-cat"
    hint = package_hint("en", "ja")
    assert "apertium-eng-jpn" in hint and "apt-cache search apertium" in hint
