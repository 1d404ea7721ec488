"""Qt Linguist .ts: messages, numerus forms per target language, unfinished flags."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from dragoman.content.formats.qt import QtTsCodec
from dragoman.content.model import Extraction, Limits
from dragoman.content.plurals import ordered_categories, target_forms

FIXTURE = Path(__file__).parents[2] / "fixtures" / "formats" / "ts" / "notepad_en.ts"
CODEC = QtTsCodec()
LINES = "MainWindow::%n line(s) selected"
DELETE = "PreferencesDialog::Delete %n file(s)?"


def _extract(data: bytes) -> Extraction:
    return CODEC.parse(data, source_locale="en", limits=Limits())


def _render(locale: str, targets: dict[str, str], plural: bool = False) -> bytes:
    extraction = _extract(FIXTURE.read_bytes())
    units = []
    for unit in extraction.units:
        unit = copy.copy(unit)
        unit.target = targets.get(unit.id)
        if plural and unit.plural:
            forms = target_forms(unit.plural, locale)
            unit.target_plural = {cat: f"{cat}: {text}" for cat, text in forms.items()}
        units.append(unit)
    return CODEC.render(extraction.skeleton, units, target_locale=locale)


def test_messages_become_units_with_context_and_notes() -> None:
    extraction = _extract(FIXTURE.read_bytes())
    units = {u.id: u for u in extraction.units}
    quoted = units['MainWindow::Could not open "%1": %2']
    assert quoted.source == 'Could not open "%1": %2'
    assert quoted.context == ("MainWindow",)
    assert quoted.notes == ("%1 is a file name, %2 the system's error message",)
    assert units["MainWindow::&Open::menu entry"].notes == ("menu entry",)
    assert "MainWindow::&Open::toolbar tooltip" in units
    assert units[LINES].plural == {"one": "%n line(s) selected", "other": "%n line(s) selected"}
    assert not units["PreferencesDialog::Legacy option"].translatable
    assert extraction.meta["targets"]["MainWindow::&Open::menu entry"] == "&Open"


def test_render_fills_translation_and_drops_unfinished() -> None:
    out = _render(
        "de",
        {
            "MainWindow::Notepad": "Editor",
            'MainWindow::Could not open "%1": %2': "Konnte „%1“ nicht öffnen: %2 - l'erreur",
            "MainWindow::&Open::toolbar tooltip": "Ö&ffnen <b>",
            "PreferencesDialog::Legacy option": "NEIN",
        },
    )
    assert b'<TS version="2.1" language="de" sourcelanguage="en_US">' in out
    assert b"<source>Notepad</source>\n        <translation>Editor</translation>" in out
    assert "<translation>Konnte „%1“ nicht öffnen: %2 - l&apos;erreur</translation>".encode() in out
    assert "<translation>Ö&amp;ffnen &lt;b&gt;</translation>".encode() in out
    assert b'<translation type="vanished">Legacy option</translation>' in out
    assert out.count(b'type="unfinished"') == 4
    tree = etree.fromstring(out)
    assert tree.get("language") == "de"


def test_identity_is_byte_identical_and_same_translation_keeps_bytes() -> None:
    data = FIXTURE.read_bytes()
    assert _render("en", {}) == data
    assert _render("en", {"MainWindow::&Open::menu entry": "&Open"}) == data


@pytest.mark.parametrize("locale", ["es", "ru", "ja", "ar"])
def test_numerus_forms_follow_the_targets_categories(locale: str) -> None:
    out = _render(locale, {}, plural=True)
    tree = etree.fromstring(out)
    cats = ordered_categories(locale)
    for message in tree.iter("message"):
        if message.get("numerus") == "yes":
            translation = message.find("translation")
            assert translation is not None
            assert translation.get("type") is None
            forms = [n.text for n in translation.iter("numerusform")]
            assert [f.split(":")[0] for f in forms if f] == cats
    again = _extract(out).meta["target_plurals"]
    assert list(again[LINES]) == cats
    assert again[DELETE]["other"] == "other: Delete %n file(s)?"
    # Forms sit on their own lines with the file's indentation, filled or newly created.
    assert (
        b"\n            <numerusform>other: %n line(s) selected</numerusform>"
        b"\n        </translation>" in out
    )
    assert (
        b"\n            <numerusform>other: Delete %n file(s)?</numerusform>"
        b"\n        </translation>" in out
    )


def test_output_filename_and_sniff() -> None:
    assert CODEC.output_filename("notepad_en.ts", "en", "pt-BR") == "notepad_pt_BR.ts"
    assert CODEC.output_filename("i18n/notepad.ts", "en", "de") == "i18n/notepad_de.ts"
    assert CODEC.output_filename("notepad.en.ts", "en", "de") == "notepad.de.ts"
    assert CODEC.sniff(FIXTURE.read_bytes()[:4096])


@given(
    target=st.text(
        st.one_of(
            st.characters(exclude_categories=("Cs", "Cc", "Cn")), st.sampled_from("\n\t&<>'\"")
        ),
        max_size=40,
    )
)
def test_any_target_reads_back_as_written(target: str) -> None:
    out = _render("de", {"MainWindow::Notepad": target})
    assert _extract(out).meta["targets"]["MainWindow::Notepad"] == target
