"""PO and POT codecs: entries, plurals by category, gettext wrapping, msgfmt validity."""

from __future__ import annotations

import copy
import os
import random
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from dragoman.content.formats.po import PoCodec, PotCodec
from dragoman.content.model import Limits, Unit
from dragoman.content.plurals import target_forms
from dragoman.errors import FileFormatError, PayloadTooLargeError

FIXTURES = Path(__file__).parents[2] / "fixtures" / "formats"
DJANGO = (FIXTURES / "po" / "django.po").read_bytes()
CRLF = (FIXTURES / "po" / "wordpress-crlf.po").read_bytes()
POT = (FIXTURES / "pot" / "messages.pot").read_bytes()
MSGFMT = shutil.which("msgfmt")
needs_gettext = pytest.mark.skipif(
    MSGFMT is None and not os.environ.get("CI"), reason="needs gettext's msgfmt"
)


def _parse(data: bytes, codec: PoCodec | None = None, **limits: int) -> list[Unit]:
    return (codec or PoCodec()).parse(data, source_locale="en", limits=Limits(**limits)).units


def _translate(data: bytes, locale: str, codec: PoCodec | None = None) -> bytes:
    """Render with every unit translated: `[locale:category] source` for plural forms."""
    codec = codec or PoCodec()
    extraction = codec.parse(data, source_locale="en", limits=Limits())
    units = []
    for unit in extraction.units:
        unit = copy.copy(unit)
        if unit.plural is not None:
            forms = target_forms(unit.plural, locale)
            unit.target_plural = {cat: f"[{locale}:{cat}] {text}" for cat, text in forms.items()}
        else:
            body = unit.source.rstrip("\n")
            unit.target = f"[{locale}] {body}" + unit.source[len(body) :]
        units.append(unit)
    return codec.render(extraction.skeleton, units, target_locale=locale)


