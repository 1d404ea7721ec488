"""The Markdown codec: prose translated, markup copied as written, code and keys never units."""

from __future__ import annotations

import copy
from pathlib import Path

from markdown_it import MarkdownIt

from dragoman.content.documents.markdown import MarkdownCodec
from dragoman.content.model import Limits, Unit

README = Path(__file__).parents[2] / "fixtures" / "formats" / "markdown" / "README.md"
CODEC = MarkdownCodec()


def _parse(data: bytes) -> tuple[list[Unit], object]:
    extraction = CODEC.parse(data, source_locale="en", limits=Limits())
    return extraction.units, extraction.skeleton


def _render(data: bytes, targets: dict[str, str]) -> str:
    units, skeleton = _parse(data)
    out = []
    for unit in units:
        unit = copy.copy(unit)
        unit.target = targets.get(unit.source)
        out.append(unit)
    return CODEC.render(skeleton, out, target_locale="es").decode()


def test_units_leave_code_urls_and_front_matter_keys_out() -> None:
    units, _ = _parse(README.read_bytes())
    sources = [u.source for u in units]
    assert sources[:3] == [
        "Getting started with Acme CLI",
        "A command-line tool for managing your Acme projects.",
        "Acme CLI logo",  # the alt text of an HTML block
    ]
    assert "Install the package with <x1/>:" in sources
    assert "Screenshot of the dashboard" in sources  # image alt text
    assert "Uploads the current directory | all files" in sources  # a table cell
    assert "Write the migration guide" in sources  # the task box stays outside
    everything = " ".join(sources)
    for never in (
        "pip install",
        "acme new",
        "indented code",
        "https://",
        "docs/",
        "layout",
        "cli, setup",
        "Maintainers",
        "Acme dashboard",
        "releases]",
    ):
        assert never not in everything, never


def test_translation_keeps_markup_as_written_and_other_lines_byte_identical() -> None:
    data = README.read_bytes()
    out = _render(data, {
        "Acme CLI helps you <g1>create</g1>, <g2>deploy</g2> and <g3>monitor</g3> projects "
        "from the terminal.": "Acme CLI le ayuda a <g3>supervisar</g3>, <g2>desplegar</g2> "
        "y <g1>crear </g1>proyectos.",
        "Or download a binary from the <g1>releases page</g1>.":
            "O descargue un binario de la <g1>página de versiones</g1>.",
        "Read the <g1>FAQ</g1> before you open an issue.": "Lea las <g1>preguntas</g1> antes.",
        "Deploy it with <x1/> and open the <g2>dashboard</g2>.":
            "Abra el <g2>panel</g2> tras <x1/>.",
        "Uploads the current directory | all files": "Sube el directorio | todo",
        "Getting started with Acme CLI": 'Primeros pasos: "Acme"',
        "Write the migration guide": "# Escribir la guía",
    })  # fmt: skip
    lines = out.split("\n")
    assert (
        "Acme CLI le ayuda a *supervisar*, _desplegar_ y **crear** proyectos. "
        "It works on Linux, macOS and Windows, and needs Python 3.9 or later."
    ) in lines
    assert "Or download a binary" not in out
    assert "O descargue un binario de la [página de versiones][releases]." in lines
    assert "- Lea las [preguntas][FAQ] antes." in lines  # the shortcut reference keeps its label
    assert ('3. Abra el [panel](https://app.example.com "Acme dashboard") tras `acme deploy`.'
            in lines)  # fmt: skip
    assert "| `acme deploy` | Sube el directorio \\| todo |" in lines
    assert 'title: "Primeros pasos: \\"Acme\\""' in lines
    assert "- [ ] \\# Escribir la guía" in lines
    source = data.decode().split("\n")
    changed = {n for n, (a, b) in enumerate(zip(source, lines, strict=False)) if a != b}
    assert len(source) - len(lines) == 1  # the two-line paragraph now takes one
    assert min(changed) == 1 and max(changed) < len(lines)
    assert out.endswith(data.decode().split("<!-- Maintainers")[1])
    tokens = MarkdownIt("commonmark").enable("table").parse(out)
    links = next(t for t in tokens if t.type == "inline" and "panel" in t.content)
    assert [c.attrs.get("href") for c in links.children or [] if c.type == "link_open"] == [
        "https://app.example.com"
    ]


def test_identity_translation_is_byte_identical_and_crlf_survives() -> None:
    data = b"# Title\r\n\r\nSome *emphasis* here,\r\nand a [link](x.md).\r\n"
    units, skeleton = _parse(data)
    assert [u.source for u in units] == [
        "Title",
        "Some <g1>emphasis</g1> here, and a <g2>link</g2>.",
    ]
    same = [copy.copy(u) for u in units]
    for unit in same:
        unit.target = unit.source
    assert CODEC.render(skeleton, same, target_locale="es") == data
    assert _render(data, {"Title": "Título"}).encode() == data.replace(b"Title", "Título".encode())


def test_literal_text_is_escaped_so_it_stays_text() -> None:
    out = _render(b"Plain words here.\n", {"Plain words here.": "1. *no* <b> [x] _y_ & `z`"})
    assert out == "1\\. \\*no\\* \\<b> \\[x\\] \\_y\\_ & \\`z\\`\n"
    tokens = MarkdownIt("commonmark").parse(out)
    assert [t.type for t in tokens] == ["paragraph_open", "inline", "paragraph_close"]
    assert tokens[1].children is not None and tokens[1].children[0].content == (
        "1. *no* <b> [x] _y_ & `z`"
    )
