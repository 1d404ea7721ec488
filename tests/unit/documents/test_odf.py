"""OpenDocument codecs: what is read (string cells only in spreadsheets), rebuilds read the
same in odfpy, moved spans, links and notes land right, spaces and tabs survive, the style
language follows the target, `mimetype` stays first and stored, untouched entries raw."""

from __future__ import annotations

import copy
import io
import re
import zipfile
from pathlib import Path

from lxml import etree
from odf import teletype
from odf import text as odftext
from odf.opendocument import load as odf_load

from dragoman.content.documents.base import DocumentSkeleton
from dragoman.content.documents.odf import OdfCodec, OdpCodec, OdsCodec, OdtCodec
from dragoman.content.model import Limits, Unit

FIXTURES = Path(__file__).parents[2] / "fixtures" / "formats"
REPORT = FIXTURES / "odt" / "report.odt"  # odfpy
REPORT_LO = FIXTURES / "odt" / "report-lo.odt"  # the same saved by LibreOffice
PRICES = FIXTURES / "ods" / "prices.ods"
TALK = FIXTURES / "odp" / "talk.odp"
TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
FO = "{urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0}"
STYLE = "{urn:oasis:names:tc:opendocument:xmlns:style:1.0}"
XLINK = "{http://www.w3.org/1999/xlink}href"


def parse(codec: OdfCodec, path: Path) -> tuple[list[Unit], DocumentSkeleton]:
    extraction = codec.parse(path.read_bytes(), source_locale="en", limits=Limits())
    assert isinstance(extraction.skeleton, DocumentSkeleton)
    return extraction.units, extraction.skeleton


def translate(codec: OdfCodec, path: Path, targets: dict[str, str], locale: str = "es") -> bytes:
    units, skeleton = parse(codec, path)
    out = []
    for unit in units:
        unit = copy.copy(unit)
        unit.target = targets.get(unit.id)
        out.append(unit)
    return codec.render(skeleton, out, target_locale=locale)


def part(data: bytes, name: str) -> etree._Element:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return etree.fromstring(archive.read(name))


def paragraphs(data: bytes) -> list[str]:
    """What odfpy reads as the text of every paragraph and heading."""
    doc = odf_load(io.BytesIO(data))
    found = doc.getElementsByType(odftext.P) + doc.getElementsByType(odftext.H)
    return sorted(teletype.extractText(p) for p in found)


def shape(data: bytes) -> list[tuple[str, tuple[tuple[str, str], ...], str]]:
    """Every element of content.xml with its attributes and own text, in order (spaces,
    `text:s`, compared by `paragraphs`: `a<s c=3/>` and `a <s c=2/>` read the same)."""
    root = part(data, "content.xml")
    return [
        (str(e.tag), tuple(sorted(e.attrib.items())), " ".join((e.text or "").split()))
        for e in root.iter()
        if isinstance(e.tag, str) and e.tag != f"{TEXT}s"
    ]


def shout(tagged: str) -> str:
    """A "translation": the text upper-cased, tags as they are."""
    return re.sub(r"(<[^>]*>)|([^<]+)", lambda m: m.group(1) or m.group(2).upper(), tagged)


