"""XLSX codec: only text cells are units (one per shared string), a rebuild reads the same in
openpyxl, moved tags land on the right words, renamed sheets are renamed in formulas and
defined names, table columns follow their headers, untouched entries stay byte-identical."""

from __future__ import annotations

import copy
import io
import zipfile
from functools import partial
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.cell.rich_text import CellRichText, TextBlock
from tests.unit.documents import codec_helpers

from dragoman.content.documents import _sheetnames
from dragoman.content.documents.xlsx import XlsxCodec

FIXTURES = Path(__file__).parents[2] / "fixtures" / "formats" / "xlsx"
BUDGET = FIXTURES / "budget.xlsx"  # openpyxl: inline strings, comment, table, defined name
INLINE = FIXTURES / "inline.xlsx"  # hand-written: shared strings with runs, cached results
codec = XlsxCodec()


parse = partial(codec_helpers.parse, codec)
translate = partial(codec_helpers.translate, codec)


def load(data: bytes) -> Any:
    return openpyxl.load_workbook(io.BytesIO(data), rich_text=True)


def cells(book: Any) -> dict[str, Any]:
    """Every cell's value (formulas as written), rich text as (text, bold, italic) blocks."""
    out: dict[str, Any] = {}
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                value = cell.value
                if isinstance(value, CellRichText):
                    value = [_block(b) for b in value]
                out[f"{sheet.title}!{cell.coordinate}"] = value
    return out


def _block(block: object) -> tuple[str, bool, bool]:
    if isinstance(block, TextBlock):
        return (block.text, bool(block.font.b), bool(block.font.i))
    return (str(block), False, False)