def _msgfmt(tmp_path: Path, data: bytes) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "out.po"
    path.write_bytes(data)
    return subprocess.run(
        [MSGFMT or "msgfmt", "-c", "-o", os.devnull, str(path)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip


def test_entries_become_units_with_context_notes_and_gettext_ids() -> None:
    units = {u.id: u for u in _parse(DJANGO)}
    assert "footer link\x04Contact" in units and "verb\x04Contact" in units
    assert units["footer link\x04Contact"].context[0] == "footer link"
    breads = units["Our breads"]
    assert breads.notes == ("Translators: the heading above the list of breads on the index page",)
    assert breads.context == ("bakerydemo/breads/templates/breads/breads_index_page.html:9",)
    assert units["Home"].context == (
        "bakerydemo/base/models.py:41 bakerydemo/base/models.py:88",
        "bakerydemo/templates/base.html:12",
    )
    assert "Our cakes" not in units and "Old recipes" not in units  # obsolete `#~`
    assert units["Tab\tseparated\tvalues are exported as “TSV”."].source.count("\t") == 2


def test_source_is_a_filled_msgstr_unless_fuzzy_else_the_msgid() -> None:
    units = {u.id: u for u in _parse(DJANGO)}
    assert units["No results for “{query}”"].source == "Nothing found for “{query}”"
    fuzzy = units['Baked with "love" and a \\ backslash']
    assert fuzzy.source == 'Baked with "love" and a \\ backslash'
    assert units["%(counter)s result"].plural == {
        "one": "%(counter)s result found",
        "other": "%(counter)s results found",
    }
    assert units["%(count)s loaf left in %(bakery)s"].plural == {
        "one": "%(count)s loaf left in %(bakery)s",
        "other": "%(count)s loaves left in %(bakery)s",
    }


def test_a_catalog_in_another_language_keeps_the_msgid_as_source() -> None:
    german = DJANGO.replace(b'"Language: en\\n"', b'"Language: de\\n"')
    units = {u.id: u for u in _parse(german)}
    assert units["No results for “{query}”"].source == "No results for “{query}”"
    assert units["%(counter)s result"].plural == {
        "one": "%(counter)s result",
        "other": "%(counter)s results",
    }
    assert {u.id: u.source for u in _parse(german)} != {u.id: u.source for u in _parse(DJANGO)}
    meta = PoCodec().parse(german, source_locale="en", limits=Limits()).meta
    # Translations already there are listed (fuzzy ones are not), matched by category.
    assert meta["targets"] == {"No results for “{query}”": "Nothing found for “{query}”"}
    assert meta["target_plurals"] == {
        "%(counter)s result": {
            "one": "%(counter)s result found",
            "other": "%(counter)s results found",
        }
    }
    assert PoCodec().parse(DJANGO, source_locale="en", limits=Limits()).meta["targets"] == {}


@pytest.mark.parametrize("data", [DJANGO, CRLF, POT], ids=["django", "crlf", "pot"])
def test_unchanged_render_is_byte_identical(data: bytes) -> None:
    codec = PotCodec() if data is POT else PoCodec()
    extraction = codec.parse(data, source_locale="en", limits=Limits())
    assert codec.render(extraction.skeleton, extraction.units, target_locale="en") == data


@pytest.mark.parametrize(
    ("locale", "header", "forms"),
    [
        ("es", "nplurals=3; plural=(n == 1 ? 0 : n != 0 && n % 1000000 == 0 ? ",
         ["one", "many", "other"]),
        ("ru", "nplurals=3; plural=n % 10 == 1 && n % 100 != 11 ? 0 : ", ["one", "few", "many"]),
        ("ja", "nplurals=1; plural=0;", ["other"]),
        ("ar", "nplurals=6; plural=(n == 0 ? 0 : n == 1 ? 1 : n == 2 ? 2 : ",
         ["zero", "one", "two", "few", "many", "other"]),
    ],
)  # fmt: skip
def test_plural_forms_follow_the_targets_gettext_table(
    locale: str, header: str, forms: list[str]
) -> None:
    text = _translate(DJANGO, locale).decode()
    assert f'"Language: {locale}\\n"' in text
    assert f'"Plural-Forms: {header}' in text
    block = "".join(
        f'msgstr[{i}] "[{locale}:{cat}] %(count)s lo{"af" if cat == "one" else "aves"} left '
        f'in %(bakery)s"\n'
        for i, cat in enumerate(forms)
    )
    assert block in text
    assert f"msgstr[{len(forms)}]" not in text


@needs_gettext
@pytest.mark.parametrize("locale", ["es", "ru", "ja", "ar"])
@pytest.mark.parametrize("data", [DJANGO, CRLF, POT], ids=["django", "crlf", "pot"])
def test_rendered_catalogs_pass_msgfmt_check(tmp_path: Path, data: bytes, locale: str) -> None:
    codec = PotCodec() if data is POT else PoCodec()
    result = _msgfmt(tmp_path, _translate(data, locale, codec))
    assert result.returncode == 0, result.stderr


@needs_gettext
def test_changed_entries_are_wrapped_exactly_as_msgcat_wraps_them(tmp_path: Path) -> None:
    out = _translate(DJANGO, "es")
    path = tmp_path / "es.po"
    path.write_bytes(out)
    msgcat = shutil.which("msgcat") or "msgcat"
    canonical = subprocess.run([msgcat, str(path)], capture_output=True, check=True).stdout
    assert out == canonical
    welcome = b'"[es] Welcome to our bakery! We have been baking bread since 1952 and every "\n'
    assert b'msgstr ""\n' + welcome in out


def test_a_long_target_never_breaks_inside_a_placeholder() -> None:
    codec = PoCodec()
    data = b'msgid ""\nmsgstr ""\n"Language: en\\n"\n\nmsgid "x"\nmsgstr ""\n'
    extraction = codec.parse(data, source_locale="en", limits=Limits())
    unit = copy.copy(extraction.units[0])
    unit.target = "Hola " + "palabra " * 8 + "%(nombre del usuario)s y {cuenta de mensajes} " * 3
    text = codec.render(extraction.skeleton, [unit], target_locale="en").decode()
    lines = text.split("\n")[6:]
    assert all(len(line) <= 79 for line in lines)
    assert all("%(nombre del usuario)s" in ln or "%(" not in ln for ln in lines)
    assert all("{cuenta de mensajes}" in ln or "{" not in ln for ln in lines)


def test_translating_a_fuzzy_entry_drops_fuzzy_and_its_previous_msgid() -> None:
    text = _translate(DJANGO, "es").decode()
    assert "#, fuzzy\n#| msgid" not in text
    assert '#: bakerydemo/base/models.py:130\nmsgid "Baked with' in text
    # Obsolete entries stay verbatim, fuzzy flag and all.
    assert text.endswith('#, fuzzy\n#~| msgid "Old recipe"\n#~ msgid "Old recipes"\n'
                         '#~ msgstr "Old recipes"\n')  # fmt: skip
    extraction = PoCodec().parse(DJANGO, source_locale="en", limits=Limits())
    untouched = PoCodec().render(extraction.skeleton, extraction.units, target_locale="es")
    assert b"#, fuzzy\n#| msgid" in untouched


def test_escapes_round_trip_through_a_target() -> None:
    codec = PoCodec()
    extraction = codec.parse(DJANGO, source_locale="en", limits=Limits())
    units = [copy.copy(u) for u in extraction.units]
    units[0].target = 'Say "hi"\\ to\tall\nof them'
    out = codec.render(extraction.skeleton, units, target_locale="de")
    assert b'msgstr ""\n"Say \\"hi\\"\\\\ to\\tall\\n"\n"of them"\n' in out
    again = PoCodec().parse(out, source_locale="de", limits=Limits()).units
    assert again[0].source == 'Say "hi"\\ to\tall\nof them'


def test_crlf_file_stays_crlf() -> None:
    out = _translate(CRLF, "ru")
    assert out.count(b"\n") == out.count(b"\r\n")
    assert b'"Language: ru\\n"\r\n' in out


def test_template_renders_a_po_for_the_target() -> None:
    text = _translate(POT, "es", PotCodec()).decode()
    assert '"Language: es\\n"' in text
    assert '"Content-Type: text/plain; charset=UTF-8\\n"' in text
    assert not text.split('msgid ""')[0].rstrip().endswith("#, fuzzy")
    assert 'msgctxt "greeting"\nmsgid "Hello, world!"\nmsgstr "[es] Hello, world!"' in text


def test_untranslated_plural_entries_get_the_targets_form_count() -> None:
    codec = PotCodec()
    extraction = codec.parse(POT, source_locale="en", limits=Limits())
    text = codec.render(extraction.skeleton, extraction.units, target_locale="ar").decode()
    assert 'msgstr[5] ""\n' in text and "msgstr[6]" not in text


def test_a_non_utf8_catalog_becomes_utf8_when_a_target_needs_it() -> None:
    data = (
        'msgid ""\nmsgstr ""\n"Language: en\\n"\n'
        '"Content-Type: text/plain; charset=ISO-8859-1\\n"\n\nmsgid "Café"\nmsgstr ""\n'
    ).encode("latin-1")
    codec = PoCodec()
    extraction = codec.parse(data, source_locale="en", limits=Limits())
    assert extraction.units[0].source == "Café"
    unit = copy.copy(extraction.units[0])
    unit.target = "Кафе"
    out = codec.render(extraction.skeleton, [unit], target_locale="ru")
    assert '"Content-Type: text/plain; charset=UTF-8\\n"' in out.decode("utf-8")
    assert 'msgstr "Кафе"' in out.decode("utf-8")
    unit.target = "Cafè"
    latin = codec.render(extraction.skeleton, [unit], target_locale="fr")
    assert 'msgstr "Cafè"'.encode("latin-1") in latin


def test_a_catalog_without_header_gains_one_for_a_new_language() -> None:
    data = b'msgid "one apple"\nmsgid_plural "%d apples"\nmsgstr[0] ""\nmsgstr[1] ""\n'
    out = _translate(data, "ru").decode()
    assert out.startswith('msgid ""\nmsgstr ""\n"Language: ru\\n"\n"Plural-Forms: nplurals=3;')
    assert out.endswith('msgstr[2] "[ru:many] %d apples"\n')


@pytest.mark.parametrize(
    ("name", "codec", "expected"),
    [
        ("locale/en/LC_MESSAGES/django.po", PoCodec(), "locale/es/LC_MESSAGES/django.po"),
        ("en.po", PoCodec(), "es.po"),
        ("po/messages_en.po", PoCodec(), "po/messages_es.po"),
        ("app.po", PoCodec(), "app.es.po"),
        ("po/hello.pot", PotCodec(), "po/es.po"),
        (None, PotCodec(), "es.po"),
    ],
)
def test_output_filename(name: str | None, codec: PoCodec, expected: str) -> None:
    assert codec.output_filename(name, "en", "es") == expected
    assert PoCodec().output_filename("en.po", "en", "pt-BR") == "pt_BR.po"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        (b'msgid "a"\nmsgstr "unclosed\n', "(line 2)"),
        (b'msgid "a"\nmsgstr ""\n\nmsgid "a"\nmsgstr ""\n', "duplicate message 'a' (line 4)"),
        (b'msgid "a"\nmsgstr "\xff"\n', "not valid utf-8 (line 2)"),
        (b'msgid "a"\nnonsense\n', "expected msgid, msgstr or a comment"),
        (b'msgid "a"\nmsgid_plural "b"\nmsgstr "c"\n', "msgid_plural needs msgstr[n]"),
    ],
)
def test_broken_files_are_refused_with_the_line(data: bytes, message: str) -> None:
    with pytest.raises(FileFormatError, match=re.escape(message)):
        _parse(data)


