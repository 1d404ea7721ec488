"""Markdown (CommonMark with GFM tables and strikethrough, via markdown-it-py): paragraphs,
headings, list items, table cells and block quotes, spliced back line by line.

Emphasis, links and images are paired tags whose markup is copied as the author wrote it
(`*`/`_`, inline or reference links; a shortcut reference whose text changed gets its
original label `[text][label]`); URLs and link titles are never units, image alt text is.
Inline code, autolinks, inline HTML and hard breaks are empty tags. Code blocks, fences,
link reference definitions and untouched lines stay byte-identical. HTML blocks go through
the HTML codec's reader (their text, `alt` and `title`). Front matter (YAML between `---`
lines) keeps its keys; only the one-line values of the top-level `title` and `description`
are units. A translated paragraph is written on one line (soft breaks become spaces).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token

from dragoman.content.documents import html as html_codec
from dragoman.content.documents.base import DocumentCodec, Paragraph
from dragoman.content.documents.inline import TaggedBuilder, escape, plain
from dragoman.content.documents.mdinline import AlignError, Item, Markup, align, render
from dragoman.content.model import Limits
from dragoman.errors import FileFormatError

_LINES = re.compile(r"[^\n]*\n|[^\n]+")
_FRONT_MATTER = re.compile(
    r"\A(---|\+\+\+)[ \t]*\r?\n(.*?\r?\n)?(---|\.\.\.|\+\+\+)[ \t]*(\r?\n|\Z)", re.S
)
_YAML_TEXT = re.compile(r"^(title|description):[ \t]+(?=\S)(?![|>&*!])(.*?)[ \t]*$", re.M)
_TASK = re.compile(r"\[[ xX]\] ")
_CELL_BLOCKS = {"th_open", "td_open"}


@dataclass(frozen=True, slots=True)
class _Block:
    start: int
    end: int
    payloads: dict[int, Markup]
    pairs: frozenset[int]
    cell: bool


@dataclass(frozen=True, slots=True)
class _Markdown:
    text: str
    bom: bytes
    blocks: Mapping[str, _Block]
    html: Mapping[str, tuple[int, int, html_codec.Fragment]]  # prefix -> span, fragment
    front: Mapping[str, tuple[int, int, str]]  # id -> value span, quote


class MarkdownCodec(DocumentCodec):
    """`.md`, `.markdown`: prose translated, code, URLs and front-matter keys left alone."""

    name = "markdown"
    extensions = (".md", ".markdown")
    media_types = ("text/markdown",)

    def read(self, data: bytes, *, limits: Limits) -> tuple[list[Paragraph], Any]:
        bom = b"\xef\xbb\xbf" if data.startswith(b"\xef\xbb\xbf") else b""
        try:
            text = data[len(bom) :].decode("utf-8")
        except UnicodeDecodeError as exc:
            raise FileFormatError(f"the Markdown is not UTF-8: {exc.reason}") from None
        if "\x00" in text:
            raise FileFormatError("the Markdown holds NUL characters: is it really text?")
        reader = _Reader(text)
        reader.front_matter()
        reader.body()
        skeleton = _Markdown(text, bom, reader.blocks, reader.html, reader.front)
        return reader.paragraphs, skeleton

    def write(self, skeleton: Any, texts: Mapping[str, str], *, target_locale: str) -> bytes:
        assert isinstance(skeleton, _Markdown)
        edits: list[tuple[int, int, str]] = []
        for key, tagged in texts.items():
            if key in skeleton.blocks:
                block = skeleton.blocks[key]
                rendered = render(tagged, block.payloads, set(block.pairs), cell=block.cell)
                edits.append((block.start, block.end, rendered))
            elif key in skeleton.front:
                start, end, quote = skeleton.front[key]
                edits.append((start, end, _yaml_scalar(plain(tagged), quote)))
        for prefix, (start, end, fragment) in skeleton.html.items():
            inner = {k: v for k, v in texts.items() if k.startswith(prefix)}
            if inner:
                edits.append((start, end, html_codec.render(fragment, inner, None)))
        out: list[str] = []
        position = 0
        for start, end, replacement in sorted(edits):
            out.append(skeleton.text[position:start])
            out.append(replacement)
            position = end
        out.append(skeleton.text[position:])
        return skeleton.bom + "".join(out).encode("utf-8")


class _Reader:
    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = [(m.start(), m.group(0)) for m in _LINES.finditer(text)]
        self.paragraphs: list[Paragraph] = []
        self.blocks: dict[str, _Block] = {}
        self.html: dict[str, tuple[int, int, html_codec.Fragment]] = {}
        self.front: dict[str, tuple[int, int, str]] = {}
        self.skip = 0  # characters of front matter, blanked for markdown-it

    def front_matter(self) -> None:
        found = _FRONT_MATTER.match(self.text)
        if found is None:
            return
        self.skip = found.end()
        if found.group(1) != "---" or found.group(2) is None:
            return  # TOML front matter is left alone
        for value in _YAML_TEXT.finditer(self.text, found.start(2), found.end(2)):
            raw = value.group(2)
            quote = raw[0] if raw[0] in "\"'" else ""
            if quote and not (len(raw) > 1 and raw.endswith(quote)):
                continue
            text = _yaml_value(raw, quote)
            if text is None or not text.strip():
                continue
            key = f"front.{value.group(1)}"
            self.front[key] = (value.start(2), value.end(2), quote)
            self.paragraphs.append(Paragraph(key, escape(text), context=(key,), segment=False))

    def body(self) -> None:
        head = self.text[: self.skip]
        source = "\n" * head.count("\n") + self.text[self.skip :]
        md = MarkdownIt("commonmark").enable(["table", "strikethrough"])
        tokens = md.parse(source)
        cell = -1
        in_item = 0
        for index, token in enumerate(tokens):
            if token.type == "tr_open":
                cell = -1
            elif token.type in _CELL_BLOCKS:
                cell += 1
            elif token.type == "list_item_open":
                in_item = index + 2  # its first paragraph's inline token
            elif token.type == "html_block" and token.map:
                self.html_block(token)
            elif token.type == "inline" and token.map:
                parent = tokens[index - 1].type
                if parent in _CELL_BLOCKS:
                    self.cell(token, cell)
                elif parent in ("paragraph_open", "heading_open"):
                    self.block(token, parent[:-5], task=index == in_item)

    def _span(self, first: int, last: int) -> tuple[int, int]:
        return self.lines[first][0], self.lines[last - 1][0] + len(self.lines[last - 1][1])

    def block(self, token: Token, kind: str, *, task: bool) -> None:
        """A paragraph or heading: its content lines are suffixes of the source lines."""
        assert token.map is not None
        content = token.content.split("\n")
        bases: list[int] = []
        for number, line in enumerate(content):
            if token.map[0] + number >= len(self.lines):
                return
            offset, source = self.lines[token.map[0] + number]
            body = source.rstrip("\r\n")
            if number == len(content) - 1:
                body = body.rstrip()
            column = len(body) - len(line) if body.endswith(line) else body.find(line)
            if column < 0:
                return  # tabs expanded by markdown-it: leave the block as it is
            bases.append(offset + column)
        self.add(token, token.content, bases, context=kind, cell=False, task=task)

    def cell(self, token: Token, number: int) -> None:
        assert token.map is not None
        offset, line = self.lines[token.map[0]]
        cells = _cells(line.rstrip("\r\n"))
        if number >= len(cells):
            return
        start, raw = cells[number]
        self.add(token, raw, [offset + start], context="td", cell=True, task=False)

    def add(
        self, token: Token, raw: str, bases: list[int], *, context: str, cell: bool, task: bool
    ) -> None:
        try:
            items = align(token.children or [], raw)
        except AlignError:
            return  # a construct this reader does not follow: the block stays as written
        starts = [0]
        for line in raw.split("\n")[:-1]:
            starts.append(starts[-1] + len(line) + 1)

        def at(index: int) -> int:
            line = max(n for n, s in enumerate(starts) if s <= index)
            return bases[line] + index - starts[line]

        if task and items and items[0].kind == "text" and _TASK.match(items[0].text):
            first = items[0]
            items[0] = Item("text", first.start + 4, first.end, first.text[4:])
        items = _trim(items)
        if not any(i.kind == "text" and i.text.strip() for i in items):
            return
        builder = TaggedBuilder()
        payloads: dict[int, Markup] = {}
        tags: dict[int, int] = {}
        for number, item in enumerate(items):
            if item.kind == "text":
                builder.text(item.text)
            elif item.kind == "empty":
                tag = builder.empty(None)
                payloads[tag] = Markup(self.text[at(item.start) : at(item.end)])
            elif item.kind == "open":
                tags[item.ref] = tag = builder.open(None)
                close = next(i for i in items[number:] if i.kind == "close" and i.ref == item.ref)
                payloads[tag] = Markup(
                    self.text[at(item.start) : at(item.end)],
                    self.text[at(close.start) : at(close.end)],
                    close.label,
                    self.text[at(item.end) : at(close.start)],
                )
            else:
                builder.close(tags[item.ref])
        key = f"p{len(self.blocks) + 1}"
        start, end = at(items[0].start), at(items[-1].end)
        pairs = frozenset(tags.values())
        self.blocks[key] = _Block(start, end, payloads, pairs, cell)
        self.paragraphs.append(Paragraph(key, builder.result(), context=(context,)))

    def html_block(self, token: Token) -> None:
        assert token.map is not None
        start, end = self._span(*token.map)
        source = self.text[start:end]
        ours = [line.strip() for line in source.splitlines()]
        theirs = [line.strip() for line in token.content.splitlines()]
        if ours != theirs:
            return  # inside a block quote: the prefixes are not HTML
        prefix = f"h{len(self.html) + 1}."
        paragraphs, fragment = html_codec.extract(source, prefix, document=False)
        if paragraphs:
            self.html[prefix] = (start, end, fragment)
            self.paragraphs.extend(paragraphs)


def _trim(items: list[Item]) -> list[Item]:
    """Blank text and empty tags at the edges, and markup around the whole paragraph
    (a paragraph that is one link), stay outside it."""
    first, last = 0, len(items)
    while True:
        while first < last and _blank(items[first]):
            first += 1
        while last > first and _blank(items[last - 1]):
            last -= 1
        wrapped = (
            last - first >= 2
            and items[first].kind == "open"
            and items[last - 1].kind == "close"
            and items[first].ref == items[last - 1].ref
            and items[last - 1].label is None
        )
        if not wrapped:
            return items[first:last]
        first, last = first + 1, last - 1


def _blank(item: Item) -> bool:
    return item.kind == "empty" or (item.kind == "text" and not item.text.strip())


def _cells(line: str) -> list[tuple[int, str]]:
    """A table row's cells as (column, raw text), split at unescaped pipes and trimmed."""
    out: list[tuple[int, str]] = []
    start = 0
    index = 0
    bounds: list[tuple[int, int]] = []
    while index < len(line):
        char = line[index]
        if char == "\\":
            index += 2
            continue
        if char == "|":
            bounds.append((start, index))
            start = index + 1
        index += 1
    bounds.append((start, len(line)))
    if bounds and not line[bounds[0][0] : bounds[0][1]].strip() and line.lstrip().startswith("|"):
        bounds = bounds[1:]
    if bounds and not line[bounds[-1][0] : bounds[-1][1]].strip():
        bounds = bounds[:-1]
    for lo, hi in bounds:
        raw = line[lo:hi]
        stripped = raw.strip()
        out.append((lo + len(raw) - len(raw.lstrip()), stripped))
    return out


def _yaml_value(raw: str, quote: str) -> str | None:
    if quote == "'":
        return raw[1:-1].replace("''", "'")
    if quote == '"':
        try:
            value = json.loads(raw)
        except ValueError:
            return None
        return value if isinstance(value, str) else None
    if " #" in raw or raw.startswith(("[", "{", "@", "`", "%")):
        return None
    return raw


def _yaml_scalar(text: str, quote: str) -> str:
    text = " ".join(text.split())
    if quote == "'":
        return "'" + text.replace("'", "''") + "'"
    plain_ok = re.fullmatch(r"[^\s\"'#&*!|>%@`{}\[\],:?-][^#:]*(?<!\s)", text) is not None
    if quote == "" and plain_ok and ": " not in text:
        return text
    return json.dumps(text, ensure_ascii=False)
