"""DrawingML paragraphs (`a:p`: slides, notes, chart titles) as tokens, runs written back,
and the `lang` of run properties.

Links live in the run properties (`a:hlinkClick`), so a linked word is a formatting tag whose
properties keep the link's relationship id; `a:br` and fields (`a:fld`) are empty tags put
back as they were; `a:endParaRPr` stays last.
"""

from __future__ import annotations

from collections.abc import Sequence

from lxml import etree

from dragoman.content.documents._ooxml import (
    Element,
    Marker,
    Text,
    Token,
    Whole,
    clone,
    language_tag,
    properties_key,
    same_language,
)

A = "http://schemas.openxmlformats.org/drawingml/2006/main"
C = "http://schemas.openxmlformats.org/drawingml/2006/chart"


def a(name: str) -> str:
    """A qualified DrawingML name."""
    return f"{{{A}}}{name}"


P, R, T, RPR, PPR, BR = a("p"), a("r"), a("t"), a("rPr"), a("pPr"), a("br")
END_RPR, _LINK = a("endParaRPr"), a("hlinkClick")
_LANG_HOLDERS = (RPR, END_RPR, a("defRPr"))
_IGNORED_ATTRS = frozenset({"lang", "altLang", "dirty", "err", "smtClean", "smtId", "noProof"})
_NO_CHILDREN: frozenset[str] = frozenset()


class DrawingDialect:
    """`a:p` paragraphs."""

    def tokens(self, paragraph: Element) -> list[Token]:
        out: list[Token] = []
        for child in paragraph:
            tag = child.tag
            if tag == R:
                rpr = child.find(RPR)
                node = child.find(T)
                key = properties_key(rpr, _NO_CHILDREN, _IGNORED_ATTRS)
                text = node.text or "" if node is not None else ""
                linked = rpr is not None and rpr.find(_LINK) is not None
                out.append(Text(text, key, rpr, linked=linked))
            elif tag == END_RPR:
                out.append(Marker(child, first=False))
            elif tag == PPR or not isinstance(tag, str):
                continue
            else:  # a:br, a:fld, math: kept whole, in place
                out.append(Whole((child,)))
        return out

    def kept(self, child: Element) -> bool:
        return bool(child.tag == PPR)

    def text_run(self, parent: Element, rpr: Element | None, text: str) -> None:
        for index, line in enumerate(text.split("\n")):
            if index:
                br = etree.SubElement(parent, BR)
                if rpr is not None:
                    clone(br, rpr)
            if line or not index:
                run = etree.SubElement(parent, R)
                if rpr is not None:
                    clone(run, rpr)
                etree.SubElement(run, T).text = line

    def inline_run(self, parent: Element, rpr: Element | None, elements: Sequence[Element]) -> None:
        for element in elements:
            parent.append(element)

    def shell(self, parent: Element, wrapper: Element) -> Element:
        return parent  # DrawingML has no container elements inside a paragraph


def drawing_paragraphs(root: Element) -> list[Element]:
    """Every `a:p` of a part in document order."""
    return list(root.iter(P))


def chart_title_paragraphs(root: Element) -> list[Element]:
    """The rich-text paragraphs of a chart's titles (chart and axes)."""
    out: list[Element] = []
    for title in root.iter(f"{{{C}}}title"):
        out.extend(title.iter(P))
    return out


def set_language(root: Element, locale: str, *, add: bool) -> bool:
    """Set `lang` (and any `altLang`) of run properties to `locale`; with `add`, give every
    run (properties made where missing) and paragraph end one. True when something changed."""
    tag = language_tag(locale)
    changed = False
    if add:
        for run in root.iter(R):
            if run.find(RPR) is None:
                run.insert(0, etree.SubElement(run, RPR))
    for element in root.iter(*_LANG_HOLDERS):
        names = ["lang"] if add or element.get("lang") is not None else []
        if element.get("altLang") is not None:
            names.append("altLang")
        for name in names:
            if not same_language(element.get(name), tag):
                element.set(name, tag)
                changed = True
    for lang in root.iter(f"{{{C}}}lang"):
        if not same_language(lang.get("val"), tag):
            lang.set("val", tag)
            changed = True
    return changed
