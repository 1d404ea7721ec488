"""Gettext PO syntax: reading a file into entries with line spans, escaping and wrapping."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass

from dragoman.errors import FileFormatError

# Lines no longer than this, quotes included, as `msgcat` writes them by default.
PAGE_WIDTH = 79

_KEYWORD = re.compile(r'(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)[ \t]*(".*)$')
_LITERAL = re.compile(r'"((?:[^"\\]|\\.)*)"[ \t]*$')
_UNESCAPES = {
    "n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\",
    "a": "\a", "b": "\b", "f": "\f", "v": "\v", "'": "'", "?": "?",
}  # fmt: skip
_ESCAPE_RE = re.compile(r"\\(?:([0-7]{1,3})|x([0-9A-Fa-f]+)|(.))", re.DOTALL)
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r"}
_NEEDS_ESCAPE = re.compile(r'[\\"\n\t\r]')
# Never break a line inside these: printf `%(name)s`, brace `{name}`, and escapes.
_BREAK = re.compile(r" (?=[^ ])")
_UNBREAKABLE = re.compile(r"%\([^()%]*\)[-#0 +]*(?:[1-9]\d*)?(?:\.\d+)?[A-Za-z]|\{[^{}]*\}")


@dataclass(frozen=True, slots=True)
class Entry:
    """One PO message: its fields decoded, and where its lines are in the file."""

    line: int  # 1-based line of its first keyword, for messages
    msgctxt: str | None
    msgid: str
    msgid_plural: str | None
    msgstr: tuple[str, ...]  # one form, or msgstr[0..n]
    msgstr_lines: tuple[int, int]  # [start, end) indices of the msgstr lines
    flags: tuple[str, ...]
    flag_lines: tuple[int, ...]  # `#,` lines
    previous_lines: tuple[int, ...]  # `#|` lines (the previous msgid of a fuzzy entry)
    extracted: tuple[str, ...]  # `#.` comments
    translator: tuple[str, ...]  # `# ` comments
    references: tuple[str, ...]  # `#:` comments

    @property
    def is_header(self) -> bool:
        return self.msgid == "" and self.msgctxt is None


def unescape(text: str, line: int) -> str:
    """A PO string literal's content with its C escapes undone."""
    if "\\" not in text:
        return text

    def one(match: re.Match[str]) -> str:
        octal, hexa, char = match.groups()
        if octal is not None:
            return chr(int(octal, 8))
        if hexa is not None:
            return chr(int(hexa, 16) & 0xFF)
        if char in _UNESCAPES:
            return _UNESCAPES[char]
        raise FileFormatError(f"unknown escape sequence \\{char} in a string", line=line)

    return _ESCAPE_RE.sub(one, text)


def escape(text: str) -> str:
    """`text` as the content of a PO string literal."""
    if not _NEEDS_ESCAPE.search(text):
        return text
    return _NEEDS_ESCAPE.sub(lambda m: _ESCAPES[m.group()], text)


def format_field(keyword: str, text: str, width: int | None, newline: str) -> list[str]:
    """Lines for `keyword "text"` wrapped as gettext does: one line when it fits and has no
    inner newline, else `keyword ""` then a line per `\\n` piece, wrapped at spaces."""
    pieces = [p for p in re.split(r"(?<=\n)", text) if p] or [""]
    single = f'{keyword} "{escape(text)}"'
    if len(pieces) == 1 and (width is None or len(single) <= width):
        return [single + newline]
    lines = [f'{keyword} ""{newline}']
    for piece in pieces:
        lines.extend(f'"{chunk}"{newline}' for chunk in _wrap(escape(piece), width))
    return lines


def _wrap(escaped: str, width: int | None) -> list[str]:
    """Greedy break after spaces so each quoted line fits `width` (never inside a placeholder)."""
    room = None if width is None else width - 2
    if room is None or len(escaped) <= room:
        return [escaped]
    banned: set[int] = set()
    for match in _UNBREAKABLE.finditer(escaped):
        banned.update(range(match.start() + 1, match.end()))
    # Break candidates: the position right after a run of spaces.
    breaks = [m.end() for m in _BREAK.finditer(escaped) if m.end() not in banned]
    chunks: list[str] = []
    start = 0
    while len(escaped) - start > room:
        # The last break that fits, else the first one after (a long word stands alone).
        fit = bisect_right(breaks, start + room) - 1
        if fit >= 0 and breaks[fit] > start:
            cut = breaks[fit]
        else:
            later = bisect_right(breaks, start)
            if later >= len(breaks):
                break
            cut = breaks[later]
        chunks.append(escaped[start:cut])
        start = cut
    chunks.append(escaped[start:])
    return chunks