def test_limits_are_enforced_quickly() -> None:
    many = b"".join(b'msgid "m%d"\nmsgstr ""\n\n' % i for i in range(2000))
    with pytest.raises(FileFormatError, match="more than 100 messages"):
        _parse(many, max_units=100)
    with pytest.raises(PayloadTooLargeError):
        _parse(many, max_bytes=1000)
    junk = random.Random(7).randbytes(1_000_000).replace(b"\x00", b"")
    started = time.perf_counter()
    with pytest.raises(FileFormatError):
        _parse(junk)
    assert time.perf_counter() - started < 1.0


def test_identity_holds_when_an_entry_has_fewer_forms_than_the_header_says() -> None:
    data = (
        b'msgid ""\nmsgstr ""\n"Language: ru\\n"\n"Plural-Forms: nplurals=3; plural=(n%10==1 && '
        b'n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);\\n"\n\n'
        b'msgid "a"\nmsgid_plural "as"\nmsgstr[0] ""\nmsgstr[1] ""\n'
    )
    extraction = PoCodec().parse(data, source_locale="ru", limits=Limits())
    assert PoCodec().render(extraction.skeleton, extraction.units, target_locale="ru") == data
    # For another language the entry gets that language's form count.
    out = PoCodec().render(extraction.skeleton, extraction.units, target_locale="ja")
    assert out.endswith(b'msgid_plural "as"\nmsgstr[0] ""\n')


@pytest.mark.parametrize(
    "text", ["%(x)" + "0" * 100_000, "%(" * 50_000, "{" * 100_000, "%(a " * 25_000]
)
def test_wrapping_a_hostile_target_takes_linear_time(text: str) -> None:
    codec = PoCodec()
    extraction = codec.parse(DJANGO, source_locale="en", limits=Limits())
    unit = copy.copy(extraction.units[0])
    unit.target = text
    started = time.perf_counter()
    out = codec.render(extraction.skeleton, [unit], target_locale="de")
    assert time.perf_counter() - started < 1.0
    assert codec.parse(out, source_locale="de", limits=Limits()).units[0].source == text
