"""How a JSON file writes its strings, and writing a new string the same way."""

from __future__ import annotations

import json
import re
from bisect import bisect_left
from collections.abc import Callable, Sequence
from dataclasses import dataclass

# `\uXXXX` escapes of characters past ASCII, of `<`, `>`, `&`, and `\/`, each only where the
# backslash itself is not escaped.
_ODD = r"(?<!\\)(?:\\\\)*"
_NON_ASCII_ESCAPE = re.compile(_ODD + r"\\u(?!00[0-7])[0-9a-fA-F]{4}")
_UPPER_HEX = re.compile(_ODD + r"\\u[0-9A-F]{0,3}[A-F][0-9A-F]{0,3}(?![0-9a-fA-F])")
_HTML_ESCAPE = re.compile(_ODD + r"\\u00(?:3[cCeE]|26)")
_SLASH_ESCAPE = re.compile(_ODD + r"\\/")
_LOWER_U = re.compile(r"(?<!\\)((?:\\\\)*)\\u([0-9a-f]{4})")


@dataclass(frozen=True, slots=True)
class Style:
    """The escapes a file uses: non-ASCII as `\\u00e9`, upper-case hex, `\\/`, `\\u003c`."""

    ascii: bool = False
    upper_hex: bool = False
    slash: bool = False
    html: bool = False

    @classmethod
    def of(cls, text: str) -> Style:
        """The style of a whole file: it escapes non-ASCII only if it never writes it raw."""
        escapes = _NON_ASCII_ESCAPE.search(text) is not None
        return cls(
            ascii=escapes and text.isascii(),
            upper_hex=_UPPER_HEX.search(text) is not None,
            slash=_SLASH_ESCAPE.search(text) is not None,
            html=_HTML_ESCAPE.search(text) is not None,
        )

    def quote(self, value: str) -> str:
        """`value` as a JSON string token in this style."""
        out = json.dumps(value, ensure_ascii=self.ascii)
        if self.html:
            # In the dumped token these characters are always literal, never part of an escape.
            out = out.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
        if self.slash:
            out = out.replace("/", "\\/")
        if self.upper_hex:
            out = _LOWER_U.sub(lambda m: f"{m.group(1)}\\u{m.group(2).upper()}", out)
        return out


Render = Callable[[], str]


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace `text[start:end]` with what `make` returns (edits nest or are disjoint)."""

    start: int
    end: int
    make: Render


class Splicer:
    """Applies edits to a text; an edit nested in another is left to the outer one's `make`."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.edits: list[Edit] = []
        self.starts: list[int] = []

    def apply(self, edits: Sequence[Edit]) -> str:
        """The whole text with `edits` applied."""
        self.edits = sorted(edits, key=lambda e: (e.start, -e.end))
        self.starts = [e.start for e in self.edits]
        return self.span(0, len(self.text))

    def span(self, lo: int, hi: int) -> str:
        """`text[lo:hi]` with the outermost edits inside it applied."""
        text, out, pos = self.text, [], lo
        for index in range(bisect_left(self.starts, lo), len(self.edits)):
            edit = self.edits[index]
            if edit.start >= hi:
                break
            if edit.start < pos or edit.end > hi:
                continue  # inside an edit already applied
            out.append(text[pos : edit.start])
            out.append(edit.make())
            pos = edit.end
        out.append(text[pos:hi])
        return "".join(out)
