"""Markdown inline content as tagged text, with every piece of markup kept as its source text.

markdown-it gives inline tokens without offsets; `align` walks them over the block's raw
content (the source lines without their block prefixes) and finds the raw text of each
piece, so that rewriting a paragraph copies the author's own markup (`*` or `_`, inline or
reference links, backslash escapes) and only the literal text changes.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass

from markdown_it.helpers import parseLinkDestination, parseLinkTitle
from markdown_it.token import Token

from dragoman.content.documents.htmlflow import shared_depth
from dragoman.content.documents.inline import pieces

_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_PUNCTUATION = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
_PAIRS = {"em_open": "em", "strong_open": "strong", "s_open": "s"}
_CLOSES = {"em_close", "strong_close", "s_close"}


class AlignError(Exception):
    """The tokens do not match the raw text (a construct this reader does not follow)."""


@dataclass(frozen=True, slots=True)
class Item:
    """A piece of a paragraph: `kind` "text" (with its reader's text), "empty", "open" or
    "close"; `start`/`end` index the raw content; `ref` pairs an open with its close."""

    kind: str
    start: int
    end: int
    text: str = ""
    ref: int = 0
    label: str | None = None  # a shortcut or collapsed reference link's original label


class _Aligner:
    def __init__(self, raw: str) -> None:
        self.raw = raw
        self.at = 0
        self.items: list[Item] = []
        self.refs = 0

    def expect(self, markup: str) -> tuple[int, int]:
        if not self.raw.startswith(markup, self.at):
            raise AlignError(f"expected {markup!r} at {self.at}")
        start = self.at
        self.at += len(markup)
        return start, self.at

    def spaces(self) -> None:
        while self.at < len(self.raw) and self.raw[self.at] in " \t":
            self.at += 1

    def text(self, content: str) -> None:
        start = self.at
        raw, index = self.raw, 0
        while index < len(content):
            char = content[index]
            entity = _ENTITY.match(raw, self.at) if raw.startswith("&", self.at) else None
            decoded = html.unescape(entity.group(0)) if entity else ""
            if entity and content.startswith(decoded, index):
                self.at = entity.end()
                index += len(decoded)
            elif self.at < len(raw) and raw[self.at] == char:
                self.at += 1
                index += 1
            elif raw.startswith("\\", self.at) and raw[self.at + 1 : self.at + 2] == char:
                self.at += 2
                index += 1
            else:
                raise AlignError(f"text {content!r} does not match at {self.at}")
        self.items.append(Item("text", start, self.at, content))

    def walk(self, tokens: Sequence[Token]) -> None:
        opened: list[int] = []
        skip_to_close = False
        for token in tokens:
            kind = token.type
            if skip_to_close:
                skip_to_close = kind != "link_close"
                continue
            if kind == "text":
                self.text(token.content)
            elif kind == "softbreak":
                start = self.at
                self.spaces()
                self.expect("\n")
                self.spaces()
                self.items.append(Item("text", start, self.at, " "))
            elif kind == "hardbreak":
                start = self.at
                self.spaces()
                if self.raw.startswith("\\", self.at):
                    self.at += 1
                self.expect("\n")
                self.spaces()
                self.items.append(Item("empty", start, self.at))
            elif kind == "code_inline":
                start, _ = self.expect(token.markup)
                close = self.raw.find(token.markup, self.at)
                while close >= 0 and self.raw.startswith("`", close + len(token.markup)):
                    close = self.raw.find(token.markup, close + len(token.markup) + 1)
                if close < 0:
                    raise AlignError("unclosed code span")
                self.at = close + len(token.markup)
                self.items.append(Item("empty", start, self.at))
            elif kind == "html_inline":
                self.items.append(Item("empty", *self.expect(token.content)))
            elif kind in _PAIRS or (kind == "link_open" and token.markup != "autolink"):
                self.refs += 1
                opened.append(self.refs)
                start, end = self.expect(token.markup if kind in _PAIRS else "[")
                self.items.append(Item("open", start, end, _PAIRS.get(kind, "link"), self.refs))
            elif kind == "link_open":  # an autolink <https://…>: one untranslated piece
                close = self.raw.find(">", self.at)
                if not self.raw.startswith("<", self.at) or close < 0:
                    raise AlignError("autolink")
                self.items.append(Item("empty", self.at, close + 1))
                self.at = close + 1
                skip_to_close = True
            elif kind in _CLOSES:
                self.items.append(Item("close", *self.expect(token.markup), ref=opened.pop()))
            elif kind == "link_close":
                self.close_link(opened.pop())
            elif kind == "image":
                self.refs += 1
                ref = self.refs
                self.items.append(Item("open", *self.expect("!["), "image", ref))
                self.walk(token.children or [])
                self.close_link(ref)
            else:
                raise AlignError(f"unknown inline token {kind}")

    def close_link(self, ref: int) -> None:
        """`](dest "title")`, `][label]`, `][]` or `]` after a link's or image's text."""
        opening = next(i for i in reversed(self.items) if i.kind == "open" and i.ref == ref)
        label = self.raw[opening.end : self.at]
        start, _ = self.expect("]")
        raw, end = self.raw, len(self.raw)
        if raw.startswith("(", self.at):
            position = _skip_space(raw, self.at + 1)
            destination = parseLinkDestination(raw, position, end)
            if destination.ok:
                position = _skip_space(raw, destination.pos)
                title = parseLinkTitle(raw, position, end)
                if title.ok:
                    position = _skip_space(raw, title.pos)
            if not raw.startswith(")", position):
                raise AlignError("inline link")
            self.at = position + 1
            self.items.append(Item("close", start, self.at, ref=ref))
        elif raw.startswith("[", self.at) and not raw.startswith("[]", self.at):
            close = raw.find("]", self.at)
            if close < 0:
                raise AlignError("reference link")
            self.at = close + 1
            self.items.append(Item("close", start, self.at, ref=ref))
        else:
            if raw.startswith("[]", self.at):
                self.at += 2
            self.items.append(Item("close", start, self.at, ref=ref, label=label))


def _skip_space(raw: str, position: int) -> int:
    while position < len(raw) and raw[position] in " \t\n":
        position += 1
    return position


def align(tokens: Sequence[Token], raw: str) -> list[Item]:
    """The items of an inline token's children over `raw`; AlignError when they differ."""
    aligner = _Aligner(raw)
    aligner.walk(tokens)
    if raw[aligner.at :].strip():
        raise AlignError("raw text left over")
    return aligner.items


@dataclass(frozen=True, slots=True)
class Markup:
    """What a tag of a Markdown paragraph stands for: the raw opening and closing markup
    (or, for an empty tag, its raw text) and the original label of a shortcut reference."""

    opening: str
    closing: str = ""
    label: str | None = None
    inner: str = ""  # the raw text between opening and closing, for shortcut references


def render(tagged: str, payloads: dict[int, Markup], pairs: set[int], *, cell: bool) -> str:
    """A translated paragraph as Markdown: markup copied as written, text escaped."""
    empties = set(payloads) - pairs
    out: list[str] = []
    open_now: tuple[int, ...] = ()
    starts: dict[int, int] = {}
    items = pieces(tagged, pairs, empties)
    for index, piece in enumerate(items):
        common = shared_depth(open_now, piece.tags)
        for tag in reversed(open_now[common:]):
            trailing = _pop_space(out)
            markup = payloads[tag]
            closing = markup.closing
            if markup.label is not None and "".join(out[starts[tag] :]) != markup.inner:
                closing = "][" + " ".join(markup.label.split()) + "]"
            out.append(closing + trailing)
        text = _escape(piece.text, cell=cell, first=not out, last=index == len(items) - 1)
        if piece.empty is not None:
            text = payloads[piece.empty].opening
        elif piece.tags[common:] and text[:1].isspace():
            out.append(text[: len(text) - len(text.lstrip())])
            text = text.lstrip()
        for tag in piece.tags[common:]:
            out.append(payloads[tag].opening)
            starts[tag] = len(out)
        open_now = piece.tags
        out.append(text)
    for tag in reversed(open_now):
        markup = payloads[tag]
        trailing = _pop_space(out)
        closing = markup.closing
        if markup.label is not None and "".join(out[starts[tag] :]) != markup.inner:
            closing = "][" + " ".join(markup.label.split()) + "]"
        out.append(closing + trailing)
    return "".join(out)


def _pop_space(out: list[str]) -> str:
    """Whitespace before a closing delimiter moves after it (`**word **` is not bold)."""
    if not out or not out[-1][-1:].isspace():
        return ""
    last = out[-1]
    out[-1] = last.rstrip()
    return last[len(out[-1]) :]


_ALWAYS = re.compile(r"([\\`*\[\]<])")
_LINE_START = re.compile(r"^(?:([#>]|[-+=](?=\s|$))|(\d{1,9})(?=[.)](?:\s|$)))")


def _escape(text: str, *, cell: bool, first: bool, last: bool) -> str:
    """Literal text as Markdown: what could start markup gets a backslash."""
    text = re.sub(r"\s*\n\s*", " ", text)
    text = _ALWAYS.sub(r"\\\1", text)
    text = re.sub(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])", r"\\_", text)
    text = re.sub(r"~(?=~)|(?<=~)~", r"\\~", text)
    text = re.sub(r"&(?=#?[A-Za-z0-9]+;)", "&amp;", text)
    if cell:
        text = text.replace("|", "\\|")
    if not last and text.endswith("!"):  # `![` would start an image
        text = text[:-1] + "\\!"
    if first:  # a paragraph must not turn into a heading, quote or list item
        text = _LINE_START.sub(_line_start, text, count=1)
    return text


def _line_start(match: re.Match[str]) -> str:
    if match.group(1):
        return "\\" + match.group(1)
    return match.group(2) + "\\"
