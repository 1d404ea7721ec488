"""Paragraphs of an HTML tree: runs of text and inline elements between block boundaries,
each with its span in the source, and the rendering of a translated paragraph back into
source text (start and end tags copied from the source as written)."""

from __future__ import annotations

import html
import re
from bisect import bisect_left
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from dragoman.content.documents.htmltree import VOID, Element, Leaf
from dragoman.content.documents.inline import TaggedBuilder, pieces

INLINE = frozenset(
    [
        "a",
        "abbr",
        "acronym",
        "b",
        "bdi",
        "bdo",
        "big",
        "cite",
        "data",
        "del",
        "dfn",
        "em",
        "font",
        "i",
        "ins",
        "mark",
        "nobr",
        "q",
        "rp",
        "rt",
        "ruby",
        "s",
        "small",
        "span",
        "strike",
        "strong",
        "sub",
        "sup",
        "time",
        "tt",
        "u",
    ]
)
_EMPTY_INLINE = frozenset({"br", "wbr", "img", "input", "embed"})
# Never translated; inside a paragraph they stand as one empty tag, elsewhere as a boundary.
_OPAQUE_INLINE = frozenset(
    [
        "code",
        "kbd",
        "samp",
        "var",
        "svg",
        "math",
        "script",
        "iframe",
        "object",
        "canvas",
        "audio",
        "video",
    ]
)
_OPAQUE_BLOCK = frozenset({"style", "template", "pre", "textarea"})
_SPACE = re.compile(r"[ \t\n\r\f]+")
_EDGE = " \t\n\r\f"


@dataclass(frozen=True, slots=True)
class Token:
    """A text run, an empty tag, or the opening or closing of an inline element."""

    kind: str  # "text" | "empty" | "open" | "close"
    start: int
    end: int
    element: Element | None = None


@dataclass(frozen=True, slots=True)
class Flow:
    """One paragraph: its span in the source, its tagged text, the block it lies in, and
    what each tag stands for (an inline element, or the span of an empty one)."""

    start: int
    end: int
    text: str
    tag: str
    payloads: dict[int, Element | tuple[int, int]]


def never_translated(element: Element) -> bool:
    """True for `code`, `script`, `style`, ..., `translate="no"` and `class="notranslate"`."""
    if element.tag in _OPAQUE_INLINE or element.tag in _OPAQUE_BLOCK:
        return True
    if (element.attrs.get("translate") or "").strip().lower() == "no":
        return True
    return "notranslate" in (element.attrs.get("class") or "").split()


class _Walker:
    def __init__(self, source: str) -> None:
        self.source = source
        self.kinds: dict[int, str] = {}
        self.out: list[Flow] = []

    def kind(self, element: Element) -> str:
        """ "inline", "empty" (one empty tag), "block" (a boundary with paragraphs inside) or
        "skip" (a boundary with nothing to translate)."""
        known = self.kinds.get(id(element))
        if known is not None:
            return known
        tag = element.tag
        inline_kind = tag in INLINE or tag in _EMPTY_INLINE or tag in _OPAQUE_INLINE
        if never_translated(element):
            kind = "empty" if inline_kind else "skip"
        elif tag in VOID:
            kind = "empty" if tag in _EMPTY_INLINE else "skip"
        elif tag in INLINE and all(
            isinstance(c, Leaf) or self.kind(c) in ("inline", "empty") for c in element.children
        ):
            kind = "inline"
        else:
            kind = "block"
        self.kinds[id(element)] = kind
        return kind

    def walk(self, element: Element) -> None:
        tokens: list[Token] = []
        for child in element.children:
            if isinstance(child, Leaf):
                tokens.append(Token("text" if child.text else "empty", child.start, child.end))
                continue
            kind = self.kind(child)
            if kind == "inline":
                self.inline(child, tokens)
            elif kind == "empty":
                tokens.append(Token("empty", child.start, child.end))
            else:
                self.flush(tokens, element.tag)
                tokens = []
                if kind == "block":
                    self.walk(child)
        self.flush(tokens, element.tag)

    def inline(self, element: Element, tokens: list[Token]) -> None:
        tokens.append(Token("open", element.start, element.open_end, element))
        for child in element.children:
            if isinstance(child, Leaf):
                tokens.append(Token("text" if child.text else "empty", child.start, child.end))
            elif self.kind(child) == "inline":
                self.inline(child, tokens)
            else:
                tokens.append(Token("empty", child.start, child.end))
        tokens.append(Token("close", element.close_start, element.end, element))

    def blank(self, token: Token) -> bool:
        if token.kind == "empty":
            return True
        return (
            token.kind == "text" and not html.unescape(self.source[token.start : token.end]).strip()
        )

    def trim(self, tokens: list[Token]) -> list[Token]:
        first, last = 0, len(tokens)
        while True:
            while first < last and self.blank(tokens[first]):
                first += 1
            while last > first and self.blank(tokens[last - 1]):
                last -= 1
            head, tail = (tokens[first], tokens[last - 1]) if first < last else (None, None)
            # An element around the whole paragraph stays outside it (`<li><a>Home</a></li>`).
            if (
                head
                and tail
                and head.kind == "open"
                and tail.kind == "close"
                and head.element is tail.element
            ):
                first, last = first + 1, last - 1
                continue
            return tokens[first:last]

    def flush(self, tokens: list[Token], tag: str) -> None:
        tokens = self.trim(tokens)
        if tokens:
            for group in self.links(tokens):
                self.emit(self.trim(group), tag or "body")

    def links(self, tokens: list[Token]) -> list[list[Token]]:
        """Links standing side by side (a menu) are one paragraph each."""
        groups: list[list[Token]] = []
        depth = 0
        for token in tokens:
            if depth == 0:
                if token.kind == "open" and token.element and token.element.tag == "a":
                    groups.append([])
                elif not self.blank(token) or token.kind == "empty":
                    return [tokens]
            if groups and (depth or token.kind == "open"):
                groups[-1].append(token)
            depth += {"open": 1, "close": -1}.get(token.kind, 0)
        return groups if len(groups) > 1 else [tokens]

    def emit(self, tokens: list[Token], tag: str) -> None:
        if not any(t.kind == "text" and not self.blank(t) for t in tokens):
            return
        first, last = tokens[0], tokens[-1]
        start, end = first.start, last.end
        if first.kind == "text":  # whitespace at the edges stays outside the paragraph
            start += len(self.source[start : first.end]) - len(
                self.source[start : first.end].lstrip(_EDGE)
            )
        if last.kind == "text":
            end -= len(self.source[last.start : end]) - len(
                self.source[last.start : end].rstrip(_EDGE)
            )
        builder = TaggedBuilder()
        ids: dict[int, int] = {}
        previous = " "
        for token in tokens:
            if token.kind == "text":
                raw = self.source[max(token.start, start) : min(token.end, end)]
                text = _SPACE.sub(" ", html.unescape(raw))
                if previous == " " and text.startswith(" "):
                    text = text[1:]
                if text:
                    builder.text(text)
                    previous = text[-1]
            elif token.kind == "empty":
                builder.empty((token.start, token.end))
                previous = ""
            elif token.kind == "open":
                assert token.element is not None
                ids[id(token.element)] = builder.open(token.element)
            else:
                assert token.element is not None
                builder.close(ids[id(token.element)])
        self.out.append(Flow(start, end, builder.result(), tag, dict(builder.payloads)))


