"""TMX 1.4 reading (inline codes, languages, refusals) and writing (a lossless round trip)."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest

from dragoman.core.assets import tmx
from dragoman.errors import FileFormatError

HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n'


def _read(body: str, doctype: str = "") -> list[tmx.TmxUnit]:
    return list(tmx.read(io.BytesIO((HEAD + doctype + body).encode())))


def test_units_languages_codes_props_and_dates() -> None:
    units = _read(
        '<!-- c --><tmx version="1.4"><header srclang="en-US" datatype="html"/><body>'
        '<tu creationdate="20200102T030405Z"><prop type="x-dragoman-key">btn.save</prop>'
        '<tuv xml:lang="en-US"><seg>Click <bpt i="1">&lt;b&gt;</bpt>Save<ept i="1">&lt;/b&gt;'
        "</ept> <ph/> <hi>now</hi></seg></tuv>"
        '<tuv lang="es-ES"><seg>Pulse</seg></tuv></tu>'
        '<tu srclang="de"><tuv xml:lang="de"><seg>Ja</seg></tuv></tu>'
        "</body></tmx>",
        '<!DOCTYPE tmx SYSTEM "tmx14.dtd">\n',
    )
    first, second = units
    assert first.srclang == "en-US" and second.srclang == "de"
    assert first.variants == {"en-US": 'Click <b>Save</b> <x id="1"/> now', "es-ES": "Pulse"}
    assert first.props == {"x-dragoman-key": "btn.save"}
    assert first.created_at == datetime(2020, 1, 2, 3, 4, 5, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('<!DOCTYPE tmx [<!ENTITY a "aaaa">]><tmx><body><tu><tuv xml:lang="en"><seg>&a;</seg>'
         "</tuv></tu></body></tmx>", "entities"),
        ("<tmx><body><tu><tuv><seg>&nope;</seg></tuv></tu></body></tmx>", "well-formed"),
        ("<xliff><body/></xliff>", "<tmx>"),
        ("<tmx><body><tu></body></tmx>", "well-formed"),
    ],
)  # fmt: skip
def test_refused_files(text: str, message: str) -> None:
    with pytest.raises(FileFormatError) as info:
        _read(text)
    assert message in info.value.message


def test_write_then_read_gives_back_the_texts() -> None:
    records = [
        tmx.TmxRecord(
            'Hello {name}, <b>welcome</b> & "bye" %s',
            "Hola {name}, <b>bienvenido</b>",
            {"x-dragoman-key": "a<b"},
        ),
        tmx.TmxRecord("a < b\nline", "a < b\nlínea", {}, datetime(2021, 1, 1, tzinfo=UTC)),
    ]
    out = io.BytesIO()
    assert tmx.write(out, "en", "es", records) == 2
    assert b"<ph x=" in out.getvalue()
    out.seek(0)
    units = list(tmx.read(out))
    assert [(u.variants["en"], u.variants["es"]) for u in units] == [
        (r.source, r.target) for r in records
    ]
    assert units[0].props == {"x-dragoman-key": "a<b"}
    assert units[1].created_at == datetime(2021, 1, 1, tzinfo=UTC)
