"""DOCX (WordprocessingML): body, tables, text boxes, headers and footers, footnotes and
endnotes, comments, chart titles, image alt text and the document title.

Each paragraph is one block of tagged text (see `_wordml` for what becomes a tag); image
descriptions and titles (`wp:docPr`) and the title in `docProps/core.xml` are read whole.
Paragraph properties stay untouched; `w:lang` (runs, styles and the document defaults)
follows the target.
"""

from __future__ import annotations

from typing import ClassVar

from dragoman.content.documents import _drawingml, _wordml
from dragoman.content.documents._ooxml import Element
from dragoman.content.documents._opc import (
    Block,
    OoxmlCodec,
    PartSpec,
    core_blocks,
    core_spec,
    label_for,
    part_relationships,
    set_core_language,
)
from dragoman.content.documents.packages import Package

WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
_DOC_PR = f"{{{WP}}}docPr"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
_TEXT_PARTS = ("header", "footer", "footnotes", "endnotes", "comments")
_WORD = _wordml.WordDialect()
_DRAWING = _drawingml.DrawingDialect()


class DocxCodec(OoxmlCodec):
    """`.docx`: Word documents."""

    name = "docx"
    extensions = (".docx",)
    media_types: ClassVar[tuple[str, ...]] = (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )

    def parts(self, package: Package, main: str) -> list[PartSpec]:
        taken: set[str] = set()
        specs = [PartSpec(main, label_for(main, taken), "word")]
        related = part_relationships(package, main)
        for wanted in _TEXT_PARTS:
            for kind, name, _ in related:
                if kind == _REL + wanted and name in package:
                    specs.append(PartSpec(name, label_for(name, taken), "word"))
        for kind, name, _ in related:
            if kind == _REL + "chart" and name in package:
                specs.append(PartSpec(name, label_for(name, taken), "chart"))
        for kind, name, _ in related:
            if kind == _REL + "styles" and name in package:
                specs.append(PartSpec(name, label_for(name, taken), "styles"))
        return specs + core_spec(package)

    def blocks(self, spec: PartSpec, root: Element) -> list[Block]:
        if spec.kind == "word":
            out: list[Block] = [(p, _WORD) for p in _wordml.word_paragraphs(root)]
            for doc_pr in root.iter(_DOC_PR):
                out.extend([(doc_pr, "descr"), (doc_pr, "title")])
            return out
        if spec.kind == "chart":
            return [(p, _DRAWING) for p in _drawingml.chart_title_paragraphs(root)]
        if spec.kind == "core":
            return core_blocks(root)
        return []

    def set_language(self, spec: PartSpec, root: Element, locale: str) -> bool:
        if spec.kind == "word":
            return _wordml.set_language(root, locale)
        if spec.kind == "styles":
            changed = _wordml.set_language(root, locale)
            return _wordml.set_default_language(root, locale) or changed
        if spec.kind == "chart":
            return _drawingml.set_language(root, locale, add=False)
        if spec.kind == "core":
            return set_core_language(root, locale)
        return False

    def after_edits(self, spec: PartSpec, root: Element) -> None:
        if spec.kind == "word":
            _wordml.sync_fallbacks(root)

    def sniff(self, head: bytes) -> bool:
        return head.startswith(b"PK") and b"word/" in head
