"""DOCX codec: what is read, identity rebuilds read the same in python-docx, tags moved by a
translation land on the right words, fields and notes survive, language follows the target,
untouched entries stay byte-identical."""

from __future__ import annotations

import io
import zipfile
from functools import partial
from pathlib import Path

import docx
import pytest
from docx.text.hyperlink import Hyperlink
from docx.text.paragraph import Paragraph as DocxParagraph
from lxml import etree
from tests.unit.documents import codec_helpers

from dragoman.content.documents.base import DocumentSkeleton
from dragoman.content.documents.docx import DocxCodec
from dragoman.content.documents.inline import plain
from dragoman.content.model import Limits, Unit

FIXTURES = Path(__file__).parents[2] / "fixtures" / "formats" / "docx"
HAND = FIXTURES / "hand_made.docx"
PYDOCX = FIXTURES / "python_docx.docx"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
codec = DocxCodec()


parse = partial(codec_helpers.parse, codec)
translate = partial(codec_helpers.translate, codec)


def rebuild_all(path: Path, locale: str = "en") -> bytes:
    """Every paragraph rebuilt from its own tagged text (what a translation does)."""
    _, skeleton = parse(path)
    texts = {paragraph_id: text for paragraph_id, text, _, _ in skeleton.layout}
    return codec.write(skeleton.inner, texts, target_locale=locale)


def part(data: bytes, name: str) -> etree._Element:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return etree.fromstring(archive.read(name))


def characters(data: bytes) -> list[list[tuple[str, object, object, object, str | None]]]:
    """Per paragraph of the body, headers and footers: each character with its bold, italic,
    underline and the link it belongs to, as python-docx reads them."""
    document = docx.Document(io.BytesIO(data))
    roots = [document.element.body]
    for section in document.sections:
        roots += [section.header._element, section.footer._element]
    out = []
    for root in roots:
        for p in root.iter(f"{W}p"):
            paragraph = DocxParagraph(p, document.part)
            chars: list[tuple[str, object, object, object, str | None]] = []
            for item in paragraph.iter_inner_content():
                runs = item.runs if isinstance(item, Hyperlink) else [item]
                address = item.address if isinstance(item, Hyperlink) else None
                for run in runs:
                    for char in run.text:
                        chars.append((char, run.bold, run.italic, run.underline, address))
            out.append(chars)
    return out


