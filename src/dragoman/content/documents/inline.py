"""Inline tags of document segments: `<g1>…</g1>` around formatted runs and links, `<x2/>`
for tabs, breaks, footnote references, fields and images; literal text is escaped
(`&lt;`, `&gt;`, `&amp;`) so that no text can pass for a tag.

The content pipeline protects each tag as a marker the engine cannot damage; the engine may
move them. `pieces()` reads a translated segment back as flat runs, each with the paired tags
around it (outermost first), repairing any order an engine chose: a close before its open,
crossed pairs, a pair never closed. Codecs rebuild their runs from the pieces.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_ENTITY = re.compile(r"&(amp|lt|gt|quot|apos|#\d{1,7}|#x[0-9A-Fa-f]{1,6});")
_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}
TAG_RE = re.compile(r"<(/?)g(\d+)>|<x(\d+)/>")


def escape(text: str) -> str:
    """Literal document text as it stands in a segment."""
    return text.translate(_ESCAPES)


def unescape(text: str) -> str:
    """A segment's text without its escapes (tags left as they are)."""
    if "&" not in text:
        return text
    return _ENTITY.sub(_entity, text)


def _entity(match: re.Match[str]) -> str:
    name = match.group(1)
    if name[0] != "#":
        return _NAMED[name]
    code = int(name[2:], 16) if name[1] in "xX" else int(name[1:])
    return chr(code) if 0 < code < 0x110000 and not 0xD800 <= code < 0xE000 else match.group(0)


def plain(tagged: str) -> str:
    """The text a reader sees: tags dropped, escapes undone."""
    return unescape(TAG_RE.sub("", tagged))


class TaggedBuilder:
    """Writes a tagged segment while a codec walks its runs, and remembers what each tag
    stands for (a run's properties, a link, a footnote reference) in `payloads`."""

    def __init__(self) -> None:
        self._parts: list[str] = []
        self.payloads: dict[int, Any] = {}
        self._next = 1

    def text(self, text: str) -> None:
        if text:
            self._parts.append(escape(text))

    def open(self, payload: Any) -> int:
        """Start a paired tag; returns its id for `close`."""
        tag = self._take(payload)
        self._parts.append(f"<g{tag}>")
        return tag

    def close(self, tag: int) -> None:
        self._parts.append(f"</g{tag}>")

    def empty(self, payload: Any) -> int:
        """An inline element with no text of its own (a tab, a break, a footnote reference)."""
        tag = self._take(payload)
        self._parts.append(f"<x{tag}/>")
        return tag

    def _take(self, payload: Any) -> int:
        tag = self._next
        self._next += 1
        self.payloads[tag] = payload
        return tag

    def result(self) -> str:
        return "".join(self._parts)


@dataclass(frozen=True, slots=True)
class Piece:
    """A run of literal text, or one empty tag (`empty` set, `text` ""), with the paired tags
    around it, outermost first."""

    text: str
    tags: tuple[int, ...] = ()
    empty: int | None = None


def pieces(tagged: str, pairs: Collection[int] = (), empties: Collection[int] = ()) -> list[Piece]:
    """Flat runs of a (translated) segment. Tags not listed in `pairs`/`empties` are dropped
    (when both are empty every tag is taken); an empty tag the engine lost is appended at the
    end, so a footnote or image is never lost; adjacent runs with the same tags merge."""
    take_all = not pairs and not empties
    stack: list[int] = []
    seen_empty: set[int] = set()
    opened: set[int] = set()
    out: list[Piece] = []
    position = 0
    for match in TAG_RE.finditer(tagged):
        _add_text(out, unescape(tagged[position : match.start()]), tuple(stack))
        position = match.end()
        closing, paired, single = match.group(1), match.group(2), match.group(3)
        if single is not None:
            tag = int(single)
            if (take_all or tag in empties) and tag not in seen_empty:
                seen_empty.add(tag)
                out.append(Piece("", tuple(stack), tag))
            continue
        tag = int(paired)
        if not (take_all or tag in pairs):
            continue
        if closing:
            if tag in stack:
                stack.remove(tag)  # crossed pairs: the inner ones simply go on
        elif tag not in opened:
            opened.add(tag)
            stack.append(tag)
    _add_text(out, unescape(tagged[position:]), tuple(stack))
    for tag in sorted(set(empties) - seen_empty):
        out.append(Piece("", (), tag))
    return out


def _add_text(out: list[Piece], text: str, tags: tuple[int, ...]) -> None:
    if not text:
        return
    if out and out[-1].empty is None and out[-1].tags == tags:
        out[-1] = Piece(out[-1].text + text, tags)
    else:
        out.append(Piece(text, tags))
