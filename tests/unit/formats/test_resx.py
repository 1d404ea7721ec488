""".resx: string entries only, XML escapes, CRLF and BOM kept, file names."""

from __future__ import annotations

import copy
import xml.etree.ElementTree as ET
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from dragoman.content.formats import registry
from dragoman.content.formats.resx import ResxCodec
from dragoman.content.model import Limits

FIXTURE = Path(__file__).parents[2] / "fixtures" / "formats" / "resx" / "Resources.resx"
CODEC = ResxCodec()


def _render(targets: dict[str, str]) -> bytes:
    extraction = CODEC.parse(FIXTURE.read_bytes(), source_locale="en", limits=Limits())
    units = []
    for unit in extraction.units:
        unit = copy.copy(unit)
        unit.target = targets.get(unit.id)
        units.append(unit)
    return CODEC.render(extraction.skeleton, units, target_locale="es")


def test_only_string_entries_are_units() -> None:
    units = CODEC.parse(FIXTURE.read_bytes(), source_locale="en", limits=Limits()).units
    assert [u.id for u in units] == [
        "AppTitle",
        "ConfirmDelete",
        "SaveAndClose",
        "TagHint",
        "AboutText",
        "EmptyPlaceholder",
        "$this.Text",
    ]
    by_id = {u.id: u for u in units}
    assert by_id["SaveAndClose"].source == "Save && close"
    assert by_id["TagHint"].source == "Use <Tab> to move to the next field"
    assert by_id["AboutText"].source == "Invoice Manager 3.2\nCopyright © 2024 Contoso Ltd."
    assert by_id["ConfirmDelete"].notes == ("{0} is the invoice number, e.g. INV-0042.",)
    assert by_id["EmptyPlaceholder"].source == ""


def test_render_escapes_and_keeps_crlf_and_bom() -> None:
    data = FIXTURE.read_bytes()
    out = _render(
        {
            "SaveAndClose": "Guardar && cerrar",
            "AboutText": "Gestor de facturas 3.2\nCopyright © 2024 Contoso Ltd.",
            "EmptyPlaceholder": "<vacío>",
            "TagHint": "Usa <Tab>",
        }
    )
    assert out.startswith(b"\xef\xbb\xbf")
    assert b"<value>Guardar &amp;&amp; cerrar</value>\r\n" in out
    assert b"<value>Gestor de facturas 3.2\r\nCopyright \xc2\xa9 2024 Contoso Ltd.</value>" in out
    assert "<value>&lt;vacío&gt;</value>".encode() in out
    assert b"<value>Usa &lt;Tab&gt;</value>" in out
    assert out.count(b"\r\n") == data.count(b"\r\n")
    assert b"\n" not in out.replace(b"\r\n", b"")
    values = {d.get("name"): d.findtext("value") for d in ET.fromstring(out[3:]).iter("data")}
    assert values["SaveAndClose"] == "Guardar && cerrar"
    assert values["okButton.Size"] == "75, 23"


def test_output_filename_and_sniff() -> None:
    assert CODEC.output_filename("Resources.resx", "en", "es") == "Resources.es.resx"
    assert CODEC.output_filename("Properties/Strings.en.resx", "en", "pt-BR") == (
        "Properties/Strings.pt-BR.resx"
    )
    head = FIXTURE.read_bytes()[:4096]
    assert CODEC.sniff(head)
    assert registry.for_file("Resources.xml", FIXTURE.read_bytes()).name == "resx"


@given(
    target=st.text(
        st.one_of(st.characters(exclude_categories=("Cs", "Cc", "Cn")), st.sampled_from("\n\t&<>")),
        max_size=40,
    )
)
def test_any_target_reads_back_as_written(target: str) -> None:
    out = _render({"AppTitle": target})
    units = CODEC.parse(out, source_locale="en", limits=Limits()).units
    assert units[0].source == target
