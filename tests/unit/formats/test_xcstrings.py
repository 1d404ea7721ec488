"""xcstrings codec: units from the source localization, the target's added in Xcode's layout."""

from __future__ import annotations

import copy
import json
import random
import re
import time
from pathlib import Path
from typing import Any

import pytest

from dragoman.content.formats._apple_json import JsonStyle, dump
from dragoman.content.formats.xcstrings import XcstringsCodec
from dragoman.content.model import Limits, Unit
from dragoman.content.plurals import target_forms
from dragoman.errors import FileFormatError, PayloadTooLargeError

FIXTURES = Path(__file__).parents[2] / "fixtures" / "formats" / "xcstrings"
CATALOG = (FIXTURES / "Localizable.xcstrings").read_bytes()
CODEC = XcstringsCodec()


def _units(data: bytes, source: str = "en", **limits: int) -> dict[str, Unit]:
    return {u.id: u for u in CODEC.parse(data, source_locale=source, limits=Limits(**limits)).units}


def _translate(data: bytes, locale: str) -> bytes:
    extraction = CODEC.parse(data, source_locale="en", limits=Limits())
    units = []
    for unit in extraction.units:
        unit = copy.copy(unit)
        if unit.plural is not None:
            forms = target_forms(unit.plural, locale)
            unit.target_plural = {cat: f"[{locale}:{cat}] {text}" for cat, text in forms.items()}
        else:
            unit.target = f"[{locale}] {unit.source}"
        units.append(unit)
    return CODEC.render(extraction.skeleton, units, target_locale=locale)


def test_units_come_from_the_source_localization_or_the_key() -> None:
    units = _units(CATALOG)
    assert units["%@ liked your photo"].notes == ("Notification body; %@ is the friend's name.",)
    assert units["Delete “%@”?"].source == 'Delete "%@"?\nThis can\'t be undone.'
    assert units["Cancel"].source == "Cancel" and units["Cancel"].translatable
    assert units["%lld photos"].plural == {"one": "%lld photo", "other": "%lld photos"}
    assert not units["PhotoShare"].translatable  # shouldTranslate: false
    assert not units[""].translatable
    assert not units["Saved %1$lld photos to %2$@"].translatable  # substitutions, kept as is
    # Asked for German, the catalog's German is the source where it has one.
    assert _units(_translate(CATALOG, "de"), "de")["Cancel"].source == "[de] Cancel"


def test_translations_already_in_the_catalog_are_listed_by_language() -> None:
    meta = CODEC.parse(CATALOG, source_locale="en", limits=Limits()).meta
    assert meta["translations"] == {} and meta["targets"] == {}
    german = CODEC.parse(_translate(CATALOG, "de"), source_locale="en", limits=Limits()).meta
    assert german["targets"]["Cancel"] == "[de] Cancel"
    assert german["target_plurals"]["%lld photos"] == {
        "one": "[de:one] %lld photo",
        "other": "[de:other] %lld photos",
    }
    assert "PhotoShare" not in german["targets"]
    both = _translate(_translate(CATALOG, "de"), "fr")
    meta = CODEC.parse(both, source_locale="en", limits=Limits()).meta
    assert meta["targets"] == {}  # two languages: no single target side
    assert meta["translations"]["fr"]["Cancel"] == "[fr] Cancel"
    assert meta["translations"]["de"]["Cancel"] == "[de] Cancel"


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("es", ["many", "one", "other"]),
        ("ru", ["few", "many", "one", "other"]),
        ("ja", ["other"]),
        ("ar", ["few", "many", "one", "other", "two", "zero"]),
    ],
)
def test_target_localizations_are_added_with_the_targets_categories(
    locale: str, expected: list[str]
) -> None:
    out = _translate(CATALOG, locale)
    tree, source = json.loads(out), json.loads(CATALOG)
    plural = tree["strings"]["%lld photos"]["localizations"][locale]["variations"]["plural"]
    assert list(plural) == expected
    assert plural["one" if "one" in expected else "other"]["stringUnit"] == {
        "state": "translated",
        "value": f"[{locale}:{'one' if 'one' in expected else 'other'}] %lld photo"
        + ("" if "one" in expected else "s"),
    }
    cancel = tree["strings"]["Cancel"]["localizations"][locale]["stringUnit"]
    assert cancel == {"state": "translated", "value": f"[{locale}] Cancel"}
    # Everything the catalog had is still there, unchanged; untranslatable keys got nothing.
    assert _without(tree, locale) == source
    assert tree["strings"]["PhotoShare"] == {"shouldTranslate": False}


