"""Paragraphs of OOXML (WordprocessingML `w:p`, DrawingML `a:p`) as tagged text and back.

A dialect turns a paragraph into a flat list of tokens (text with its run properties, inline
elements, zero-width markers) and knows how to write a run. `extract` merges runs whose
properties are the same (revision ids, proofing marks and language ignored), so a paired tag
appears only where formatting really changes; `rebuild` replaces a paragraph's content with
runs made from a translated text's pieces. Payloads hold live elements of the tree they were
read from: `write` re-reads the paragraph in its own copy of the part and rebuilds from that.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeAlias

from lxml import etree

from dragoman.content.documents.inline import TaggedBuilder, pieces

Element: TypeAlias = etree._Element
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True, slots=True, eq=False)
class Text:
    """Literal text of one run, with the run's properties and their comparison key."""

    text: str
    key: Hashable
    rpr: Element | None
    wrappers: tuple[Element, ...] = ()
    linked: bool = False  # inside a link: never the paragraph's own formatting if avoidable


@dataclass(frozen=True, slots=True, eq=False)
class Inline:
    """A non-text run child (tab, break, footnote reference, drawing): rebuilt in a run of
    its own properties."""

    rpr: Element | None
    elements: tuple[Element, ...]
    wrappers: tuple[Element, ...] = ()


@dataclass(frozen=True, slots=True, eq=False)
class Whole:
    """Elements put back as they are (a field from begin to end, a simple field, math)."""

    elements: tuple[Element, ...]
    wrappers: tuple[Element, ...] = ()


@dataclass(frozen=True, slots=True, eq=False)
class Marker:
    """A zero-width element (bookmark, comment range, end-of-paragraph properties): kept at
    the start (`first`) or the end of a rebuilt paragraph, never a tag."""

    element: Element
    first: bool


@dataclass(frozen=True, slots=True, eq=False)
class Format:
    """The payload of a formatting tag: the run properties of the runs it covers."""

    rpr: Element | None


@dataclass(frozen=True, slots=True, eq=False)
class Wrapper:
    """The payload of a container tag (hyperlink, content control, insertion)."""

    element: Element


Token = Text | Inline | Whole | Marker


class Dialect(Protocol):
    """How one markup language spells paragraphs and runs."""

    def tokens(self, paragraph: Element) -> list[Token]: ...

    def kept(self, child: Element) -> bool:
        """True for a paragraph child that stays first in place (the paragraph properties)."""
        ...

    def text_run(self, parent: Element, rpr: Element | None, text: str) -> None: ...

    def inline_run(
        self, parent: Element, rpr: Element | None, elements: Sequence[Element]
    ) -> None: ...

    def shell(self, parent: Element, wrapper: Element) -> Element:
        """A copy of `wrapper` without its content under `parent`; returns where runs go."""
        ...


@dataclass(frozen=True, slots=True)
class Extracted:
    """A paragraph as tagged text, with what each tag stands for."""

    text: str
    payloads: dict[int, object]
    dominant: Element | None
    tokens: list[Token]


def extract(tokens: list[Token]) -> Extracted:
    """Tagged text of a paragraph's tokens: runs of the dominant formatting untagged, other
    stretches of equal formatting one `<gN>`, containers one `<gN>`, inline elements `<xN/>`."""
    weight: dict[Hashable, tuple[int, int]] = {}  # key -> (unlinked characters, characters)
    first_rpr: dict[Hashable, Element | None] = {}
    for token in tokens:
        if isinstance(token, Text):
            free, total = weight.get(token.key, (0, 0))
            size = len(token.text)
            weight[token.key] = (free + (0 if token.linked else size), total + size)
            first_rpr.setdefault(token.key, token.rpr)
    # The most characters outside links, then in all; on a tie the plainest properties.
    dominant_key = max(weight, key=lambda k: (*weight[k], -len(repr(k)))) if weight else None
    builder = TaggedBuilder()
    wrappers: list[tuple[Element, int]] = []
    fmt: tuple[Hashable, int] | None = None
    for token in tokens:
        if isinstance(token, Marker):
            continue
        if isinstance(token, Text) and not token.text:
            continue
        common = 0
        while (
            common < len(wrappers)
            and common < len(token.wrappers)
            and wrappers[common][0] is token.wrappers[common]
        ):
            common += 1
        if common < len(wrappers) or common < len(token.wrappers):
            if fmt is not None:
                builder.close(fmt[1])
                fmt = None
            while len(wrappers) > common:
                builder.close(wrappers.pop()[1])
            for element in token.wrappers[common:]:
                wrappers.append((element, builder.open(Wrapper(element))))
        if isinstance(token, Text):
            if token.key == dominant_key:
                if fmt is not None:
                    builder.close(fmt[1])
                    fmt = None
            elif fmt is None or fmt[0] != token.key:
                if fmt is not None:
                    builder.close(fmt[1])
                fmt = (token.key, builder.open(Format(token.rpr)))
            builder.text(token.text)
        else:
            builder.empty(token)
    if fmt is not None:
        builder.close(fmt[1])
    while wrappers:
        builder.close(wrappers.pop()[1])
    dominant = first_rpr.get(dominant_key) if dominant_key is not None else None
    return Extracted(builder.result(), builder.payloads, dominant, tokens)


