"""Java .properties syntax: entries with their value spans, and values unescaped and escaped."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from dragoman.errors import FileFormatError

# A natural line: its text and its terminator (\r\n, \r, \n, or none at the end of the file).
_LINE = re.compile(r"([^\r\n]*)(\r\n|\r|\n|)")
_WHITESPACE = " \t\f"
_ESCAPE = re.compile(r"\\(u[0-9a-fA-F]{4}|\r\n[ \t\f]*|\r[ \t\f]*|\n[ \t\f]*|u|.|$)", re.DOTALL)
_SURROGATE = re.compile("[\ud800-\udfff]")
# A key runs to the first unescaped separator or whitespace; then the separator itself.
_KEY = re.compile(r"(?:[^\\=: \t\f\r\n]|\\(?:\r\n|.))*", re.DOTALL)
_SEPARATOR = re.compile(r"([ \t\f]*)([=:]?)[ \t\f]*")
# `\n` then a line continuation: a multi-line value written one line per line.
_WRAP = re.compile(r"\\n\\(?:\r\n|\r|\n)([ \t\f]*)")
_SIMPLE = {"t": "\t", "n": "\n", "r": "\r", "f": "\f"}
_WRITE_ESCAPES = {"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\f": "\\f"}


@dataclass(frozen=True, slots=True)
class Entry:
    """One `key=value` entry: the key and value as read, where the value's characters lie,
    the comments above it, and how its separator and continuation lines look."""

    key: str
    value: str
    start: int
    end: int
    line: int
    comments: tuple[str, ...]
    separator: str  # "=" or ":" when the key ends so, " " for whitespace, "" for none
    wrap_indent: str | None


def scan(text: str) -> list[Entry]:
    """Every entry of a .properties text, in file order (duplicate keys kept)."""
    entries: list[Entry] = []
    comments: list[str] = []
    size = len(text)
    pos = line = 0
    while pos < size:
        match = _LINE.match(text, pos)
        assert match is not None  # the pattern matches the empty string
        content, nxt = match.group(1), match.end()
        line += 1
        first = len(content) - len(content.lstrip(_WHITESPACE))
        if first == len(content):
            comments.clear()  # a blank line parts a comment from the key below it
        elif content[first] in "#!":
            note = content[first:].lstrip("#!").strip()
            if note:
                comments.append(note)
        else:
            start_line = line
            end = match.end(1)
            # A line ending in an odd number of backslashes goes on to the next one.
            while _continues(text, match.start(1), end) and match.group(2):
                match = _LINE.match(text, nxt)
                assert match is not None
                end, nxt = match.end(1), match.end()
                line += 1
            entries.append(_entry(text, pos + first, end, start_line, tuple(comments)))
            comments.clear()
        pos = nxt
    return entries


def _continues(text: str, start: int, end: int) -> bool:
    count = 0
    while end - count > start and text[end - count - 1] == "\\":
        count += 1
    return count % 2 == 1


def _entry(text: str, start: int, end: int, line: int, comments: tuple[str, ...]) -> Entry:
    key = _KEY.match(text, start, end)
    assert key is not None  # the pattern matches the empty string
    key_end = key.end()
    sep = _SEPARATOR.match(text, key_end, end)
    assert sep is not None
    i = sep.end()
    separator = sep.group(2) or (" " if sep.group(1) else "")
    raw = text[i:end]
    wrap = _WRAP.search(raw)
    return Entry(
        key=unescape(text[start:key_end], line),
        value=unescape(raw, line),
        start=i,
        end=end,
        line=line,
        comments=comments,
        separator=separator,
        wrap_indent=wrap.group(1) if wrap else None,
    )


def unescape(raw: str, line: int) -> str:
    """A key or value as Java's Properties.load reads it."""
    if "\\" not in raw:
        return raw
    out = _ESCAPE.sub(lambda match: _unescape_one(match, line), raw)
    if _SURROGATE.search(out):
        # \uD83D\uDE00: a surrogate pair written as two escapes is one character.
        out = out.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return out


def _unescape_one(match: re.Match[str], line: int) -> str:
    body = match.group(1)
    if len(body) == 5 and body[0] == "u":
        return chr(int(body[1:], 16))
    if body == "u":
        raise FileFormatError("malformed \\uXXXX escape", line=line)
    if not body or body[0] in "\r\n":
        return ""  # a line continuation, or a lone backslash at the end of the file
    return _SIMPLE.get(body, body)


@lru_cache(maxsize=8)
def _pattern(max_raw: int, specials: bool) -> re.Pattern[str]:
    """The characters a value of this style cannot hold raw."""
    escaped = "[\\\\\\x00-\\x1f\\x7f-\\x9f" + ("=:#!" if specials else "") + "]"
    if max_raw < 0x10FFFF:
        # A negated class: a range up to U+10FFFF takes the regex compiler ~10 ms.
        escaped += f"|[^\\x00-\\x{max_raw:02x}]"
    return re.compile(escaped)


@dataclass(frozen=True, slots=True)
class Style:
    """How the file writes values: which characters it escapes and how."""

    max_raw: int  # highest code point written raw (0x7F, 0xFF or any)
    escape_specials: bool  # the file escapes = : # ! inside values
    lower_hex: bool

    def escape(self, value: str, *, first: bool, after_space_sep: bool) -> str:
        """`value` escaped for a value position; `first` when it starts the value (a leading
        space would be skipped), `after_space_sep` when a leading = or : would be read as
        the separator."""
        out = _pattern(self.max_raw, self.escape_specials).sub(self._one, value)
        lead = value[:1]
        taken_as_separator = after_space_sep and lead in ("=", ":") and not self.escape_specials
        if (first and lead == " ") or taken_as_separator:
            out = "\\" + out
        return out

    def _one(self, match: re.Match[str]) -> str:
        char = match.group()
        if char in _WRITE_ESCAPES:
            return _WRITE_ESCAPES[char]
        if char in "=:#!":
            return "\\" + char
        return self._unicode(char)

    def _unicode(self, char: str) -> str:
        units = char.encode("utf-16-be", "surrogatepass")
        out = ""
        for i in range(0, len(units), 2):
            hexa = units[i : i + 2].hex()
            out += "\\u" + (hexa if self.lower_hex else hexa.upper())
        return out
