"""XLSX beside the cells: drawing text boxes, alt text, chart and axis titles (hand-written
and LibreOffice-made), threaded comments with @mentions and their legacy fallback in step."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from lxml import etree
from tests.unit.documents.test_xlsx import load, parse, raw_entries, translate

from dragoman.content.documents.xlsx import XlsxCodec

FIXTURES = Path(__file__).parents[2] / "fixtures" / "formats" / "xlsx"
THREADS = FIXTURES / "threads.xlsx"  # hand-written as Excel 365 writes it
LIBRE = FIXTURES / "libreoffice.xlsx"  # openpyxl chart and comment saved by LibreOffice Calc
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
C = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"
TC = "{http://schemas.microsoft.com/office/spreadsheetml/2018/threadedcomments}"
XDR = "{http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing}"
CHART, DRAWING = "dxl/charts/chart1.xml", "dxl/drawings/drawing1.xml"
THREAD = "txl/threadedComments/threadedComment1.xml"


def entry(data: bytes, name: str) -> etree._Element:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return etree.fromstring(archive.read(name))


def runs(paragraph: etree._Element) -> list[tuple[str, str | None, str | None]]:
    """(text, bold, italic) of each run of a DrawingML paragraph."""
    out = []
    for run in paragraph.iter(f"{A}r"):
        rpr = run.find(f"{A}rPr")
        assert rpr is not None
        out.append((run.findtext(f"{A}t") or "", rpr.get("b"), rpr.get("i")))
    return out


def test_drawings_charts_and_threads_are_units() -> None:
    units = {u.id: u.source for u in parse(THREADS)[0]}
    assert units[f"{DRAWING}#0"] == "Figures are <g1>provisional</g1> until June."
    assert units[f"{DRAWING}#1"] == "Bar chart of sales by region."  # descr
    assert units[f"{DRAWING}#2"] == "Sales chart"  # title
    assert units[f"{CHART}#0"] == "Sales by <g1>region</g1>"
    assert units[f"{CHART}#1"] == "Thousands of euros"  # the value axis title
    assert units[f"{THREAD}#0"] == "<x1/> please check the totals."  # the @mention is a tag
    assert units[f"{THREAD}#1"] == "Checked: they match."
    assert units["cxl/comments1.xml#1"] == "<g1>Ana: </g1>Totals include taxes."
    assert "cxl/comments1.xml#0" not in units  # the thread's legacy copy is no unit
    assert not any("Threaded comment" in s for s in units.values())
    libre = {u.id: u.source for u in parse(LIBRE)[0]}
    chart = sorted(s for i, s in libre.items() if i.startswith("dxl/charts/"))
    assert chart == ["Fruit", "Harvest by fruit", "Tonnes picked"]


def test_chart_titles_text_boxes_and_alt_text_are_translated() -> None:
    out = translate(
        THREADS,
        {
            f"{CHART}#0": "<g1>Ventas</g1> por región",
            f"{CHART}#1": "Miles de euros",
            f"{DRAWING}#0": "Las cifras son <g1>provisionales</g1> hasta junio.",
            f"{DRAWING}#1": "Gráfico de barras de ventas por región.",
            f"{DRAWING}#2": "Gráfico de ventas",
        },
    )
    chart = entry(out, "xl/charts/chart1.xml")
    title, axis = (p for t in chart.iter(f"{C}title") for p in t.iter(f"{A}p"))
    assert runs(title) == [("Ventas", "1", "1"), (" por región", "1", None)]
    assert runs(axis) == [("Miles de euros", None, None)]
    assert {r.get("lang") for r in chart.iter(f"{A}rPr")} == {"es"}
    assert chart.find(f"{C}lang") is not None and chart.find(f"{C}lang").get("val") == "es"
    assert [f.text for f in chart.iter(f"{C}f")] == ["Sales!$B$1", "Sales!$A$2:$A$3",
                                                    "Sales!$B$2:$B$3"]  # fmt: skip
    drawing = entry(out, "xl/drawings/drawing1.xml")
    box = next(drawing.iter(f"{A}p"))
    assert runs(box) == [("Las cifras son ", None, None), ("provisionales", "1", None),
                         (" hasta junio.", None, None)]  # fmt: skip
    shape = next(drawing.iter(f"{XDR}cNvPr"))
    assert shape.get("descr") == "Gráfico de barras de ventas por región."
    assert shape.get("title") == "Gráfico de ventas"
    before = raw_entries(THREADS.read_bytes())
    changed = {"xl/charts/chart1.xml", "xl/drawings/drawing1.xml"}
    assert {n for n, raw in raw_entries(out).items() if raw != before[n]} == changed
    load(out)


def test_libreoffice_chart_titles_are_translated() -> None:
    units, _ = parse(LIBRE)
    ids = {u.source: u.id for u in units}
    out = translate(LIBRE, {ids["Harvest by fruit"]: "Cosecha por fruta",
                            ids["Tonnes picked"]: "Toneladas recogidas"})  # fmt: skip
    chart = entry(out, "xl/charts/chart1.xml")
    titles = ["".join(t.itertext()) for t in chart.iter(f"{C}title")]
    assert "Cosecha por fruta" in titles and "Toneladas recogidas" in titles and "Fruit" in titles
    assert load(out)["Harvest"]["A1"].comment.text == "Weighed at the cooperative."


def test_threaded_comment_and_its_legacy_fallback_say_the_same() -> None:
    out = translate(
        THREADS,
        {f"{THREAD}#0": "😀 Por favor, <x1/>, revise los totales.",
         f"{THREAD}#1": "Revisado: coinciden."},
    )  # fmt: skip
    threads = entry(out, "xl/threadedComments/threadedComment1.xml")
    first, reply = (c.findtext(f"{TC}text") for c in threads.iter(f"{TC}threadedComment"))
    assert first == "😀 Por favor, @Luis Pérez, revise los totales."
    assert reply == "Revisado: coinciden."
    mention = next(threads.iter(f"{TC}mention"))
    # UTF-16 positions: the emoji counts two
    assert (mention.get("startIndex"), mention.get("length")) == ("14", "11")
    assert first[13 : 13 + 11] == "@Luis Pérez"
    comment = load(out)["Sales"]["A1"].comment
    assert comment is not None
    assert comment.text.startswith("[Threaded comment]\n\nYour version of Excel")
    assert comment.text.endswith(
        "Comment:\n    😀 Por favor, @Luis Pérez, revise los totales.\n"
        "Reply:\n    Revisado: coinciden."
    )
    assert load(out)["Sales"]["B1"].comment.text == "Ana: Totals include taxes."
    only_reply = translate(THREADS, {f"{THREAD}#1": "Revisado."})
    legacy = load(only_reply)["Sales"]["A1"].comment.text
    assert legacy.endswith("@Luis Pérez please check the totals.\nReply:\n    Revisado.")


def test_every_block_rebuilt_reads_the_same() -> None:
    codec = XlsxCodec()
    for path in (THREADS, LIBRE):
        _, skeleton = parse(path)
        texts = {pid: text for pid, text, _, _ in skeleton.layout if not pid.startswith("sheet")}
        out = codec.write(skeleton.inner, texts, target_locale="en")
        for name in ("xl/charts/chart1.xml", "xl/drawings/drawing1.xml"):
            old, new = entry(path.read_bytes(), name), entry(out, name)
            assert ["".join(p.itertext()) for p in new.iter(f"{A}p")] == [
                "".join(p.itertext()) for p in old.iter(f"{A}p")
            ]
        if path == THREADS:
            old, new = (entry(d, "xl/threadedComments/threadedComment1.xml")
                        for d in (path.read_bytes(), out))  # fmt: skip
            assert etree.tostring(new) == etree.tostring(old)
            assert load(out)["Sales"]["A1"].comment.text == load(path.read_bytes())[
                "Sales"]["A1"].comment.text  # fmt: skip
