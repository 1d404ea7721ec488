"""ODF paragraph content (`text:p`, `text:h`) as tagged text and back: `text:span` and
`text:a` are paired tags (their attributes kept), `text:s` is spaces, and every other inline
element (tab, line break, note, frame, annotation, field, bookmark) an empty tag that moves
whole, its own paragraphs translated separately.

White space follows ODF (1.2 part 1, 6.1.2) as LibreOffice reads it: tabs and line feeds in
text are spaces, a space right after another literal space is dropped even across a span or
link boundary (or a zero-width element such as a bookmark), spaces at a paragraph's start are
dropped, and `text:s`, tabs, breaks and other inline content end such a run. Writing does the
reverse: a space that would collapse is written as `text:s`, so spaces at tag boundaries
survive a round trip exactly.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from lxml import etree

from dragoman.content.documents._richtext import clean
from dragoman.content.documents.inline import TaggedBuilder, pieces

TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
SPAN, LINK, SPACE = f"{{{TEXT}}}span", f"{{{TEXT}}}a", f"{{{TEXT}}}s"
TAB, BREAK = f"{{{TEXT}}}tab", f"{{{TEXT}}}line-break"
_COUNT = f"{{{TEXT}}}c"
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
# Zero-width elements: a space after one still collapses with a space before it.
_ZERO_WIDTH = frozenset(
    {f"{{{TEXT}}}{name}" for name in (
        "bookmark", "bookmark-start", "bookmark-end", "reference-mark", "reference-mark-start",
        "reference-mark-end", "soft-page-break", "change", "change-start", "change-end",
        "toc-mark", "toc-mark-start", "toc-mark-end", "alphabetical-index-mark",
        "alphabetical-index-mark-start", "alphabetical-index-mark-end", "user-index-mark",
        "user-index-mark-start", "user-index-mark-end")}
    | {f"{{{_OFFICE}}}annotation", f"{{{_OFFICE}}}annotation-end"}
)  # fmt: skip
_WHITE = re.compile(r"[ \t\r\n]+")
_SPECIAL = re.compile(r"( {2,}|\t|\n)")


@dataclass(frozen=True, slots=True)
class Pair:
    """A paired tag's payload: the element it stands for, as tag and attributes."""

    tag: str
    attrib: tuple[tuple[str, str], ...]


def read(paragraph: etree._Element) -> tuple[str, dict[int, Any]]:
    """The tagged text of a paragraph and its payloads (Pair, or the ordinal of a kept
    inline element among `kept(paragraph)`)."""
    builder = TaggedBuilder()
    state = [True, 0]  # a literal space would be dropped here; kept elements so far
    _walk(paragraph, builder, state)
    return builder.result(), builder.payloads


def _walk(parent: etree._Element, builder: TaggedBuilder, state: list[Any]) -> None:
    _text(builder, parent.text, state)
    for child in parent:
        tag = child.tag
        if tag in (SPAN, LINK):
            opened = builder.open(Pair(tag, tuple(child.attrib.items())))
            _walk(child, builder, state)
            builder.close(opened)
        elif tag == SPACE:
            builder.text(" " * _count(child))
            state[0] = False
        elif isinstance(tag, str):
            builder.empty(state[1])
            state[1] += 1
            if tag not in _ZERO_WIDTH:
                state[0] = False
        _text(builder, child.tail, state)


def _text(builder: TaggedBuilder, text: str | None, state: list[Any]) -> None:
    if not text:
        return
    text = _WHITE.sub(" ", text)
    if state[0]:
        text = text.lstrip(" ")
    if text:
        builder.text(text)
        state[0] = text.endswith(" ")


def _count(space: etree._Element) -> int:
    try:
        return max(1, min(int(space.get(_COUNT, "1")), 10_000))
    except ValueError:
        return 1


def kept(paragraph: etree._Element) -> list[etree._Element]:
    """The inline elements that move whole, in the order `read` numbered them."""
    out: list[etree._Element] = []
    for child in paragraph:
        if child.tag in (SPAN, LINK):
            out.extend(kept(child))
        elif child.tag != SPACE and isinstance(child.tag, str):
            out.append(child)
    return out


def write(paragraph: etree._Element, tagged: str, payloads: Mapping[int, Any]) -> None:
    """Rebuild `paragraph` (in a tree the caller owns) from translated tagged text."""
    keep = kept(paragraph)
    pairs = [tag for tag, payload in payloads.items() if isinstance(payload, Pair)]
    empties = [tag for tag, payload in payloads.items() if isinstance(payload, int)]
    flat = pieces(tagged, pairs, empties)
    for child in list(paragraph):
        paragraph.remove(child)
    paragraph.text = None
    writer = _Writer(paragraph)
    stack: list[tuple[int, etree._Element]] = []
    for piece in flat:
        common = 0
        while (
            common < len(stack)
            and common < len(piece.tags)
            and stack[common][0] == piece.tags[common]
        ):
            common += 1
        del stack[common:]
        for tag in piece.tags[common:]:
            pair = payloads[tag]
            parent = stack[-1][1] if stack else paragraph
            element = etree.SubElement(parent, pair.tag, dict(pair.attrib))
            stack.append((tag, element))
        parent = stack[-1][1] if stack else paragraph
        if piece.empty is not None:
            ordinal = payloads[piece.empty]
            if 0 <= ordinal < len(keep):
                element = keep[ordinal]
                element.tail = None
                parent.append(element)
                writer.placed(element)
        else:
            writer.add(parent, piece.text)


class _Writer:
    """Appends text to an element the way ODF keeps it: a space that would collapse (after a
    literal space, even across a tag boundary, or at the paragraph's start) as `text:s`, tabs
    as `text:tab`, line breaks as `text:line-break`."""

    def __init__(self, paragraph: etree._Element) -> None:
        self.paragraph = paragraph
        self.collapsing = True  # a literal space written now would be dropped

    def placed(self, element: etree._Element) -> None:
        """A kept inline element was appended."""
        if element.tag not in _ZERO_WIDTH:
            self.collapsing = False

    def add(self, parent: etree._Element, text: str) -> None:
        text = clean(text).replace("\r\n", "\n").replace("\r", "\n")
        for part in _SPECIAL.split(text):
            if not part:
                continue
            if part == "\t":
                etree.SubElement(parent, TAB)
                self.collapsing = False
            elif part == "\n":
                etree.SubElement(parent, BREAK)
                self.collapsing = False
            else:
                self._spaced(parent, part)

    def _spaced(self, parent: etree._Element, part: str) -> None:
        """Text that may start with spaces (the only place a run of two or more can be)."""
        rest = part.lstrip(" ")
        spaces = len(part) - len(rest)
        if spaces and not self.collapsing:
            self._literal(parent, " ")
            spaces -= 1
        if spaces:
            element = etree.SubElement(parent, SPACE)
            if spaces > 1:
                element.set(_COUNT, str(spaces))
            self.collapsing = False
        if rest:
            self._literal(parent, rest)

    def _literal(self, parent: etree._Element, text: str) -> None:
        if len(parent):
            last = parent[-1]
            last.tail = (last.tail or "") + text
        else:
            parent.text = (parent.text or "") + text
        self.collapsing = text.endswith(" ")