def raw_entries(data: bytes) -> dict[str, bytes]:
    """Each entry's compressed bytes as stored."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        out = {}
        for info in archive.infolist():
            start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
            out[info.filename] = data[start : start + info.compress_size]
        return out


def test_only_text_cells_are_units_and_shared_strings_translate_once() -> None:
    units, _ = parse(INLINE)
    by_id = {u.id: u.source for u in units}
    assert by_id == {
        "sheet0": "Orders",
        "i0.1": "Order status",
        "i0.2": "<g1>Urgent:</g1> call the customer before noon.",
        "s0": "Customer",  # shown by A1 and D4: one unit
        "s1": "Ships <g1>today</g1> from the main warehouse.",
        "s2": "Delivered",  # a formula's cached result in B3, but B4 shows it as text
    }
    sources = " ".join(by_id.values())
    for never in ("Large order", "Small order", "42.5", "#DIV/0!", "IF(", "85"):
        assert never not in sources
    budget, _ = parse(BUDGET)
    texts = [u.source for u in budget]
    assert texts.count("Open") == 4 and "High" not in " ".join(texts)
    assert not any("SUM" in t or "45382" in t or "2024" in t for t in texts)
    assert {u.id: u.max_length for u in budget if u.id.startswith("sheet")} == {
        "sheet0": 31,
        "sheet1": 31,
    }


def test_targets_equal_to_sources_read_the_same_and_copy_parts_raw() -> None:
    for path in (BUDGET, INLINE):
        units, skeleton = parse(path)
        same = []
        for unit in units:
            unit = copy.copy(unit)
            unit.target = unit.source
            same.append(unit)
        out = codec.render(skeleton, same, target_locale="en-GB")
        assert cells(load(out)) == cells(load(path.read_bytes()))
        assert raw_entries(out) == raw_entries(path.read_bytes())


def test_every_string_rebuilt_reads_the_same_in_openpyxl() -> None:
    for path in (BUDGET, INLINE):
        _, skeleton = parse(path)
        texts = {pid: text for pid, text, _, _ in skeleton.layout if not pid.startswith("sheet")}
        out = codec.write(skeleton.inner, texts, target_locale="en")
        before, after = load(path.read_bytes()), load(out)
        assert cells(after) == cells(before)
        assert [s.title for s in after.worksheets] == [s.title for s in before.worksheets]
        if path == BUDGET:
            comment = after["Summary"]["A1"].comment
            assert comment is not None and comment.text == "Numbers are in thousands of euros."


def test_moved_tags_keep_their_formatting_and_values_stay() -> None:
    out = translate(
        INLINE,
        {
            "s1": "<g1>Hoy</g1> sale del almacén principal.",
            "i0.2": "Llame al cliente antes del mediodía: <g1>urgente</g1>",
            "s0": "Cliente",
            "s2": "Entregado",
        },
    )
    book = load(out)
    sheet = book["Orders"]
    assert [_block(b) for b in sheet["B2"].value] == [
        ("Hoy", False, True),
        (" sale del almacén principal.", False, False),
    ]
    assert [_block(b) for b in sheet["A2"].value] == [
        ("Llame al cliente antes del mediodía: ", False, False),
        ("urgente", True, False),
    ]
    assert sheet["A1"].value == sheet["D4"].value == "Cliente"
    assert sheet["B4"].value == "Entregado"
    assert sheet["A3"].value == '=IF(C2>40,"Large order","Small order")'
    assert sheet["C2"].value == 42.5 and sheet["C3"].value is True
    assert sheet["C4"].value == "=Orders!C2*2"
    with zipfile.ZipFile(io.BytesIO(out)) as archive:
        shared = archive.read("xl/sharedStrings.xml").decode()
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<rPh " in shared and "shippu" in shared  # phonetic runs kept
    assert "<v>Large order</v>" in sheet_xml  # the cached formula result is untouched


def test_line_breaks_in_a_cell_come_back() -> None:
    units, _ = parse(BUDGET)
    first, second = (u for u in units if u.id.startswith("i0.3"))
    out = translate(
        BUDGET,
        {first.id: "Revisado por finanzas.", second.id: "<x1/>Vea las notas."},
    )
    assert load(out)["Summary"]["A4"].value == "Revisado por finanzas.\nVea las notas."


def test_renamed_sheets_are_renamed_in_formulas_names_and_tables() -> None:
    out = translate(
        BUDGET,
        {
            "sheet1": "Datos: hoja/de [trabajo] con un nombre demasiado largo",
            "sheet0": "Resumen",
            "i1.0": "Artículo",
            "title": "Presupuesto del segundo trimestre",
        },
    )
    book = load(out)
    new = "Datos hoja de trabajo con un no"
    assert [s.title for s in book.worksheets] == ["Resumen", new]
    assert book["Resumen"]["B2"].value == f"='{new}'!B5"
    assert book[new]["B5"].value == "=SUM(B2:B4)"
    assert book[new]["C5"].value == '=IF(B5>1000,"High","Low")'
    assert book.defined_names["Amounts"].attr_text == f"'{new}'!$B$2:$B$4"
    table = book[new].tables["Costs"]
    assert [c.name for c in table.tableColumns] == ["Artículo", "Amount", "Status"]
    assert book[new]["A1"].value == "Artículo"
    assert book.properties.title == "Presupuesto del segundo trimestre"
    untouched = raw_entries(BUDGET.read_bytes())
    for name, raw in raw_entries(out).items():
        if name not in {
            "xl/workbook.xml", "xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml",
            "xl/tables/table1.xml", "docProps/core.xml", "docProps/app.xml",
        }:  # fmt: skip
            assert raw == untouched[name], name


def test_sheet_names_that_would_collide_or_vanish_are_kept() -> None:
    names = ["Sheet", "Other", "Third"]
    assert _sheetnames.valid_names(names, {0: "other", 1: "***", 2: "'Quoted'"}) == {2: "Quoted"}
    assert _sheetnames.valid_names(names, {0: "Hoja", 1: "Sheet"}) == {0: "Hoja", 1: "Sheet"}


def test_formula_references_change_outside_string_literals_only() -> None:
    renamed = {"Data": "Datos", "My Sheet": "Mi hoja"}
    rename = _sheetnames.rename_in_formula
    assert rename('Data!A1&"Data!A1"', renamed) == "'Datos'!A1&\"Data!A1\""
    assert rename("SUM('My Sheet'!A1:B2,data!C3)", renamed) == "SUM('Mi hoja'!A1:B2,'Datos'!C3)"
    assert rename("[1]Data!A1+MyData!A1", renamed) == "[1]Data!A1+MyData!A1"
    assert rename("SUM('Data:My Sheet'!A1)", renamed) == "SUM('Datos:Mi hoja'!A1)"
    assert rename("'[Book.xlsx]Data'!A1", renamed) == "'[Book.xlsx]Data'!A1"
