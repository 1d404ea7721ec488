"""How a JSON file writes its strings, and writing a new string the same way."""

from __future__ import annotations

import json
import re
from bisect import bisect_left
from collections.abc import Callable, Sequence
from dataclasses import dataclass

# A run of backslashes before `u` + 4 hex digits, or before `/`: an escape when the run is odd.
# Each run is matched from its first backslash only, so a long run costs linear time.
_U_ESCAPE = re.compile(r"(?<!\\)(\\+)u([0-9a-fA-F]{4})")
_SLASH_ESCAPE = re.compile(r"(?<!\\)(\\+)/")
_LOWER_U = re.compile(r"(?<!\\)((?:\\\\)*)\\u([0-9a-f]{4})")
_HTML = frozenset({"003c", "003e", "0026"})


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
        # The `in` tests are quick and spare most files the regex scans.
        escapes = _U_ESCAPE.finditer(text) if "\\u" in text else ()
        digits = [m.group(2) for m in escapes if len(m.group(1)) % 2]
        slashes = _SLASH_ESCAPE.finditer(text) if "\\/" in text else ()
        slash = any(len(m.group(1)) % 2 for m in slashes)
        return cls(
            ascii=any(int(d, 16) >= 0x80 for d in digits) and text.isascii(),
            upper_hex=any(not d.isdigit() and d.isupper() for d in digits),
            slash=slash,
            html=any(d.lower() in _HTML for d in digits),
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