class _Builder:
    """Fields of the entry being read, reset after each message."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.line = 0
        self.fields: dict[str, list[str]] = {}
        self.order: list[str] = []
        self.msgstr_start: int | None = None
        self.msgstr_end = 0
        self.flags: list[str] = []
        self.flag_lines: list[int] = []
        self.previous_lines: list[int] = []
        self.extracted: list[str] = []
        self.translator: list[str] = []
        self.references: list[str] = []

    @property
    def has_msgstr(self) -> bool:
        return self.msgstr_start is not None

    @property
    def has_comments(self) -> bool:
        return bool(self.flag_lines or self.previous_lines or self.extracted
                    or self.translator or self.references)  # fmt: skip

    def build(self) -> Entry:
        if "msgid" not in self.fields:
            raise FileFormatError("a message without msgid", line=self.line)
        if self.msgstr_start is None:
            raise FileFormatError("a message without msgstr", line=self.line)
        plural = "msgid_plural" in self.fields
        forms = sorted((k for k in self.fields if k.startswith("msgstr[")), key=_index)
        if plural != bool(forms) or (not plural and "msgstr" not in self.fields):
            raise FileFormatError(
                "msgid_plural needs msgstr[n] forms, and only it may have them", line=self.line
            )
        if forms and [_index(k) for k in forms] != list(range(len(forms))):
            raise FileFormatError("msgstr[n] indices must count up from 0", line=self.line)
        msgstr = (
            tuple("".join(self.fields[k]) for k in forms)
            if plural
            else ("".join(self.fields["msgstr"]),)
        )
        ctxt = self.fields.get("msgctxt")
        return Entry(
            line=self.line,
            msgctxt=None if ctxt is None else "".join(ctxt),
            msgid="".join(self.fields["msgid"]),
            msgid_plural="".join(self.fields["msgid_plural"]) if plural else None,
            msgstr=msgstr,
            msgstr_lines=(self.msgstr_start, self.msgstr_end),
            flags=tuple(self.flags),
            flag_lines=tuple(self.flag_lines),
            previous_lines=tuple(self.previous_lines),
            extracted=tuple(self.extracted),
            translator=tuple(self.translator),
            references=tuple(self.references),
        )


def _index(key: str) -> int:
    return int(key[7:-1])


def read_entries(lines: Iterable[str], max_entries: int) -> list[Entry]:
    """Every live message of a PO file in order (obsolete `#~` entries are skipped)."""
    entries: list[Entry] = []
    b = _Builder()
    current: str | None = None  # field that continuation lines extend

    def finish() -> None:
        nonlocal current
        if b.fields:
            entries.append(b.build())
            if len(entries) > max_entries + 1:  # the header is not a message
                raise FileFormatError(f"more than {max_entries} messages")
        b.reset()
        current = None

    for index, raw in enumerate(lines):
        number = index + 1
        line = raw.strip()
        if not line:
            if b.fields:
                finish()
            continue
        if line[0] == "#":
            if b.has_msgstr:
                finish()
            kind = line[1:2]
            body = line[2:].strip()
            if kind == "~":
                b.reset()  # comments above an obsolete entry belong to it
            elif kind == ",":
                b.flags.extend(f.strip() for f in body.split(",") if f.strip())
                b.flag_lines.append(index)
            elif kind == "|":
                b.previous_lines.append(index)
            elif kind == ".":
                b.extracted.append(body)
            elif kind == ":":
                b.references.append(body)
            else:
                b.translator.append(line[1:].strip())
            current = None
            continue
        if line[0] == '"':
            if current is None:
                raise FileFormatError("a string continues no msgid or msgstr", line=number)
            b.fields[current].append(_literal(line, number))
            if current.startswith("msgstr"):
                b.msgstr_end = index + 1
            continue
        match = _KEYWORD.match(line)
        if match is None:
            raise FileFormatError(f"expected msgid, msgstr or a comment, found {line[:40]!r}",
                                  line=number)  # fmt: skip
        keyword = match.group(1)
        if keyword in ("msgctxt", "msgid") and (b.has_msgstr or keyword in b.fields):
            finish()
        if keyword in b.fields:
            raise FileFormatError(f"{keyword} appears twice in one message", line=number)
        if not b.fields:
            b.line = number
        if keyword.startswith("msgstr"):
            if "msgid" not in b.fields:
                raise FileFormatError("msgstr before msgid", line=number)
            if b.msgstr_start is None:
                b.msgstr_start = index
            b.msgstr_end = index + 1
        elif b.has_msgstr:
            raise FileFormatError(f"{keyword} after msgstr", line=number)
        b.fields[keyword] = [_literal(match.group(3), number)]
        current = keyword
    finish()
    return entries


def _literal(text: str, line: int) -> str:
    match = _LITERAL.match(text)
    if match is None:
        raise FileFormatError("a string literal is not closed", line=line)
    return unescape(match.group(1), line)
