"""Apple .strings codec: encodings, GNUstep syntax, escapes written in the file's style."""

from __future__ import annotations

import copy
import random
import re
import time
from pathlib import Path

import pytest

from dragoman.content.formats.strings import StringsCodec
from dragoman.content.model import Limits, Unit
from dragoman.errors import FileFormatError, PayloadTooLargeError

FIXTURES = Path(__file__).parents[2] / "fixtures" / "formats" / "strings"
UTF16LE = (FIXTURES / "Localizable.strings").read_bytes()
GNUSTEP = (FIXTURES / "gnustep.strings").read_bytes()
CRLF = (FIXTURES / "InfoPlist-crlf.strings").read_bytes()
UTF16BE = (FIXTURES / "Settings-utf16be.strings").read_bytes()
CODEC = StringsCodec()


def _units(data: bytes, **limits: int) -> dict[str, Unit]:
    return {u.id: u for u in CODEC.parse(data, source_locale="en", limits=Limits(**limits)).units}


def _render(data: bytes, targets: dict[str, str], locale: str = "es") -> bytes:
    extraction = CODEC.parse(data, source_locale="en", limits=Limits())
    units = []
    for unit in extraction.units:
        unit = copy.copy(unit)
        unit.target = targets.get(unit.id)
        units.append(unit)
    return CODEC.render(extraction.skeleton, units, target_locale=locale)


def test_utf16_with_bom_is_read_with_notes_and_escapes_undone() -> None:
    units = _units(UTF16LE)
    assert units["ALERT_OFFLINE_TITLE"].source == "You\u2019re offline"
    assert units["ALERT_OFFLINE_TITLE"].notes == (
        "Title of the alert shown when the network is down.",
    )
    assert units["%ld unread in %@"].source == '%2$ld unread in "%1$@"'
    assert units["%ld unread in %@"].notes == (
        "Number of unread messages, shown in the badge tooltip.\n"
        "%1$@ is the folder, %2$ld the count.",
    )
    assert units["SETTINGS_PATH_HINT"].source == "C:\\Users\\name\\Documents"
    assert units["ALERT_OFFLINE_MESSAGE"].source.count("\n") == 1


def test_gnustep_syntax_unquoted_keys_next_line_values_and_line_comments() -> None:
    units = _units(GNUSTEP)
    assert units["Apply"].notes == ("Unquoted keys are legal in GNUstep's property-list syntax",)
    assert units["Revert to Defaults"].source == "Revert to Defaults"
    assert units["Restart required"].source == (
        "Some changes take effect\nonly after you restart the application."
    )
    assert units["Café"].source == "Café — menu"
    assert units["Use Tab\tkey"].source == 'Press "Tab"\tto move'


def test_changed_values_use_the_files_unicode_escape_style() -> None:
    target = 'Menú «del día» "hoy"\ny más'
    gnustep = _render(GNUSTEP, {"Café": target}).decode()
    assert '"Caf\\U00E9" = "Men\\U00FA \\U00AB' in gnustep
    # GNUstep's file breaks lines inside values, so a changed value does too.
    assert 'del d\\U00EDa\\U00BB \\"hoy\\"\ny m\\U00E1s";' in gnustep
    apple = _render(UTF16LE, {"Retry": target}).decode("utf-16")
    assert '"Retry" = "Men\\u00FA \\u00ABdel d\\u00EDa\\u00BB \\"hoy\\"\\ny m\\u00E1s";' in apple
    raw = _render(CRLF, {"CFBundleDisplayName": target}).decode("utf-8-sig")
    assert '"CFBundleDisplayName" = "Menú «del día» \\"hoy\\"\\ny más";\r\n' in raw


def test_only_changed_values_change() -> None:
    out = _render(GNUSTEP, {"Revert to Defaults": "Restablecer"})
    assert out == GNUSTEP.replace(b'  "Revert to Defaults";', b'  "Restablecer";')
    assert _render(GNUSTEP, {}) == GNUSTEP


@pytest.mark.parametrize(
    ("data", "bom", "encoding"),
    [(UTF16LE, b"\xff\xfe", "utf-16-le"), (UTF16BE, b"\xfe\xff", "utf-16-be"),
     (CRLF, b"\xef\xbb\xbf", "utf-8")],
)  # fmt: skip
def test_encoding_and_bom_are_kept(data: bytes, bom: bytes, encoding: str) -> None:
    out = _render(
        data, {"Cancel": "Cancelar", "CFBundleDisplayName": "Notas", "Retry": "Reintentar"}
    )
    assert out.startswith(bom)
    text = out[len(bom) :].decode(encoding)
    assert re.search(r'= "(Cancelar|Notas|Reintentar)";', text)


def test_utf16_without_bom_is_detected() -> None:
    data = '"Done" = "Done";\n'.encode("utf-16-le")
    assert _units(data)["Done"].source == "Done"
    assert _render(data, {"Done": "Hecho"}) == '"Done" = "Hecho";\n'.encode("utf-16-le")


def test_key_only_entry_gains_a_value() -> None:
    assert _units(UTF16BE)["OK"].source == "OK"
    out = _render(UTF16BE, {"OK": "Aceptar"}).decode("utf-16")
    assert '"OK" = "Aceptar";' in out


def test_repeated_keys_get_distinct_ids() -> None:
    units = _units(b'"a" = "1";\n"a" = "2";\n')
    assert [(u, units[u].source) for u in units] == [("a", "1"), ("a#2", "2")]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("en.lproj/Localizable.strings", "es.lproj/Localizable.strings"),
        ("App/Resources/Base.lproj/InfoPlist.strings", "App/Resources/es.lproj/InfoPlist.strings"),
        ("Localizable.strings", "es.lproj/Localizable.strings"),
        (None, "es.lproj/Localizable.strings"),
    ],
)
def test_output_filename(name: str | None, expected: str) -> None:
    assert CODEC.output_filename(name, "en", "es") == expected


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b'/* never closed\n"a" = "b";\n', "a /* comment is never closed (line 1)"),
        (b'"a" = "b";\n"c" = "d\n', "a quoted value is never closed (line 2)"),
        (b'"a" = "b"\n"c" = "d";\n', 'expected ;, found \'"c" = "d";\\n\' (line 2)'),
        (b'"a" = "\xff";', "not valid utf-8"),
        (b"\x89PNG\x00\x00\x00\x00\x00", "binary"),
    ],
)
def test_broken_files_are_refused(data: bytes, message: str) -> None:
    with pytest.raises(FileFormatError, match=re.escape(message)):
        _units(data)


def test_limits_are_enforced_quickly() -> None:
    many = b"".join(b'"k%d" = "v";\n' % i for i in range(500))
    with pytest.raises(FileFormatError, match="more than 100 entries"):
        _units(many, max_units=100)
    with pytest.raises(PayloadTooLargeError):
        _units(many, max_bytes=100)
    junk = random.Random(7).randbytes(1_000_000)
    started = time.perf_counter()
    with pytest.raises(FileFormatError):
        _units(junk)
    assert time.perf_counter() - started < 1.0
