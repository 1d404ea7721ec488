"""CsvCodec: key, source and target columns; render fills the target column in place."""

from __future__ import annotations

import csv
import io
import time
from pathlib import Path

import pytest

from dragoman.content.formats.csvfile import CsvCodec
from dragoman.content.model import Extraction, Limits, Unit
from dragoman.errors import FileFormatError, PayloadTooLargeError

FIXTURES = Path(__file__).parents[2] / "fixtures" / "formats" / "csv"
CODEC = CsvCodec()


def _parse(data: bytes, limits: Limits | None = None) -> Extraction:
    return CODEC.parse(data, source_locale="en", limits=limits or Limits())


def _render(extraction: Extraction, targets: dict[str, str], locale: str = "es") -> bytes:
    units = [Unit(u.id, u.source, target=targets.get(u.id)) for u in extraction.units]
    return CODEC.render(extraction.skeleton, units, target_locale=locale)


def _table(data: bytes, delimiter: str = ",") -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=delimiter))


def test_header_names_the_columns_and_notes_come_from_comments() -> None:
    extraction = _parse((FIXTURES / "strings.csv").read_bytes())
    units = {u.id: u for u in extraction.units}
    assert list(units) == ["app.title", "welcome", "multiline", "quote", "units", "cancel"]
    assert units["multiline"].source == "First line\nSecond line"
    assert units["quote"].source == 'Press "Save" to keep your changes'
    assert units["app.title"].notes == ("Shown in the window title",)
    assert units["cancel"].context == ("cancel",)


def test_render_fills_the_target_column_with_quoting_where_needed() -> None:
    data = (FIXTURES / "strings.csv").read_bytes()
    targets = {"app.title": "Lista", "welcome": "¡Hola, {name}!", "quote": 'Pulsa "Guardar"'}
    out = _render(_parse(data), targets)
    lines = out.decode().split("\n")
    assert lines[1] == "app.title,Packing List,Lista,Shown in the window title"
    assert lines[2] == 'welcome,"Welcome, {name}!","¡Hola, {name}!",'
    assert 'quote,"Press ""Save"" to keep your changes","Pulsa ""Guardar""",' in lines
    assert "units,5 kg,," in lines  # no target: the row is untouched
    table = _table(out)
    assert [row[2] for row in table[1:3]] == ["Lista", "¡Hola, {name}!"]
    assert all(len(row) == 4 for row in table)
    assert _parse(out).meta["targets"]["quote"] == 'Pulsa "Guardar"'


def test_excel_semicolons_bom_and_crlf_gain_a_target_column_named_like_the_source() -> None:
    data = (FIXTURES / "excel_export.csv").read_bytes()
    extraction = _parse(data)
    assert [u.id for u in extraction.units] == ["MENU_FILE", "MENU_EDIT", "MSG_SAVED", "MSG_QUIT"]
    assert _render(extraction, {}) == data
    out = _render(extraction, {"MENU_FILE": "Archivo", "MSG_SAVED": "Guardado; todo bien"})
    assert out.startswith(b"\xef\xbb\xbfID;English;Comment;Spanish\r\n")
    assert b'"MENU_FILE";"File";"Top menu";"Archivo"\r\n' in out
    assert b'"MENU_EDIT";"Edit";"";""\r\n' in out
    assert b'"MSG_SAVED";"Saved; all good";"Toast after saving";"Guardado; todo bien"\r\n' in out
    assert out.count(b"\r\n") == data.count(b"\r\n")
    assert [len(row) for row in _table(out, ";")] == [4] * 5


def test_without_a_header_columns_are_key_source_target() -> None:
    data = (FIXTURES / "plain.csv").read_bytes()
    extraction = _parse(data)
    assert [(u.id, u.source) for u in extraction.units][2] == ("msg_deleted", 'Deleted "{file}"')
    out = _render(extraction, {"btn_ok": "Aceptar", "msg_deleted": 'Borrado "{file}"'})
    assert out.split(b"\n")[:3] == [
        b"btn_ok,OK,Aceptar",
        b"btn_cancel,Cancel,",
        b'msg_deleted,"Deleted ""{file}""","Borrado ""{file}"""',
    ]


def test_a_column_named_after_the_target_locale_is_the_one_filled() -> None:
    data = b"key,en,fr,de\r\nhello,Hello,Bonjour,\r\nbye,Bye,,\r\n"
    extraction = _parse(data)
    assert [u.source for u in extraction.units] == ["Hello", "Bye"]
    assert _render(extraction, {"bye": "Tschüss"}, "de") == (
        b"key,en,fr,de\r\nhello,Hello,Bonjour,\r\nbye,Bye,,Tsch\xc3\xbcss\r\n"
    )
    assert _render(extraction, {"bye": "Au revoir"}, "fr-CA").endswith(b"bye,Bye,Au revoir,\r\n")
    added = _render(extraction, {"bye": "Adiós"}, "es")
    assert added.startswith(b"key,en,fr,de,es\r\nhello,Hello,Bonjour,,\r\n")


def test_a_source_column_named_with_a_region_is_found_but_targets_need_their_own() -> None:
    data = b"String ID|en_US|pt_PT\nsave|Save|Guardar\n"
    extraction = _parse(data)
    assert [(u.id, u.source) for u in extraction.units] == [("save", "Save")]
    assert _render(extraction, {"save": "Salvar"}, "pt-BR") == (
        b"String ID|en_US|pt_PT|pt_BR\nsave|Save|Guardar|Salvar\n"
    )


def test_tabs_and_duplicate_keys() -> None:
    data = b"id\tsource\nsame\tOne\nsame\tTwo\n"
    extraction = _parse(data)
    assert [u.id for u in extraction.units] == ["same", "same#2"]
    out = _render(extraction, {"same#2": "Dos"})
    assert out == b"id\tsource\ttarget\nsame\tOne\t\nsame\tTwo\tDos\n"


@pytest.mark.parametrize(
    ("data", "line", "words"),
    [
        (b'key,source\na,"never closed\nb,c\n', 2, "never closed"),
        (b'key,source\na,"x"y\n', 2, "after a closing quote"),
        (b"key,source\na,caf\xe9\n", 2, "not valid UTF-8"),
        (b"key,source\na,\x00\x01\x02\n", 2, "NUL"),
    ],
)
def test_broken_files_name_the_problem_and_line(data: bytes, line: int, words: str) -> None:
    with pytest.raises(FileFormatError, match=words) as caught:
        _parse(data)
    assert caught.value.line == line


def test_limits() -> None:
    data = b"".join(b"k%d,v\n" % i for i in range(20))
    with pytest.raises(PayloadTooLargeError, match="limit of 10 "):
        _parse(data, Limits(max_units=10))
    data = b"key,source\n" + b"".join(b'k%d,"v\n\nw"\n' % i for i in range(10))
    assert len(_parse(data, Limits(max_units=10)).units) == 10  # newlines in cells are fine
    many = b"".join(b"k%d,v\n" % i for i in range(1_500_000))
    started = time.perf_counter()
    with pytest.raises(PayloadTooLargeError, match="limit of 200000 rows"):
        _parse(many)
    assert time.perf_counter() - started < 5  # a guard against quadratic work, not a benchmark
    with pytest.raises(FileFormatError, match="no rows"):
        _parse(b"\n\n")


def test_output_filename() -> None:
    assert CODEC.output_filename("strings_en.csv", "en", "es") == "strings_es.csv"
    assert CODEC.output_filename("ui.csv", "en", "ja") == "ui.ja.csv"
