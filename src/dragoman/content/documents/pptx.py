"""PPTX (PresentationML): slide text frames and tables, slide notes, chart titles, picture and
shape alt text, and the presentation's title.

Slides are read in the order `presentation.xml` lists them, each followed by its charts and
its notes; every `a:p` is one block of tagged text (see `_drawingml`), alt text
(`p:cNvPr/@descr`, `@title`) and the title are read whole. Every run's `lang` follows the
target (`altLang` too where set).
"""

from __future__ import annotations

from typing import ClassVar

from dragoman.content.documents import _drawingml
from dragoman.content.documents._ooxml import Element
from dragoman.content.documents._opc import (
    REL_NS,
    Block,
    OoxmlCodec,
    PartSpec,
    core_blocks,
    core_spec,
    label_for,
    part_relationships,
    set_core_language,
)
from dragoman.content.documents.packages import Package, parse_xml

P_NS = "http://schemas.openxmlformats.org/presentationml/2006/main"
_C_NV_PR = f"{{{P_NS}}}cNvPr"
_SLIDE_ID = f"{{{P_NS}}}sldId"
_R_ID = f"{{{REL_NS}}}id"
_DRAWING = _drawingml.DrawingDialect()


class PptxCodec(OoxmlCodec):
    """`.pptx`: PowerPoint presentations."""

    name = "pptx"
    what = "presentation"
    extensions = (".pptx",)
    media_types: ClassVar[tuple[str, ...]] = (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    )

    def parts(self, package: Package, main: str) -> list[PartSpec]:
        taken: set[str] = set()
        by_id = {rid: name for kind, name, rid in part_relationships(package, main)}
        order = [
            by_id[slide.get(_R_ID, "")]
            for slide in parse_xml(package.read(main), main).iter(_SLIDE_ID)
            if slide.get(_R_ID, "") in by_id
        ]
        specs: list[PartSpec] = []
        for slide in order:
            if slide not in package:
                continue
            specs.append(PartSpec(slide, label_for(slide, taken), "slide"))
            related = part_relationships(package, slide)
            for kind, name, _ in related:
                if kind == f"{REL_NS}/chart" and name in package:
                    specs.append(PartSpec(name, label_for(name, taken), "chart"))
            for kind, name, _ in related:
                if kind == f"{REL_NS}/notesSlide" and name in package:
                    specs.append(PartSpec(name, label_for(name, taken), "slide"))
        specs.append(PartSpec(main, label_for(main, taken), "presentation"))
        return specs + core_spec(package)

    def blocks(self, spec: PartSpec, root: Element) -> list[Block]:
        if spec.kind == "slide":
            out: list[Block] = [(p, _DRAWING) for p in _drawingml.drawing_paragraphs(root)]
            for shape in root.iter(_C_NV_PR):
                out.extend([(shape, "descr"), (shape, "title")])
            return out
        if spec.kind == "chart":
            return [(p, _DRAWING) for p in _drawingml.chart_title_paragraphs(root)]
        if spec.kind == "core":
            return core_blocks(root)
        return []

    def set_language(self, spec: PartSpec, root: Element, locale: str) -> bool:
        if spec.kind == "slide":
            return _drawingml.set_language(root, locale, add=True)
        if spec.kind in ("chart", "presentation"):
            return _drawingml.set_language(root, locale, add=False)
        if spec.kind == "core":
            return set_core_language(root, locale)
        return False

    def sniff(self, head: bytes) -> bool:
        return head.startswith(b"PK") and b"ppt/" in head
