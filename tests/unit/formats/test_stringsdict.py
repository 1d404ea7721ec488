"""stringsdict codec: plural rules by category, spliced XML that plistlib still reads."""

from __future__ import annotations

import copy
import plistlib
import random
import re
import time
from pathlib import Path

import pytest

from dragoman.content.formats.stringsdict import StringsdictCodec
from dragoman.content.model import Limits, Unit
from dragoman.content.plurals import target_forms
from dragoman.errors import FileFormatError, PayloadTooLargeError

FIXTURES = Path(__file__).parents[2] / "fixtures" / "formats" / "stringsdict"
TABS = (FIXTURES / "Localizable.stringsdict").read_bytes()
CRLF = (FIXTURES / "Sync-crlf.stringsdict").read_bytes()
CODEC = StringsdictCodec()
CATEGORIES = {"zero", "one", "two", "few", "many", "other"}


def _units(data: bytes, **limits: int) -> dict[str, Unit]:
    return {u.id: u for u in CODEC.parse(data, source_locale="en", limits=Limits(**limits)).units}


def _translate(data: bytes, locale: str) -> bytes:
    extraction = CODEC.parse(data, source_locale="en", limits=Limits())
    units = []
    for unit in extraction.units:
        unit = copy.copy(unit)
        if unit.plural is not None:
            forms = target_forms(unit.plural, locale)
            unit.target_plural = {cat: f"[{locale}:{cat}] {text}" for cat, text in forms.items()}
        elif unit.translatable:
            unit.target = f"[{locale}] {unit.source}"
        units.append(unit)
    return CODEC.render(extraction.skeleton, units, target_locale=locale)


def test_plural_variables_become_plural_units() -> None:
    units = _units(TABS)
    photos = units["%1$ld photos in %2$ld albums/photos"]
    assert photos.plural == {"one": "%1$ld photo", "other": "%1$ld photos"}
    assert photos.context == ("%1$ld photos in %2$ld albums", "photos")
    assert units["Share %d items/items"].plural == {
        "one": "Share & save %d item",
        "other": "Share & save %d items",
    }
    # A bare `%#@var@` has nothing to translate; words around variables do.
    assert not units["%d unread messages/NSStringLocalizedFormatKey"].translatable
    assert units["%1$ld photos in %2$ld albums/NSStringLocalizedFormatKey"].translatable
    assert units["Welcome/NSStringVariableWidthRuleType/50"].source == "Welcome back"
    assert _units(CRLF)["files_remaining/files"].plural == {
        "zero": "No files", "one": "One file", "other": "%lu files",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("es", {"one", "many", "other"}),
        ("ru", {"one", "few", "many", "other"}),
        ("ja", {"other"}),
        ("ar", CATEGORIES),
    ],
)
@pytest.mark.parametrize("data", [TABS, CRLF], ids=["tabs", "crlf"])
def test_rules_hold_exactly_the_targets_categories(
    data: bytes, locale: str, expected: set[str]
) -> None:
    out = _translate(data, locale)
    tree = plistlib.loads(out)
    source = plistlib.loads(data)
    assert tree.keys() == source.keys()
    for key, entry in tree.items():
        if not isinstance(entry, dict):
            assert entry == f"[{locale}] {source[key]}"
            continue
        for name, rule in entry.items():
            if not isinstance(rule, dict) or "NSStringFormatSpecTypeKey" not in rule:
                continue
            had_zero = "zero" in source[key][name]
            assert set(rule) & CATEGORIES == expected | ({"zero"} if had_zero else set())
            assert (
                rule["NSStringFormatValueTypeKey"]
                == source[key][name]["NSStringFormatValueTypeKey"]
            )
            for cat in set(rule) & CATEGORIES:
                assert rule[cat].startswith(f"[{locale}:{cat}] ")


def test_new_categories_are_written_in_cldr_order_like_their_siblings() -> None:
    text = _translate(CRLF, "ru").decode()
    assert (
        "        <key>zero</key>\r\n        <string>[ru:zero] No files</string>\r\n"
        # ru `one` also means 21, 31...: it takes `other`'s text, which carries the number.
        "        <key>one</key>\r\n        <string>[ru:one] %lu files</string>\r\n"
        "        <key>few</key>\r\n        <string>[ru:few] %lu files</string>\r\n"
        "        <key>many</key>\r\n        <string>[ru:many] %lu files</string>\r\n"
        "        <key>other</key>\r\n        <string>[ru:other] %lu files</string>\r\n"
        "      </dict>"
    ) in text
    assert text.count("\n") == text.count("\r\n")


def test_untouched_parts_stay_byte_identical() -> None:
    extraction = CODEC.parse(TABS, source_locale="en", limits=Limits())
    assert CODEC.render(extraction.skeleton, extraction.units, target_locale="de") == TABS
    units = [copy.copy(u) for u in extraction.units]
    welcome = next(u for u in units if u.id == "Welcome/NSStringVariableWidthRuleType/20")
    welcome.target = "Hola <3 & más"
    out = CODEC.render(extraction.skeleton, units, target_locale="es")
    assert out == TABS.replace(
        b"<string>Hi</string>", "<string>Hola &lt;3 &amp; más</string>".encode()
    )
    assert _units(out)["Welcome/NSStringVariableWidthRuleType/20"].source == "Hola <3 & más"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>'
         b"<plist><dict><key>a</key><string>&lol2;</string></dict></plist>", "entity"),
        (b'<?xml version="1.0"?>\n<!DOCTYPE p [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
         b"<plist><dict><key>a</key><string>&x;</string></dict></plist>", "entity"),
        (b"<plist>\n<dict>\n<key>a</key>\n<string>b</dict></plist>", "not well-formed XML"),
        (b"<plist><array><string>a</string></array></plist>", "holds a <dict>, not <array>"),
        (b"<plist><dict><key>k</key><dict><key>v</key><dict>"
         b"<key>NSStringFormatSpecTypeKey</key><string>NSStringPluralRuleType</string>"
         b"<key>one</key><string>1</string></dict></dict></dict></plist>", "has no 'other' form"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "not well-formed XML"),
    ],
)  # fmt: skip
def test_hostile_and_broken_files_are_refused(data: bytes, message: str) -> None:
    with pytest.raises(FileFormatError, match=re.escape(message)):
        _units(data)


def test_limits_are_enforced_quickly() -> None:
    deep = b"<plist>" + b"<dict><key>a</key>" * 100 + b"<string/>" + b"</dict>" * 100 + b"</plist>"
    with pytest.raises(FileFormatError, match="nests deeper than 64"):
        _units(deep)
    with pytest.raises(PayloadTooLargeError):
        _units(TABS, max_bytes=100)
    with pytest.raises(FileFormatError, match="more than 3 strings"):
        _units(TABS, max_units=3)
    junk = random.Random(7).randbytes(1_000_000)
    started = time.perf_counter()
    with pytest.raises(FileFormatError):
        _units(junk)
    assert time.perf_counter() - started < 1.0


def test_output_filename() -> None:
    assert (
        CODEC.output_filename("en.lproj/Localizable.stringsdict", "en", "ru")
        == "ru.lproj/Localizable.stringsdict"
    )