def _without(tree: dict[str, Any], locale: str) -> dict[str, Any]:
    out = copy.deepcopy(tree)
    for entry in out["strings"].values():
        entry.get("localizations", {}).pop(locale, None)
        if entry.get("localizations") == {}:
            del entry["localizations"]
    return out


def test_the_output_keeps_xcodes_layout() -> None:
    for locale in ("es", "de", "zh-Hans"):
        out = _translate(CATALOG, locale).decode()
        assert dump(json.loads(out), JsonStyle(), "") + "\n" == out
    assert CATALOG.decode() == dump(json.loads(CATALOG), JsonStyle(), "") + "\n"


def test_an_existing_target_localization_is_replaced() -> None:
    once = _translate(CATALOG, "de")
    extraction = CODEC.parse(once, source_locale="en", limits=Limits())
    units = [copy.copy(u) for u in extraction.units]
    liked = next(u for u in units if u.id == "%@ liked your photo")
    liked.target = "%@ gefällt dein Foto"
    out = CODEC.render(extraction.skeleton, units, target_locale="de")
    entry = json.loads(out)["strings"]["%@ liked your photo"]["localizations"]
    assert entry["de"]["stringUnit"]["value"] == "%@ gefällt dein Foto"
    assert entry["en"]["stringUnit"]["state"] == "new"
    assert out == once.replace(b'"[de] %@ liked your photo"', '"%@ gefällt dein Foto"'.encode())


def test_unchanged_render_is_identical_and_four_space_files_keep_their_style() -> None:
    extraction = CODEC.parse(CATALOG, source_locale="en", limits=Limits())
    assert CODEC.render(extraction.skeleton, extraction.units, target_locale="fr") == CATALOG
    four = json.dumps(json.loads(CATALOG), indent=4, ensure_ascii=False).encode()
    out = _translate(four, "fr").decode()
    assert '\n                "fr": {\n                    "stringUnit": {\n' in out
    assert json.loads(out)["strings"]["Cancel"]["localizations"]["fr"]["stringUnit"]["value"] == (
        "[fr] Cancel"
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b'{"sourceLanguage": "en"}', "needs `sourceLanguage` and a `strings` object"),
        (b'{"sourceLanguage": "en", "strings": {"a": 1}}', "the entry for 'a' is not an object"),
        (b'{"sourceLanguage": "en",\n "strings": {"a": {}}', "expected ',', found '' (line 2)"),
        (b'{"sourceLanguage": "en", "strings": {}} x', "text after the JSON value"),
        (b"\xff\xfe{", "not UTF-8"),
        (
            b'{"sourceLanguage": "en", "strings": {"a": {"b": {"c": {"d": 1%s}}}}}' % (b"0" * 9999),
            "a number too long to read (line 1)",
        ),
    ],
)
def test_broken_catalogs_are_refused(data: bytes, message: str) -> None:
    with pytest.raises(FileFormatError, match=re.escape(message)):
        _units(data)


def test_limits_are_enforced_quickly() -> None:
    deep = b'{"sourceLanguage": "en", "strings": ' + b'{"a": ' * 100 + b"{}" + b"}" * 101
    with pytest.raises(FileFormatError, match="nests deeper than 64"):
        _units(deep)
    with pytest.raises(PayloadTooLargeError):
        _units(CATALOG, max_bytes=100)
    with pytest.raises(FileFormatError, match="more than 3 strings"):
        _units(CATALOG, max_units=3)
    junk = random.Random(7).randbytes(1_000_000)
    started = time.perf_counter()
    with pytest.raises(FileFormatError):
        _units(junk)
    assert time.perf_counter() - started < 1.0


def test_output_filename_keeps_the_catalog_name() -> None:
    assert CODEC.output_filename("App/Localizable.xcstrings", "en", "es") == (
        "App/Localizable.xcstrings"
    )
