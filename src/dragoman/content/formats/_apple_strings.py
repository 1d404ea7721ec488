"""Apple/GNUstep `.strings` syntax: encodings, a tokenizer with spans, and escapes."""

from __future__ import annotations

import re
from dataclasses import dataclass

from dragoman.errors import FileFormatError

_BOMS = (
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
# Characters an unquoted key or value may hold (NeXTSTEP property list rules).
_BARE = re.compile(r"[A-Za-z0-9_$+/:.\-]+")
_SPACE = re.compile(r"[ \t\r\n\ufeff]*")
_SIMPLE = {"n": "\n", "t": "\t", "r": "\r", "a": "\a", "b": "\b", "f": "\f", "v": "\v"}
_ESCAPE = re.compile(r"\\(?:[Uu]([0-9A-Fa-f]{4})|([0-7]{1,3})|(.))", re.DOTALL)


@dataclass(frozen=True, slots=True)
class Token:
    """A quoted string or bare word: its decoded text and its span in the file's text."""

    text: str
    start: int
    end: int
    quoted: bool


@dataclass(frozen=True, slots=True)
class Pair:
    """`key = value;` (value None for the old `"key";` form) and the comments above it."""

    key: Token
    value: Token | None
    notes: tuple[str, ...]
    line: int


def decode(data: bytes) -> tuple[str, str, bytes]:
    """`(text, encoding, bom)`: UTF-16 by BOM or by its zero bytes, else UTF-8."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _decode(data[len(bom) :], encoding), encoding, bom
    if len(data) >= 2 and (data[0] == 0) != (data[1] == 0):
        encoding = "utf-16-be" if data[0] == 0 else "utf-16-le"
        return _decode(data, encoding), encoding, b""
    if b"\x00" in data:
        raise FileFormatError("the file is binary, not a .strings file (it has NUL bytes)")
    return _decode(data, "utf-8"), "utf-8", b""


def _decode(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise FileFormatError(f"the file is not valid {encoding} (byte {exc.start})") from None


def unescape(body: str) -> str:
    """A quoted string's content with its escapes undone (`\\U00F3`, `\\n`, `\\"`, octal)."""
    if "\\" not in body:
        return body

    def one(match: re.Match[str]) -> str:
        hexa, octal, char = match.groups()
        if hexa is not None:
            return chr(int(hexa, 16))
        if octal is not None:
            return chr(int(octal, 8))
        return _SIMPLE.get(char, char)

    text = _ESCAPE.sub(one, body)
    # Astral characters arrive as two \U escapes (a UTF-16 surrogate pair).
    return text.encode("utf-16", "surrogatepass").decode("utf-16") if _has_surrogate(text) else text


def _has_surrogate(text: str) -> bool:
    return any("\ud800" <= c <= "\udfff" for c in text)


@dataclass(frozen=True, slots=True)
class Style:
    """How a file writes what needs escaping in a changed value."""

    unicode_escape: str | None  # "\\U" or "\\u" when the file escapes non-ASCII, else None
    raw_newlines: bool  # the file puts real line breaks inside values


def style_of(text: str, pairs: list[Pair]) -> Style:
    """The escape habits of the file's own values."""
    bodies = [text[p.value.start : p.value.end] for p in pairs if p.value and p.value.quoted]
    joined = "".join(bodies)
    escapes = re.findall(r"\\([Uu])[0-9A-Fa-f]{4}", joined)
    raw_non_ascii = any(ord(c) > 127 for c in joined)
    marker = None
    if escapes and not raw_non_ascii:
        marker = "\\U" if escapes.count("U") >= escapes.count("u") else "\\u"
    return Style(marker, "\n" in joined and "\\n" not in joined)


def escape(text: str, style: Style) -> str:
    """`text` as a quoted string's content, escaped the way the file escapes."""
    out = text.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t").replace("\r", "\\r")
    if not style.raw_newlines:
        out = out.replace("\n", "\\n")
    if style.unicode_escape is not None and not out.isascii():
        marker = style.unicode_escape
        out = "".join(c if ord(c) < 128 else _unicode_escape(c, marker) for c in out)
    return out


def _unicode_escape(char: str, marker: str) -> str:
    units = char.encode("utf-16-be")
    return "".join(
        f"{marker}{int.from_bytes(units[i : i + 2], 'big'):04X}" for i in range(0, len(units), 2)
    )


class _Scanner:
    """Walks the text once: comments, strings, bare words and the `=` `;` punctuation."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.notes: list[str] = []
        self._line, self._line_pos = 1, 0

    def line(self) -> int:
        # Counted from the last position asked about: the scanner only moves forward.
        self._line += self.text.count("\n", self._line_pos, self.pos)
        self._line_pos = self.pos
        return self._line

    def skip(self) -> None:
        """Past whitespace and comments, keeping the comments' text as notes."""
        text = self.text
        while True:
            self.pos = _SPACE.match(text, self.pos).end()  # type: ignore[union-attr]  # `*`
            if text.startswith("/*", self.pos):
                end = text.find("*/", self.pos + 2)
                if end < 0:
                    raise FileFormatError("a /* comment is never closed", line=self.line())
                self._note(text[self.pos + 2 : end])
                self.pos = end + 2
            elif text.startswith("//", self.pos):
                end = text.find("\n", self.pos)
                end = len(text) if end < 0 else end
                self._note(text[self.pos + 2 : end])
                self.pos = end
            else:
                return

    def _note(self, body: str) -> None:
        note = "\n".join(ln.strip(" \t\r*") for ln in body.strip().splitlines()).strip()
        if note:
            self.notes.append(note)

    def token(self, what: str) -> Token:
        text, start = self.text, self.pos
        if start < len(text) and text[start] == '"':
            end = start + 1
            while True:
                end = text.find('"', end)
                if end < 0:
                    raise FileFormatError(f"a quoted {what} is never closed", line=self.line())
                back = end - 1
                while text[back] == "\\":
                    back -= 1
                if (end - 1 - back) % 2 == 0:
                    break
                end += 1
            self.pos = end + 1
            return Token(unescape(text[start + 1 : end]), start + 1, end, True)
        match = _BARE.match(text, start)
        if match is None:
            found = text[start : start + 20] or "the end of the file"
            raise FileFormatError(f"expected a {what}, found {found!r}", line=self.line())
        self.pos = match.end()
        return Token(match.group(), start, match.end(), False)

    def expect(self, chars: str) -> str:
        self.skip()
        if self.pos < len(self.text) and self.text[self.pos] in chars:
            self.pos += 1
            return self.text[self.pos - 1]
        found = self.text[self.pos : self.pos + 20] or "the end of the file"
        raise FileFormatError(f"expected {' or '.join(chars)}, found {found!r}", line=self.line())


def read_pairs(text: str, max_pairs: int) -> list[Pair]:
    """Every `key = value;` of the file in order."""
    scanner = _Scanner(text)
    pairs: list[Pair] = []
    while True:
        scanner.skip()
        if scanner.pos >= len(text):
            return pairs
        line = scanner.line()
        notes = tuple(scanner.notes)
        scanner.notes.clear()
        key = scanner.token("key")
        value = None
        if scanner.expect("=;") == "=":
            scanner.skip()
            value = scanner.token("value")
            scanner.expect(";")
        pairs.append(Pair(key, value, notes, line))
        if len(pairs) > max_pairs:
            raise FileFormatError(f"more than {max_pairs} entries")
