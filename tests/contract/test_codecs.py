"""The codec contract, over every codec and every fixture in tests/fixtures/formats/<codec>/.

Fixtures are English source files (real ones from public projects where we have them).
"""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from dragoman.content.documents.inline import plain
from dragoman.content.formats import registry
from dragoman.content.formats.base import Codec
from dragoman.content.formats.fake import FakeCodec
from dragoman.content.model import ArtifactKind, Limits, Unit
from dragoman.content.plurals import target_forms

FIXTURES = Path(__file__).parent.parent / "fixtures" / "formats"
SOURCE = "en"
# Text that exercises every escape a format has: quotes, backslash, markup, newline, non-ASCII.
TRICKY = "«{text}» \"q\" 'a' \\ & <b> %% ñ 日本\nnext"


def _codec(name: str) -> Codec:
    return FakeCodec() if name == "fake" else registry.get(name)


def _fixtures() -> list[tuple[str, Path]]:
    out = []
    for folder in sorted(p for p in FIXTURES.iterdir() if p.is_dir()):
        for path in sorted(folder.iterdir()):
            if path.is_file() and not path.name.startswith("."):
                out.append((folder.name, path))
    return out


CASES = _fixtures()
IDS = [f"{name}/{path.name}" for name, path in CASES]


def _parse(codec: Codec, data: bytes) -> list[Unit]:
    return codec.parse(data, source_locale=SOURCE, limits=Limits()).units


def _read_back(codec: Codec, data: bytes) -> list[Unit]:
    """The units of a rendered file as a translator sees them: for a bilingual format
    (source and translation side by side) the translation is read from `meta`."""
    extraction = codec.parse(data, source_locale=SOURCE, limits=Limits())
    if not codec.bilingual:
        return extraction.units
    targets = extraction.meta.get("targets", {})
    plurals = extraction.meta.get("target_plurals", {})
    return [
        _with(u, targets.get(u.id, u.source), plurals.get(u.id, u.plural)) for u in extraction.units
    ]


def _with(unit: Unit, source: str, plural: dict[str, str] | None) -> Unit:
    unit = copy.copy(unit)
    unit.source, unit.plural = source, plural
    return unit


def _with_targets(units: list[Unit], locale: str, make: object) -> list[Unit]:
    out = []
    for unit in units:
        unit = copy.copy(unit)
        if unit.translatable:
            if unit.plural is not None:
                unit.target_plural = {
                    cat: make(text)  # type: ignore[operator]
                    for cat, text in target_forms(unit.plural, locale).items()
                }
            else:
                unit.target = make(unit.source)  # type: ignore[operator]
        out.append(unit)
    return out


@pytest.mark.parametrize(("name", "path"), CASES, ids=IDS)
def test_identity_round_trip_is_byte_identical(name: str, path: Path) -> None:
    codec = _codec(name)
    data = path.read_bytes()
    extraction = codec.parse(data, source_locale=SOURCE, limits=Limits())
    assert extraction.units, "a fixture should have something to translate"
    assert codec.render(extraction.skeleton, extraction.units, target_locale=SOURCE) == data


@pytest.mark.parametrize(("name", "path"), CASES, ids=IDS)
def test_targets_equal_to_sources_change_only_locale_markers(name: str, path: Path) -> None:
    codec = _codec(name)
    data = path.read_bytes()
    extraction = codec.parse(data, source_locale=SOURCE, limits=Limits())
    units = _with_targets(extraction.units, "en-GB", lambda text: text)
    out = codec.render(extraction.skeleton, units, target_locale="en-GB")
    again = _parse(codec, out)
    assert [u.id for u in again] == [u.id for u in extraction.units]
    assert [u.source for u in again] == [u.source for u in extraction.units]


@pytest.mark.parametrize(("name", "path"), CASES, ids=IDS)
def test_tricky_targets_are_escaped_in_the_files_own_style(name: str, path: Path) -> None:
    codec = _codec(name)
    extraction = codec.parse(path.read_bytes(), source_locale=SOURCE, limits=Limits())
    units = _with_targets(extraction.units, "de", lambda text: TRICKY.format(text=text))
    out = codec.render(extraction.skeleton, units, target_locale="de")
    if codec.kind == ArtifactKind.DOCUMENT:
        # Documents re-segment their text: compare what a reader sees, in document order.
        def seen(texts: list[str]) -> str:
            return "".join("".join(plain(t).split()) for t in texts)

        # A unit with a max_length (a sheet name) is cut and cleaned to what the format holds.
        again_units = codec.parse(out, source_locale="de", limits=Limits()).units
        assert seen([u.source for u in again_units if u.max_length is None]) == seen(
            [u.target or u.source for u in units if u.max_length is None]
        )
        return
    again = _read_back(codec, out)
    expected = {u.id: u for u in units}
    for unit in again:
        want = expected[unit.id]
        if not want.translatable:
            continue
        if want.plural is None:
            assert unit.source == want.target, unit.id
        else:
            assert unit.plural is not None, unit.id
            assert set(unit.plural) == set(want.target_plural or {}), unit.id
            assert unit.plural == want.target_plural, unit.id


@pytest.mark.parametrize(("name", "path"), CASES, ids=IDS)
def test_render_leaves_the_skeleton_alone(name: str, path: Path) -> None:
    codec = _codec(name)
    extraction = codec.parse(path.read_bytes(), source_locale=SOURCE, limits=Limits())
    first = codec.render(
        extraction.skeleton,
        _with_targets(extraction.units, "fr", lambda t: f"[{t}]"),
        target_locale="fr",
    )
    codec.render(
        extraction.skeleton, _with_targets(extraction.units, "ru", str.upper), target_locale="ru"
    )
    again = codec.render(
        extraction.skeleton,
        _with_targets(extraction.units, "fr", lambda t: f"[{t}]"),
        target_locale="fr",
    )
    assert again == first
    assert codec.render(extraction.skeleton, extraction.units, target_locale=SOURCE) == (
        path.read_bytes()
    )


@pytest.mark.parametrize(("name", "path"), CASES, ids=IDS)
def test_plural_units_get_the_targets_categories(name: str, path: Path) -> None:
    codec = _codec(name)
    extraction = codec.parse(path.read_bytes(), source_locale=SOURCE, limits=Limits())
    if not any(u.plural for u in extraction.units):
        pytest.skip("no plural units in this fixture")
    for locale, cats in (("ru", {"one", "few", "many", "other"}), ("ja", {"other"})):
        units = _with_targets(extraction.units, locale, lambda t: t)
        again = _read_back(codec, codec.render(extraction.skeleton, units, target_locale=locale))
        for unit in again:
            if unit.plural is not None:
                assert cats <= set(unit.plural), (locale, unit.id, unit.plural)


@pytest.mark.parametrize("name", registry.names())
def test_registry_extension_table_matches_each_codec(name: str) -> None:
    codec = registry.get(name)
    assert codec.name == name
    for extension in codec.extensions:
        assert name in registry.EXTENSIONS[extension], (name, extension)
    listed = {ext for ext, names in registry.EXTENSIONS.items() if name in names}
    assert listed <= set(codec.extensions), (name, listed)
