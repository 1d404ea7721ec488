"""Android strings.xml: escapes, whitespace, markup, plurals, arrays, file names."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from dragoman.content.formats.android import AndroidCodec, android_qualifier
from dragoman.content.model import Limits, Unit
from dragoman.content.plurals import ordered_categories, target_forms
from dragoman.errors import FileFormatError

FIXTURE = Path(__file__).parents[2] / "fixtures" / "formats" / "android" / "strings.xml"
CODEC = AndroidCodec()
HEAD = b'<?xml version="1.0" encoding="utf-8"?>\n<resources>\n'


def _parse(data: bytes) -> list[Unit]:
    return CODEC.parse(data, source_locale="en", limits=Limits()).units


def _render(data: bytes, targets: dict[str, str], locale: str = "de") -> bytes:
    extraction = CODEC.parse(data, source_locale="en", limits=Limits())
    units = []
    for unit in extraction.units:
        unit = copy.copy(unit)
        unit.target = targets.get(unit.id)
        units.append(unit)
    return CODEC.render(extraction.skeleton, units, target_locale=locale)


def _doc(body: str) -> bytes:
    return HEAD + body.encode() + b"\n</resources>\n"


def test_fixture_units_decode_android_escapes_and_keep_markup() -> None:
    units = {u.id: u for u in _parse(FIXTURE.read_bytes())}
    assert units["empty_notes"].source == "You don't have any notes yet."
    assert units["note_deleted"].source == (
        'Note "<xliff:g id="title" example="Groceries">%1$s</xliff:g>" deleted'
    )
    assert units["note_deleted"].notes == ("Shown after a note is deleted. [CHAR LIMIT=40]",)
    assert units["settings_sync_summary"].source == (
        "Sync your notes across devices when you are on Wi-Fi."
    )
    assert units["padded"].source == "  Indented  "
    assert units["question"].source == "?"
    assert units["handle"].source == "@notebook"
    assert units["share_subject"].source == "Note from %1$s & friends"
    assert units["unicode_escape"].source == "Café au lait"
    assert units["terms"].source.startswith('By signing in you accept the <a href="https')
    assert not units["app_name"].translatable
    assert not units["link_label"].translatable
    assert not units["sort_orders[2]"].translatable
    assert not units["colors[0]"].translatable
    assert units["sort_orders[1]"].source == "By title"
    assert units["sort_orders[1]"].context == ("sort_orders",)
    assert "default_title#tablet" in units
    assert "default_title" in units


def test_changed_value_is_written_with_android_escapes() -> None:
    data = _doc('    <string name="a">x</string>\n    <string name="b">y</string>')
    out = _render(data, {"a": 'L\'été "chaud" & <froid>\n\tfin \\ ok', "b": "@home"})
    assert (
        b'<string name="a">L\\\'\xc3\xa9t\xc3\xa9 \\"chaud\\" &amp; &lt;froid&gt;\\n\\tfin \\\\ ok'
        b"</string>" in out
    )
    assert b'<string name="b">\\@home</string>' in out
    again = {u.id: u.source for u in _parse(out)}
    assert again == {"a": 'L\'été "chaud" & <froid>\n\tfin \\ ok', "b": "@home"}


def test_spaces_that_android_would_collapse_are_quoted() -> None:
    data = _doc('    <string name="a">x</string>')
    out = _render(data, {"a": " two  spaces "})
    assert b'<string name="a">" two  spaces "</string>' in out
    assert _parse(out)[0].source == " two  spaces "


def test_unquoted_whitespace_collapses_and_quoted_whitespace_stays() -> None:
    units = _parse(
        _doc('<string name="a">  one\n   two  </string><string name="b">"a  b"c  d</string>')
    )
    assert [u.source for u in units] == ["one two", "a  bc d"]


def test_cdata_is_kept_in_render() -> None:
    data = _doc('<string name="a"><![CDATA[<b>Bold</b> & more]]></string>')
    assert _parse(data)[0].source == "<b>Bold</b> & more"
    out = _render(data, {"a": "<b>Fett</b> & ]]> mehr"})
    assert b"<![CDATA[<b>Fett</b> & ]]]]><![CDATA[> mehr]]>" in out
    assert _parse(out)[0].source == "<b>Fett</b> & ]]> mehr"


def test_inline_tags_from_the_source_stay_markup_and_others_are_text() -> None:
    data = _doc('<string name="a">Hi <b><xliff:g id="n">%s</xliff:g></b>!</string>')
    data = data.replace(
        b"<resources>", b'<resources xmlns:xliff="urn:oasis:names:tc:xliff:document:1.2">'
    )
    out = _render(data, {"a": 'Hola <b><xliff:g id="n">%s</xliff:g></b> <i>!</i>'})
    assert b'Hola <b><xliff:g id="n">%s</xliff:g></b> &lt;i&gt;!&lt;/i&gt;' in out
    tree = etree.fromstring(out)
    assert tree.nsmap["xliff"] == "urn:oasis:names:tc:xliff:document:1.2"


def test_unbalanced_source_tags_in_a_target_are_written_as_text() -> None:
    data = _doc('<string name="a">Hi <b>you</b></string>')
    out = _render(data, {"a": "Hola <b>tú"})
    assert b"Hola &lt;b&gt;t" in out
    etree.fromstring(out)


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("es", ["zero", "one", "many", "other"]),
        ("ru", ["zero", "one", "few", "many", "other"]),
        ("ja", ["zero", "other"]),
        ("ar", ["zero", "one", "two", "few", "many", "other"]),
    ],
)
def test_plurals_get_exactly_the_targets_quantities(locale: str, expected: list[str]) -> None:
    data = FIXTURE.read_bytes()
    extraction = CODEC.parse(data, source_locale="en", limits=Limits())
    units = []
    for unit in extraction.units:
        unit = copy.copy(unit)
        if unit.plural:
            forms = target_forms(unit.plural, locale)
            unit.target_plural = {cat: f"{locale}-{cat}: {text}" for cat, text in forms.items()}
        units.append(unit)
    out = CODEC.render(extraction.skeleton, units, target_locale=locale)
    tree = etree.fromstring(out)
    for name in ("notes_count", "minutes_ago"):
        items = tree.find(f"plurals[@name='{name}']")
        assert items is not None
        got = [item.get("quantity") for item in items.iter("item")]
        # The source's `zero` is kept; a file without one gets it only where CLDR has it.
        assert got == (expected if name == "notes_count" else ordered_categories(locale))
    # New items take the siblings' indentation, markup survives in every form.
    assert f'\n        <item quantity="other">{locale}-other: <xliff:g id="count">'.encode() in out
    again = {u.id: u for u in _parse(out)}
    assert again["notes_count"].plural is not None
    assert again["notes_count"].plural["other"].startswith(f"{locale}-other: ")


def test_plural_with_the_same_quantities_is_spliced_in_place() -> None:
    data = FIXTURE.read_bytes()
    extraction = CODEC.parse(data, source_locale="en", limits=Limits())
    units = []
    for unit in extraction.units:
        unit = copy.copy(unit)
        if unit.id == "minutes_ago":
            unit.target_plural = {"one": "%d Minute", "other": "%d Minuten"}
        units.append(unit)
    out = CODEC.render(extraction.skeleton, units, target_locale="de")
    assert out == data.replace(b"%d minute ago<", b"%d Minute<").replace(
        b"%d minutes ago<", b"%d Minuten<"
    )


def test_untranslatable_units_are_never_changed() -> None:
    data = FIXTURE.read_bytes()
    extraction = CODEC.parse(data, source_locale="en", limits=Limits())
    units = [copy.copy(u) for u in extraction.units]
    for unit in units:
        unit.target = "CHANGED"
    out = CODEC.render(extraction.skeleton, units, target_locale="de")
    assert b'<string name="app_name" translatable="false">Notebook</string>' in out
    assert b"<item>#FF0000</item>" in out


def test_tools_locale_follows_the_target() -> None:
    data = (
        b'<resources xmlns:tools="http://schemas.android.com/tools" tools:locale="en">'
        b'<string name="a">x</string></resources>'
    )
    assert _render(data, {}, "en") == data
    assert b'tools:locale="pt_BR"' in _render(data, {}, "pt-BR")


@pytest.mark.parametrize(
    ("filename", "expected"),
    [
        ("strings.xml", "values-es/strings.xml"),
        ("values/strings.xml", "values-es/strings.xml"),
        ("app/src/main/res/values/strings.xml", "app/src/main/res/values-es/strings.xml"),
        ("res/values-en/strings.xml", "res/values-es/strings.xml"),
        ("res/values-night/strings.xml", "res/values-es-night/strings.xml"),
        ("res/values-en-rUS/strings.xml", "res/values-es/strings.xml"),
        ("res/values-en-round/strings.xml", "res/values-es-round/strings.xml"),
        (None, "values-es/strings.xml"),
    ],
)
def test_output_filename(filename: str | None, expected: str) -> None:
    assert CODEC.output_filename(filename, "en", "es") == expected


def test_android_qualifiers() -> None:
    assert android_qualifier("pt-BR") == "pt-rBR"
    assert android_qualifier("sr-Latn") == "b+sr+Latn"
    assert android_qualifier("zh-Hans-CN") == "b+zh+Hans+CN"
    assert android_qualifier("es-419") == "b+es+419"
    assert CODEC.output_filename("values/strings.xml", "en", "sr-Latn") == (
        "values-b+sr+Latn/strings.xml"
    )


def test_a_string_and_a_plurals_entry_may_share_a_name() -> None:
    data = _doc(
        '<string name="n">x</string><plurals name="n"><item quantity="other">y</item></plurals>'
    )
    assert [u.id for u in _parse(data)] == ["n", "n#plurals"]


def test_duplicate_names_and_wrong_root_are_refused() -> None:
    with pytest.raises(FileFormatError, match=r"duplicate resource name 'a'.*line 5"):
        _parse(_doc('<string name="a">x</string>\n\n<string name="a">y</string>'))
    with pytest.raises(FileFormatError, match="expected <resources>"):
        _parse(b"<root/>")


def test_sniff() -> None:
    assert CODEC.sniff(FIXTURE.read_bytes()[:4096])
    assert not CODEC.sniff(b'<?xml version="1.0"?><xliff version="1.2">')


TEXT = st.text(
    st.one_of(
        st.characters(exclude_categories=("Cs", "Cc", "Cn")), st.sampled_from("\n\t \"'\\&<>@?%]")
    ),
    max_size=40,
)


@given(target=TEXT, cdata=st.booleans())
def test_any_target_reads_back_as_written(target: str, cdata: bool) -> None:
    body = "<![CDATA[x]]>" if cdata else "x"
    out = _render(_doc(f'<string name="a">{body}</string>'), {"a": target})
    assert _parse(out)[0].source == target


MARKUP_PIECES = st.one_of(
    TEXT,
    st.sampled_from(["  ", "<b>", "</b>", '<xliff:g id="n">', "</xliff:g>"]),
)


@given(target=st.lists(MARKUP_PIECES, max_size=12).map("".join))
def test_any_mix_of_source_tags_and_text_stays_well_formed_and_reads_back(target: str) -> None:
    data = _doc('<string name="a">Hi <b><xliff:g id="n">%s</xliff:g></b>!</string>').replace(
        b"<resources>", b'<resources xmlns:xliff="urn:oasis:names:tc:xliff:document:1.2">'
    )
    out = _render(data, {"a": target})
    etree.fromstring(out)
    assert _parse(out)[0].source == target
