"""WordprocessingML paragraphs (`w:p`) as tokens, runs written back, and `w:lang`.

Containers (hyperlinks, content controls, smart tags, insertions) become paired tags; tabs,
breaks, note references, drawings and symbols empty tags; a complex field from its
`begin` to its `end` (code and result) one empty tag, put back as it was; bookmarks and
comment ranges zero-width markers; proofing marks and rendered page breaks are dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from lxml import etree

from dragoman.content.documents._ooxml import (
    XML_SPACE,
    Element,
    Inline,
    Marker,
    Text,
    Token,
    Whole,
    clone,
    language_tag,
    properties_key,
    same_language,
)

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"


def w(name: str) -> str:
    """A qualified WordprocessingML name."""
    return f"{{{W}}}{name}"


P, R, T, RPR, PPR = w("p"), w("r"), w("t"), w("rPr"), w("pPr")
FLDCHAR, INSTR, LANG = w("fldChar"), w("instrText"), w("lang")
TXBX = w("txbxContent")
FALLBACK = f"{{{MC}}}Fallback"
ALTERNATE = f"{{{MC}}}AlternateContent"
CHOICE = f"{{{MC}}}Choice"
_WRAPPERS = {
    w(n) for n in ("hyperlink", "sdt", "smartTag", "customXml", "ins", "moveTo", "dir", "bdo")
}
_MARKERS = {
    w(n)
    for n in (
        "bookmarkStart", "bookmarkEnd", "commentRangeStart", "commentRangeEnd", "permStart",
        "permEnd", "moveFromRangeStart", "moveFromRangeEnd", "moveToRangeStart",
        "moveToRangeEnd", "customXmlInsRangeStart", "customXmlInsRangeEnd",
        "customXmlDelRangeStart", "customXmlDelRangeEnd",
    )
}  # fmt: skip
_DROPPED = {w("proofErr"), w("lastRenderedPageBreak")}
_IGNORED_PROPERTIES = frozenset({LANG, w("noProof"), w("rPrChange"), w("rsid")})
_NO_ATTRS: frozenset[str] = frozenset()


@dataclass(slots=True)
class _Field:
    runs: list[Element] = field(default_factory=list)
    depth: int = 0
    wrappers: tuple[Element, ...] = ()


class WordDialect:
    """`w:p` paragraphs."""

    def tokens(self, paragraph: Element) -> list[Token]:
        out: list[Token] = []
        state = _Field()
        _collect(paragraph, (), out, state)
        if state.runs:
            out.append(Whole(tuple(state.runs), state.wrappers))
        return out

    def kept(self, child: Element) -> bool:
        return bool(child.tag == PPR)

    def text_run(self, parent: Element, rpr: Element | None, text: str) -> None:
        run = etree.SubElement(parent, R)
        if rpr is not None:
            clone(run, rpr)
        for index, line in enumerate(text.split("\n")):
            if index:
                etree.SubElement(run, w("br"))
            for number, part in enumerate(line.split("\t")):
                if number:
                    etree.SubElement(run, w("tab"))
                if part:
                    node = etree.SubElement(run, T)
                    node.text = part
                    if part != part.strip() or "  " in part:
                        node.set(XML_SPACE, "preserve")

    def inline_run(self, parent: Element, rpr: Element | None, elements: Sequence[Element]) -> None:
        run = etree.SubElement(parent, R)
        if rpr is not None:
            clone(run, rpr)
        for element in elements:
            run.append(element)

    def shell(self, parent: Element, wrapper: Element) -> Element:
        copied = etree.SubElement(parent, wrapper.tag, attrib=dict(wrapper.attrib))
        for child in wrapper:
            if isinstance(child.tag, str) and child.tag.endswith(("Pr", "EndPr")):
                clone(copied, child)
        if wrapper.tag == w("sdt"):
            return etree.SubElement(copied, w("sdtContent"))
        return copied


def run_key(rpr: Element | None) -> object:
    """Run properties compared without language, proofing and revision marks."""
    return properties_key(rpr, _IGNORED_PROPERTIES, _NO_ATTRS)


def _collect(
    parent: Element, wrappers: tuple[Element, ...], out: list[Token], state: _Field
) -> None:
    for child in parent:
        tag = child.tag
        if tag == R:
            _run(child, wrappers, out, state)
        elif state.runs and tag not in _MARKERS and tag not in _DROPPED and tag != PPR:
            state.runs.append(child)  # whatever lies inside a field belongs to it
        elif tag in _WRAPPERS:
            inner = child.find(w("sdtContent")) if tag == w("sdt") else child
            if inner is not None:
                _collect(inner, (*wrappers, child), out, state)
        elif tag in _MARKERS:
            out.append(Marker(child, first=tag.endswith("Start")))
        elif tag in _DROPPED or tag == PPR or not isinstance(tag, str):
            continue
        else:  # simple fields, deletions, math, anything unknown: kept whole, in place
            out.append(Whole((child,), wrappers))


def _run(run: Element, wrappers: tuple[Element, ...], out: list[Token], state: _Field) -> None:
    fields = [c.get(w("fldCharType")) for c in run if c.tag == FLDCHAR]
    if state.runs or "begin" in fields:
        if not state.runs:
            state.wrappers = wrappers
        state.runs.append(run)
        for kind in fields:
            state.depth += 1 if kind == "begin" else -1 if kind == "end" else 0
        if state.depth <= 0:
            out.append(Whole(tuple(state.runs), state.wrappers))
            state.runs, state.depth = [], 0
        return
    if fields or run.find(INSTR) is not None:  # the end of a field begun in another paragraph
        out.append(Whole((run,), wrappers))
        return
    rpr = run.find(RPR)
    key = run_key(rpr)
    for child in run:
        tag = child.tag
        if tag == T:
            out.append(Text(child.text or "", key, rpr, wrappers, linked=bool(wrappers)))
        elif tag == RPR or tag in _DROPPED or not isinstance(tag, str):
            continue
        else:
            out.append(Inline(rpr, (child,), wrappers))


def word_paragraphs(root: Element) -> list[Element]:
    """Every `w:p` of a part in document order, but not those of a VML fallback (the same
    text box again, kept in step by `sync_fallbacks`)."""
    skip: set[Element] = set()
    for fallback in root.iter(FALLBACK):
        skip.update(fallback.iter(P))
    return [p for p in root.iter(P) if p not in skip]


def sync_fallbacks(root: Element) -> None:
    """Copy each text box written in `mc:Choice` over its `mc:Fallback` twin."""
    for alternate in root.iter(ALTERNATE):
        choice = alternate.find(CHOICE)
        fallback = alternate.find(FALLBACK)
        if choice is None or fallback is None:
            continue
        chosen = list(choice.iter(TXBX))
        old = list(fallback.iter(TXBX))
        if not chosen or len(chosen) != len(old):
            continue
        for source, target in zip(chosen, old, strict=True):
            for child in list(target):
                target.remove(child)
            for child in source:
                clone(target, child)


_EAST_ASIAN = ("zh", "ja", "ko")
_BIDI = ("ar", "he", "fa", "ur", "yi", "ps", "sd", "ug", "dv")


def set_language(root: Element, locale: str) -> bool:
    """Point every `w:lang` at `locale` (`w:eastAsia` or `w:bidi` too for such targets);
    True when something changed."""
    tag = language_tag(locale)
    language = tag.split("-")[0].lower()
    changed = False
    for element in root.iter(LANG):
        wanted = {w("val"): tag}
        if language in _EAST_ASIAN:
            wanted[w("eastAsia")] = tag
        if language in _BIDI:
            wanted[w("bidi")] = tag
        for name, value in wanted.items():
            if not same_language(element.get(name), value):
                element.set(name, value)
                changed = True
    return changed


def set_default_language(styles: Element, locale: str) -> bool:
    """Give `w:docDefaults` a `w:lang` for `locale` (runs without one inherit it)."""
    defaults = styles.find(w("docDefaults"))
    if defaults is None:
        return False
    changed = set_language(defaults, locale)
    if defaults.find(f"{w('rPrDefault')}/{RPR}/{LANG}") is None:
        rpr_default = defaults.find(w("rPrDefault"))
        if rpr_default is None:
            rpr_default = etree.SubElement(defaults, w("rPrDefault"))
            defaults.insert(0, rpr_default)
        rpr = rpr_default.find(RPR)
        if rpr is None:
            rpr = etree.SubElement(rpr_default, RPR)
        lang = etree.SubElement(rpr, LANG, attrib={w("val"): language_tag(locale)})
        later = [c for c in rpr if c.tag in _AFTER_LANG]
        if later:  # the schema's order: w:lang comes before these
            later[0].addprevious(lang)
        set_language(defaults, locale)
        changed = True
    return changed


_AFTER_LANG = {w("eastAsianLayout"), w("specVanish"), w("oMath")}