def raw_entries(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        out = {}
        for info in archive.infolist():
            start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
            out[info.filename] = data[start : start + info.compress_size]
        return out


def test_text_units_of_a_document() -> None:
    for path in (REPORT, REPORT_LO):
        units, _ = parse(OdtCodec(), path)
        by_id = {u.id: u.source for u in units}
        assert by_id["m"] == "Annual report"
        assert by_id["c1#1"] == "Read <g2>the full report</g2> online.<x3/>"
        assert "Figures from the annual audit." in by_id.values()  # the footnote's own text
        assert "Check the northern figures." in by_id.values()  # the annotation
        assert "A green apple on a white field." in by_id.values()  # svg:desc
        assert "Annual report of the cooperative" in by_id.values()  # the header
        assert "Columns:<x1/>name   and price." in by_id.values()


def test_spreadsheets_translate_string_cells_only() -> None:
    units, _ = parse(OdsCodec(), PRICES)
    sources = [u.source for u in units]
    assert sources == [
        "Product", "Price", "Since", "Green apples", "Pears from the valley",
        "Always in stock", "Price agreed with the supplier.",
    ]  # fmt: skip
    out = translate(OdsCodec(), PRICES, {u.id: shout(u.source) for u in units})
    root = part(out, "content.xml")
    texts = [" ".join(p.itertext()) for p in root.iter(f"{TEXT}p")]
    assert "2.5" in texts and "2024-01-15" in texts and "Dear" in texts and "5" in texts
    assert "PEARS FROM THE VALLEY" in texts
    formula = part(out, "content.xml").xpath("//*[@table:formula]", namespaces=_NS)[0]
    assert formula.get("{urn:oasis:names:tc:opendocument:xmlns:table:1.0}formula") == (
        'of:=IF([.B2]>2;"Dear";"Cheap")'
    )
    odf_load(io.BytesIO(out))


_NS = {"table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0"}


def test_every_paragraph_rebuilt_reads_the_same() -> None:
    for codec, path in ((OdtCodec(), REPORT), (OdtCodec(), REPORT_LO), (OdsCodec(), PRICES),
                        (OdpCodec(), TALK)):  # fmt: skip
        _, skeleton = parse(codec, path)
        texts = {pid: text for pid, text, _, _ in skeleton.layout}
        out = codec.write(skeleton.inner, texts, target_locale="en")
        assert paragraphs(out) == paragraphs(path.read_bytes()), path
        if path == REPORT:
            assert shape(out) == shape(path.read_bytes())


def test_moved_tags_keep_style_link_and_note() -> None:
    out = translate(
        OdtCodec(),
        REPORT,
        {
            "c1#0": "La <g1>cooperativa</g1> vendió más manzanas que nunca.",
            "c1#1": "<x3/>Lea en línea <g2>el informe completo</g2>.",
            "c2": "Cifras de la auditoría anual.",
        },
    )
    root = part(out, "content.xml")
    paragraph = root.findall(f".//{TEXT}p")[0]
    span = paragraph.find(f"{TEXT}span")
    assert span is not None and span.text == "cooperativa"
    assert span.get(f"{TEXT}style-name") == "Bold"
    link = paragraph.find(f"{TEXT}a")
    assert link is not None and link.text == "el informe completo"
    assert link.get(XLINK) == "https://example.org/report"
    notes = paragraph.findall(f"{TEXT}note")
    assert len(notes) == 1
    assert "".join(notes[0].itertext()) == "1Cifras de la auditoría anual."
    assert teletype.extractText(
        odf_load(io.BytesIO(out)).getElementsByType(odftext.P)[0]
    ).startswith("La cooperativa vendió más manzanas que nunca. ")


def test_spaces_tabs_and_breaks_are_written_as_odf_keeps_them() -> None:
    out = translate(
        OdtCodec(),
        REPORT,
        {"c3#0": "Columnas:<x1/>nombre   y  precio.", "c3#1": "<x2/> Segunda línea."},
    )
    root = part(out, "content.xml")
    paragraph = next(p for p in root.iter(f"{TEXT}p") if "Columnas" in "".join(p.itertext()))
    children = [etree.QName(c).localname for c in paragraph]
    assert children == ["tab", "s", "s", "line-break"]
    assert [s.get(f"{TEXT}c") for s in paragraph.findall(f"{TEXT}s")] == ["2", None]
    units = OdtCodec().parse(out, source_locale="es", limits=Limits()).units
    assert any(u.source.startswith("Columnas:<x1/>nombre   y  precio.") for u in units)


def test_language_follows_the_target_and_untouched_entries_stay_raw() -> None:
    for codec, path in ((OdtCodec(), REPORT), (OdpCodec(), TALK), (OdtCodec(), REPORT_LO)):
        units, _ = parse(codec, path)
        out = translate(codec, path, {units[0].id: "Hola"}, locale="es-MX")
        with zipfile.ZipFile(io.BytesIO(out)) as archive:
            first = archive.infolist()[0]
            assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED
        styles = part(out, "styles.xml")
        default = styles.find(f".//{STYLE}default-style/{STYLE}text-properties")
        assert default is not None
        assert (default.get(f"{FO}language"), default.get(f"{FO}country")) == ("es", "MX")
        assert default.get(f"{STYLE}language-asian") == "ja"
        changed = {"content.xml", "styles.xml", "meta.xml"}
        before = raw_entries(path.read_bytes())
        for name, raw in raw_entries(out).items():
            if name not in changed:
                assert raw == before[name], name
        odf_load(io.BytesIO(out))


def test_libreoffice_file_survives_a_full_translation() -> None:
    units, _ = parse(OdtCodec(), REPORT_LO)
    out = translate(OdtCodec(), REPORT_LO, {u.id: shout(u.source) for u in units})
    before, after = part(REPORT_LO.read_bytes(), "content.xml"), part(out, "content.xml")
    for tag in ("note", "a", "tab", "line-break", "span"):
        assert len(after.findall(f".//{TEXT}{tag}")) == len(before.findall(f".//{TEXT}{tag}"))
    texts = paragraphs(out)
    whole = "THE COOPERATIVE SOLD MORE APPLES THAN EVER. READ THE FULL REPORT ONLINE."
    assert whole + "1FIGURES FROM THE ANNUAL AUDIT." in texts  # odfpy reads the note inline
    assert "FIGURES FROM THE ANNUAL AUDIT." in texts


_ZERO_WIDTH = {"bookmark", "bookmark-start", "bookmark-end", "reference-mark", "soft-page-break"}


def rendered(paragraph: etree._Element) -> str:
    """The text LibreOffice shows for a paragraph (ODF 1.2 part 1, 6.1.2, as checked with
    `soffice --convert-to txt`): white space collapses across span, link and bookmark
    boundaries and at the start; `text:s`, tabs, breaks and other inline content (shown as
    `<name>`) end a run of spaces. Written apart from the codec, as its oracle."""
    out: list[str] = []
    dropping = [True]

    def add(text: str | None) -> None:
        for char in re.sub(r"[ \t\r\n]", " ", text or ""):
            if char == " " and dropping[0]:
                continue
            out.append(char)
            dropping[0] = char == " "

    def walk(element: etree._Element) -> None:
        add(element.text)
        for child in element:
            name = etree.QName(child).localname
            if name in ("span", "a"):
                walk(child)
            elif name == "s":
                out.append(" " * int(child.get(f"{TEXT}c", "1")))
                dropping[0] = False
            elif name not in _ZERO_WIDTH:
                out.append({"tab": "\t", "line-break": "\n"}.get(name, f"<{name}>"))
                dropping[0] = False
            add(child.tail)

    walk(paragraph)
    return "".join(out)


def rendered_paragraphs(data: bytes) -> list[str]:
    return [rendered(p) for p in part(data, "content.xml").iter(f"{TEXT}p", f"{TEXT}h")]


def test_spaces_at_tag_boundaries_survive_exactly() -> None:
    for path in (REPORT, REPORT_LO):
        before = path.read_bytes()
        assert "Split bold  and  spaced  words." in rendered_paragraphs(before)
        _, skeleton = parse(OdtCodec(), path)
        texts = {pid: text for pid, text, _, _ in skeleton.layout}
        out = OdtCodec().write(skeleton.inner, texts, target_locale="en")
        assert rendered_paragraphs(out) == rendered_paragraphs(before), path
        assert paragraphs(out) == paragraphs(before), path  # odfpy, per paragraph
        units, _ = parse(OdtCodec(), path)
        unit = next(u for u in units if u.source.startswith("Split"))
        assert unit.source == "Split <g1>bold </g1> and<g2>  spaced</g2> <x3/> words."
        moved = translate(
            OdtCodec(), path, {unit.id: "Dividido <g2> espaciado </g2> y<g1>  negrita</g1> <x3/> ."}
        )
        wanted = "Dividido  espaciado  y  negrita  ."  # every space of the translation
        assert wanted in rendered_paragraphs(moved) and wanted in paragraphs(moved)


def test_sheet_names_of_a_spreadsheet_stay_as_they_are() -> None:
    """ODS sheet names are not translated (see the odf module's docstring for why)."""
    units, _ = parse(OdsCodec(), PRICES)
    assert "Prices" not in [u.source for u in units]
    out = translate(OdsCodec(), PRICES, {u.id: shout(u.source) for u in units})
    names = [t.get(f"{{{_NS['table']}}}name") for t in part(out, "content.xml").iter(
        f"{{{_NS['table']}}}table")]  # fmt: skip
    assert names == ["Prices"]