def flows(source: str, root: Element) -> Iterator[Flow]:
    """Every paragraph of the tree under `root`, in source order."""
    walker = _Walker(source)
    walker.walk(root)
    return iter(walker.out)


def render_flow(
    source: str, flow: Flow, tagged: str, edits: Sequence[tuple[int, int, str]], xml: bool
) -> str:
    """A translated paragraph as HTML: tags copied from the source (with `edits`, the
    attribute values being replaced, applied inside them), text escaped."""
    pairs = {tag for tag, payload in flow.payloads.items() if isinstance(payload, Element)}
    empties = set(flow.payloads) - pairs
    out: list[str] = []
    open_now: tuple[int, ...] = ()
    for piece in pieces(tagged, pairs, empties):
        common = shared_depth(open_now, piece.tags)
        for tag in reversed(open_now[common:]):
            out.append(_end_tag(source, flow.payloads[tag]))
        for tag in piece.tags[common:]:
            element = flow.payloads[tag]
            assert isinstance(element, Element)
            out.append(_spliced(source, element.start, element.open_end, edits))
        open_now = piece.tags
        if piece.empty is not None:
            span = flow.payloads[piece.empty]
            assert isinstance(span, tuple)
            out.append(_spliced(source, span[0], span[1], edits))
        else:
            out.append(escape_text(piece.text, xml))
    out.extend(_end_tag(source, flow.payloads[tag]) for tag in reversed(open_now))
    return "".join(out)


def shared_depth(open_now: tuple[int, ...], tags: tuple[int, ...]) -> int:
    """How many of the tags open now (outermost first) the next piece keeps open."""
    common = 0
    while common < min(len(open_now), len(tags)) and open_now[common] == tags[common]:
        common += 1
    return common


def escape_text(text: str, xml: bool) -> str:
    """Literal text as HTML (XHTML has no `&nbsp;`)."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("\xa0", "&#160;" if xml else "&nbsp;")


def _end_tag(source: str, element: Element | tuple[int, int]) -> str:
    assert isinstance(element, Element)
    if element.close_start >= 0:
        return source[element.close_start : element.end]
    return f"</{element.tag}>"


def _spliced(source: str, start: int, end: int, edits: Sequence[tuple[int, int, str]]) -> str:
    index = bisect_left(edits, start, key=lambda edit: edit[0])
    out: list[str] = []
    position = start
    while index < len(edits) and edits[index][1] <= end:
        edit_start, edit_end, replacement = edits[index]
        out.append(source[position:edit_start])
        out.append(replacement)
        position = edit_end
        index += 1
    out.append(source[position:end])
    return "".join(out)