def rebuild(paragraph: Element, dialect: Dialect, tagged: str) -> None:
    """Replace the content of `paragraph` (its properties kept) with runs for `tagged`."""
    found = extract(dialect.tokens(paragraph))
    payloads = found.payloads
    pairs = [t for t, p in payloads.items() if isinstance(p, Format | Wrapper)]
    empties = [t for t in payloads if t not in pairs]
    starts = [t.element for t in found.tokens if isinstance(t, Marker) and t.first]
    ends = [t.element for t in found.tokens if isinstance(t, Marker) and not t.first]
    for child in list(paragraph):
        if not dialect.kept(child):
            paragraph.remove(child)
    for element in starts:
        paragraph.append(element)
    chain: list[tuple[int, Element]] = []
    for piece in pieces(tagged, pairs, empties):
        wrapper_ids = [t for t in piece.tags if isinstance(payloads[t], Wrapper)]
        common = 0
        while (
            common < len(chain)
            and common < len(wrapper_ids)
            and chain[common][0] == wrapper_ids[common]
        ):
            common += 1
        del chain[common:]
        parent = chain[-1][1] if chain else paragraph
        for tag in wrapper_ids[common:]:
            wrapper = payloads[tag]
            assert isinstance(wrapper, Wrapper)
            parent = dialect.shell(parent, wrapper.element)
            chain.append((tag, parent))
        if piece.empty is not None:
            token = payloads[piece.empty]
            if isinstance(token, Inline):
                dialect.inline_run(parent, token.rpr, token.elements)
            elif isinstance(token, Whole):
                for element in token.elements:
                    parent.append(element)
            continue
        formats = [payloads[t] for t in piece.tags if isinstance(payloads[t], Format)]
        rpr = formats[-1].rpr if formats and isinstance(formats[-1], Format) else found.dominant
        dialect.text_run(parent, rpr, clean_text(piece.text))
    for element in ends:
        paragraph.append(element)


def clone(parent: Element, element: Element) -> Element:
    """A deep copy of `element` appended to `parent`, declared in the namespaces in scope
    there (a plain deepcopy would repeat namespace declarations on the copy)."""
    if not isinstance(element.tag, str):
        copied: Element = etree.Comment(element.text or "")
        parent.append(copied)
        return copied
    copied = etree.SubElement(parent, element.tag, attrib=dict(element.attrib))
    copied.text = element.text
    for child in element:
        clone(copied, child).tail = child.tail
    return copied


def clean_text(text: str) -> str:
    """Text XML 1.0 can hold (an engine's control characters dropped)."""
    return _INVALID.sub("", text)


def properties_key(
    rpr: Element | None, ignore_children: frozenset[str], ignore_attrs: frozenset[str]
) -> Hashable:
    """What makes two runs look the same: their properties without revision ids, proofing
    state and language."""
    if rpr is None:
        return ()
    attrs = tuple(sorted((k, v) for k, v in rpr.attrib.items() if k not in ignore_attrs))
    children: list[Hashable] = []
    for child in rpr:
        if child.tag in ignore_children or not isinstance(child.tag, str):
            continue
        if len(child):
            children.append(etree.tostring(child))
        else:
            children.append((child.tag, tuple(sorted(child.attrib.items()))))
    return (attrs, tuple(children)) if attrs or children else ()


def language_tag(locale: str) -> str:
    """A locale as a BCP 47 tag (`pt_BR` -> `pt-BR`), as Office writes language attributes."""
    return locale.replace("_", "-")


def same_language(value: str | None, tag: str) -> bool:
    """True when `value` already says `tag` (`es-ES` says `es`; `es` does not say `es-MX`)."""
    if value is None:
        return False
    value, tag = value.lower(), tag.lower()
    return value == tag or ("-" not in tag and value.split("-")[0] == tag)