def entries(data: bytes) -> dict[str, bytes]:
    """Each zip entry's raw stored bytes (compressed data as written)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        out = {}
        for info in archive.infolist():
            with archive.open(info) as _:
                pass
            start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
            out[info.filename] = data[start : start + info.compress_size]
        return out


def test_units_cover_every_text_part_and_merge_equal_runs() -> None:
    units, _ = parse(HAND)
    by_id = {u.id: u.source for u in units}
    assert by_id["document:0"] == "Annual review"  # two runs, rsids differ: one text
    # proofing marks, bookmarks and revision ids do not split; bold over two runs is one tag
    assert by_id["document:1#0"] == "This paragrph has a <g1>bold phrase</g1> and a note.<x2/>"
    assert by_id["document:2"] == "Page <x1/> of the printed copy, dated <x2/>.<x3/>"
    assert by_id["document:7"] == "Code: <g1>print() now</g1>  runs   twice."
    assert by_id["footnotes:2"] == "<x1/> The footnote explains the bold phrase."
    assert by_id["endnotes:2"] == "<x1/> Printed copies may be out of date."
    assert by_id["header1:0"] == "Draft for internal use<x1/>Page header"
    assert by_id["chart1:0"] == "Sales by region"
    assert by_id["core:0"] == "Annual review"
    assert by_id["document:8"] == "A box with a warning"  # alt text, whole
    assert by_id["document:11"] == "Sales chart"
    texts = [plain(u.source) for u in units]
    assert texts.count("Text inside the box.") == 1  # the VML fallback is not read twice
    joined = " ".join(texts)
    for hidden in ("PAGE", "1/1/2024", "DATE"):  # field codes and results are not text
        assert hidden not in joined


def test_python_docx_units_have_links_tables_comments_and_alt_text() -> None:
    units, _ = parse(PYDOCX)
    by_id = {u.id: u.source for u in units}
    assert by_id["document:1#1"] == "See the <g3><g4>documentation</g4></g3> for details."
    assert by_id["document:2"] == "Name<x1/>Value on the same line<x2/>A second line after a break."
    assert by_id["document:7"] == "Nested cell text"
    assert by_id["comments:0"] == "<x1/>Please check this figure."
    assert {"A red square on a white page", "Red square", "Company confidential"} <= set(
        by_id.values()
    )


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.docx")), ids=lambda p: p.name)
def test_every_paragraph_rebuilt_reads_the_same(path: Path) -> None:
    original = path.read_bytes()
    rebuilt = rebuild_all(path)
    assert rebuilt != original
    assert characters(rebuilt) == characters(original)
    again, _ = parse_bytes(rebuilt)
    assert [(u.id, u.source) for u in again] == [(u.id, u.source) for u in parse(path)[0]]
    for name in ("word/footnotes.xml", "word/endnotes.xml"):
        if name in zipfile.ZipFile(path).namelist():
            assert _texts(part(rebuilt, name)) == _texts(part(original, name))


def parse_bytes(data: bytes) -> tuple[list[Unit], DocumentSkeleton]:
    extraction = codec.parse(data, source_locale="en", limits=Limits())
    assert isinstance(extraction.skeleton, DocumentSkeleton)
    return extraction.units, extraction.skeleton


def _texts(root: etree._Element) -> list[str]:
    return ["".join(t.text or "" for t in p.iter(f"{W}t")) for p in root.iter(f"{W}p")]


def test_moved_tags_keep_bold_italic_and_link_on_the_moved_words() -> None:
    out = translate(
        PYDOCX,
        {
            "document:1#0": "El zorro marrón <g1>rápido</g1> <g2>salta</g2> sobre el perro.",
            "document:1#1": "Para detalles, vea <g3><g4>la documentación</g4></g3>.",
        },
    )
    document = docx.Document(io.BytesIO(out))
    paragraph = document.paragraphs[1]
    assert paragraph.text.startswith("El zorro marrón rápido salta sobre el perro. Para")
    runs = {run.text: run for run in paragraph.runs}
    assert runs["rápido"].bold and not runs["rápido"].italic
    assert runs["salta"].italic and runs["salta"].underline and not runs["salta"].bold
    assert not runs["El zorro marrón "].bold
    links = paragraph.hyperlinks
    assert [(link.text, link.address) for link in links] == [
        ("la documentación", "https://example.com/docs")
    ]


def test_footnote_reference_moves_and_notes_are_translated() -> None:
    out = translate(
        HAND,
        {
            "document:1#0": "Este párrafo tiene una nota<x2/> y una <g1>frase en negrita</g1>.",
            "footnotes:2": "<x1/> La nota explica la frase.",
        },
    )
    body = part(out, "word/document.xml")
    paragraph = list(body.iter(f"{W}p"))[1]
    reference = next(paragraph.iter(f"{W}footnoteReference"))
    run = reference.getparent()
    assert run.find(f"{W}rPr/{W}rStyle").get(f"{W}val") == "FootnoteReference"
    seen = "".join(t.text or "[ref]" for t in paragraph.iter(f"{W}t", f"{W}footnoteReference"))
    assert seen == "Este párrafo tiene una nota[ref] y una frase en negrita. It ends here."
    bold = [r for r in paragraph.iter(f"{W}r") if r.find(f"{W}rPr/{W}b") is not None]
    assert ["".join(t.text for t in r.iter(f"{W}t")) for r in bold] == ["frase en negrita"]
    assert paragraph.find(f"{W}bookmarkStart") is not None  # kept, at the start
    assert paragraph.find(f"{W}proofErr") is None
    notes = _texts(part(out, "word/footnotes.xml"))
    assert " La nota explica la frase." in notes
    assert next(part(out, "word/footnotes.xml").iter(f"{W}footnoteRef")) is not None


def test_fields_stay_whole_when_their_paragraph_is_translated() -> None:
    before = part(HAND.read_bytes(), "word/document.xml")
    out = translate(HAND, {"document:2": "Fecha <x2/>, página <x1/> de la copia.<x3/>"})
    after = part(out, "word/document.xml")
    old = etree.tostring(list(before.iter(f"{W}p"))[2].find(f"{W}fldSimple"))
    paragraph = list(after.iter(f"{W}p"))[2]
    assert etree.tostring(paragraph.find(f"{W}fldSimple")) == old
    kinds = [c.get(f"{W}fldCharType") for c in paragraph.iter(f"{W}fldChar")]
    assert kinds == ["begin", "separate", "end"]
    assert [i.text for i in paragraph.iter(f"{W}instrText")] == [" PAGE "]
    texts = [t.text for t in paragraph.iter(f"{W}t")]
    assert texts[0] == "Fecha " and "1/1/2024" in texts and "1" in texts


def test_text_box_and_its_fallback_and_alt_text_are_translated() -> None:
    out = translate(
        HAND, {"document:5": "Texto dentro de la caja.", "document:8": "Una caja con aviso"}
    )
    body = part(out, "word/document.xml")
    boxes = [_texts(box) for box in body.iter(f"{W}txbxContent")]
    assert boxes == [["Texto dentro de la caja."], ["Texto dentro de la caja."]]
    doc_pr = next(body.iter("{*}docPr"))
    assert doc_pr.get("descr") == "Una caja con aviso"


def test_language_follows_the_target_everywhere() -> None:
    out = translate(HAND, {"core:0": "Revisión anual"}, locale="es-MX")
    for name in ("word/document.xml", "word/footnotes.xml", "word/styles.xml"):
        root = part(out, name)
        langs = {lang.get(f"{W}val") for lang in root.iter(f"{W}lang")}
        assert langs == {"es-MX"} or name == "word/footnotes.xml", (name, langs)
    defaults = part(out, "word/styles.xml").find(f"{W}docDefaults//{W}lang")
    assert defaults.get(f"{W}val") == "es-MX" and defaults.get(f"{W}eastAsia") == "en-US"
    core = part(out, "docProps/core.xml")
    assert core.findtext("{http://purl.org/dc/elements/1.1/}language") == "es-MX"
    assert core.findtext("{http://purl.org/dc/elements/1.1/}title") == "Revisión anual"
    chart = part(out, "word/charts/chart1.xml")
    assert {e.get("lang") for e in chart.iter("{*}rPr")} == {"es-MX"}
    assert docx.Document(io.BytesIO(out)).core_properties.title == "Revisión anual"


def test_styles_without_a_default_language_get_one() -> None:
    out = translate(PYDOCX, {}, locale="de")
    langs = part(out, "word/styles.xml").findall(f"{W}docDefaults/{W}rPrDefault/{W}rPr/{W}lang")
    assert [lang.get(f"{W}val") for lang in langs] == ["de"]
    docx.Document(io.BytesIO(out))  # opens


def test_untouched_entries_are_copied_byte_for_byte() -> None:
    original = PYDOCX.read_bytes()
    out = translate(PYDOCX, {"document:0": "Introducción al informe"})
    before, after = entries(original), entries(out)
    assert list(before) == list(after)
    changed = {name for name in before if before[name] != after[name]}
    assert "word/document.xml" in changed
    assert changed <= {"word/document.xml", "word/styles.xml", "word/comments.xml"}
    media = [name for name in before if name.startswith("word/media/")]
    assert media and all(before[name] == after[name] for name in media)


def test_an_engine_that_drops_or_crosses_tags_still_gives_a_valid_document() -> None:
    out = translate(
        PYDOCX,
        {
            "document:1#0": "<g2>El </g1>zorro</g2> <g1>rápido",
            "document:1#1": "Vea la documentación.",
            "document:2": "Nombre<x2/>Valor",
        },
    )
    document = docx.Document(io.BytesIO(out))
    text = document.paragraphs[1].text
    assert "El zorro rápido" in text
    assert document.paragraphs[2].text == "Nombre\nValor\t"  # the lost tab comes last
    codec.parse(out, source_locale="es", limits=Limits())


def test_newlines_tabs_spaces_and_control_characters_in_a_translation() -> None:
    out = translate(HAND, {"document:7": "Código:\t<g1>print()</g1>  dos\nveces\x07."})
    paragraph = docx.Document(io.BytesIO(out)).paragraphs[6]
    assert paragraph.text == "Código:\tprint()  dos\nveces."


def with_body(body: str) -> bytes:
    """The hand-made document with `body` (WordprocessingML paragraphs) as its body."""
    source = zipfile.ZipFile(HAND)
    xml = source.read("word/document.xml").decode()
    start, end = xml.index("<w:body>") + len("<w:body>"), xml.index("<w:sectPr>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "word/document.xml":
                data = (xml[:start] + body + xml[end:]).encode()
            archive.writestr(info, data)
    return out.getvalue()


def run(text: str) -> str:
    return f'<w:r><w:t xml:space="preserve">{text}</w:t></w:r>'


def field(kind: str) -> str:
    return f'<w:r><w:fldChar w:fldCharType="{kind}"/></w:r>'


def test_fields_across_paragraphs_and_nested_fields_keep_their_structure() -> None:
    toc = (
        f"<w:p>{field('begin')}<w:r><w:instrText> TOC \\o </w:instrText></w:r>{field('separate')}"
        f'<w:hyperlink w:anchor="_Toc1">{run("Introduction to the plan")}</w:hyperlink></w:p>'
        f"<w:p>{run('Costs and savings over time')}</w:p>"
        f"<w:p>{run('Summary of the results')}{field('end')}</w:p>"
        f"<w:p>{run('See ')}{field('begin')}<w:r><w:instrText> IF </w:instrText></w:r>"
        f"{field('begin')}<w:r><w:instrText> PAGE </w:instrText></w:r>{field('separate')}"
        f"{run('2')}{field('end')}{field('separate')}{run('two')}{field('end')}"
        f"{run(' for more.')}</w:p>"
    )
    data = with_body(toc)
    units, skeleton = parse_bytes(data)
    by_id = {u.id: u.source for u in units}
    assert "document:0" not in by_id  # the field's first paragraph is all field
    assert by_id["document:1"] == "Costs and savings over time"
    assert by_id["document:2"] == "Summary of the results<x1/>"
    assert by_id["document:3"] == "See <x1/> for more."
    texts = {
        "document:1": "Costes y ahorros",
        "document:2": "<x1/>Resumen de los resultados",
        "document:3": "Vea<x1/>, para más.",
    }
    out = codec.write(skeleton.inner, texts, target_locale="es")
    body = part(out, "word/document.xml")
    kinds = [c.get(f"{W}fldCharType") for c in body.iter(f"{W}fldChar")]
    toc = outer = inner = ["begin", "separate", "end"]
    assert kinds == [*toc, outer[0], *inner, *outer[1:]]
    paragraphs = [_texts(p)[0] for p in list(body.iter(f"{W}p"))[:4]]
    assert paragraphs == [
        "Introduction to the plan",
        "Costes y ahorros",
        "Resumen de los resultados",
        "Vea2two, para más.",
    ]
    docx.Document(io.BytesIO(out))
