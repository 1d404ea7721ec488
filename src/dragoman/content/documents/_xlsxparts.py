"""Workbook parts beside the cells: drawings (text boxes, alt text) and their charts' titles as
DrawingML blocks, and threaded comments with their legacy fallback kept in step.

A threaded comment's `text` is plain text whose `@mentions` are located by `mention`
elements (start and length in UTF-16 units): a mention is an empty tag, moved whole, and its
position is counted again on writing. Excel writes each thread a second time as a legacy
comment (`[Threaded comment] ... Comment: <text> Reply: <text>`) for older versions: that
comment is no unit of its own, its copies of the thread's texts are replaced by their
translations, so both say the same.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from dragoman.content.documents import _drawingml, _richtext
from dragoman.content.documents._ooxml import Element, clean_text, extract, rebuild
from dragoman.content.documents.inline import TaggedBuilder, escape, pieces

XDR = "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"
TC = "http://schemas.microsoft.com/office/spreadsheetml/2018/threadedcomments"
_C_NV_PR = f"{{{XDR}}}cNvPr"
THREADED, _TEXT = f"{{{TC}}}threadedComment", f"{{{TC}}}text"
_MENTION = f"{{{TC}}}mention"
DRAWING = _drawingml.DrawingDialect()
Block = tuple[Element, "_drawingml.DrawingDialect | str"]


def blocks(kind: str, root: Element) -> list[Block]:
    """A drawing's paragraphs then its shapes' alt text, or a chart's title paragraphs."""
    if kind == "chart":
        return [(p, DRAWING) for p in _drawingml.chart_title_paragraphs(root)]
    out: list[Block] = [(p, DRAWING) for p in _drawingml.drawing_paragraphs(root)]
    for shape in root.iter(_C_NV_PR):
        out.extend([(shape, "descr"), (shape, "title")])
    return out


def block_text(block: Block) -> tuple[str, bool]:
    """A block's tagged text, and whether it is segmented (paragraphs) or read whole."""
    element, how = block
    if isinstance(how, str):
        return escape(element.get(how) or ""), False
    return extract(how.tokens(element)).text, True


def write_block(block: Block, tagged: str) -> None:
    """A block of a tree the caller owns rewritten from translated tagged text."""
    element, how = block
    if isinstance(how, str):
        element.set(how, clean_text(plain_text(tagged, {})))
    else:
        rebuild(element, how, tagged)


@dataclass(frozen=True, slots=True)
class Mention:
    """An empty tag's payload: the ordinal of a `mention` element of the comment."""

    ordinal: int


@dataclass(frozen=True, slots=True)
class Threaded:
    """One threaded comment as read: its ref, id, parent id and plain text."""

    ordinal: int
    ref: str
    ident: str
    parent: str
    text: str


def threaded_comments(root: Element) -> list[Threaded]:
    """Every threaded comment of a part, in order."""
    out = []
    for ordinal, comment in enumerate(root.iter(THREADED)):
        holder = comment.find(_TEXT)
        text = (holder.text or "") if holder is not None else ""
        out.append(Threaded(ordinal, comment.get("ref", ""), comment.get("id", ""),
                            comment.get("parentId", ""), text))  # fmt: skip
    return out


def read_threaded(comment: Element) -> tuple[str, dict[int, object]]:
    """The tagged text of one threaded comment: mentions and line breaks as empty tags."""
    holder = comment.find(_TEXT)
    text = (holder.text or "") if holder is not None else ""
    builder = TaggedBuilder()
    position = 0
    for index, start, length in _mentions(comment, text):
        _richtext.add_text(builder, _slice(text, position, start))
        builder.empty(Mention(index))
        position = start + length
    _richtext.add_text(builder, _slice(text, position, None))
    return builder.result(), builder.payloads


def write_threaded(comment: Element, tagged: str, payloads: Mapping[int, object]) -> str:
    """Rewrite one threaded comment (in a tree the caller owns); returns its new text."""
    holder = comment.find(_TEXT)
    original = (holder.text or "") if holder is not None else ""
    spans = {index: (start, length) for index, start, length in _mentions(comment, original)}
    elements = list(comment.iter(_MENTION))
    out: list[str] = []
    size = 0
    empties = list(payloads)
    for piece in pieces(tagged, [], empties):
        payload = payloads.get(piece.empty) if piece.empty is not None else None
        if isinstance(payload, Mention) and payload.ordinal in spans:
            start, length = spans[payload.ordinal]
            words = _slice(original, start, start + length)
            elements[payload.ordinal].set("startIndex", str(size))
            piece_text = words
        else:
            piece_text = "\n" if piece.empty is not None else clean_text(piece.text)
        out.append(piece_text)
        size += _units(piece_text)
    text = "".join(out)
    if holder is not None:
        holder.text = text
    return text


def plain_text(tagged: str, payloads: Mapping[int, object]) -> str:
    """Tagged text as plain text, empty tags as line breaks."""
    flat = pieces(tagged, [], list(payloads))
    return "".join("\n" if p.empty is not None else p.text for p in flat)


def replace_in_order(text: str, swaps: Sequence[tuple[str, str]]) -> str | None:
    """`text` with each (old, new) replaced at the first place of `old` after the previous
    one; None when one of them is missing."""
    out: list[str] = []
    position = 0
    for old, new in swaps:
        found = text.find(old, position)
        if not old or found < 0:
            return None
        out.extend((text[position:found], new))
        position = found + len(old)
    out.append(text[position:])
    return "".join(out)


def _mentions(comment: Element, text: str) -> list[tuple[int, int, int]]:
    """(ordinal, start, length) of the mentions that lie inside the text, in text order,
    overlapping ones left out."""
    found = []
    total = _units(text)
    for index, mention in enumerate(comment.iter(_MENTION)):
        try:
            start, length = int(mention.get("startIndex", "")), int(mention.get("length", ""))
        except ValueError:
            continue
        if start >= 0 and length > 0 and start + length <= total:
            found.append((index, start, length))
    found.sort(key=lambda item: item[1])
    out: list[tuple[int, int, int]] = []
    for item in found:
        if not out or item[1] >= out[-1][1] + out[-1][2]:
            out.append(item)
    return out


def _units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _slice(text: str, start: int, end: int | None) -> str:
    """`text` between two UTF-16 positions."""
    data = text.encode("utf-16-le")
    return data[start * 2 : None if end is None else end * 2].decode("utf-16-le", "replace")
