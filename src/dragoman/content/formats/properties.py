"""Java .properties (ISO-8859-1 with \\uXXXX, or UTF-8), spliced: only values' characters change."""

from __future__ import annotations

import codecs
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any, ClassVar

from dragoman.content.formats._properties_syntax import Entry, Style, scan
from dragoman.content.formats.base import Codec, locale_filename
from dragoman.content.model import Extraction, Limits, Unit
from dragoman.errors import FileFormatError, PayloadTooLargeError

_SPECIAL_ESCAPE = re.compile(r"\\[=:#!]")
_HEX_LETTER = re.compile(r"\\u[0-9]*([a-fA-F])")


@dataclass(frozen=True, slots=True)
class PropertiesSkeleton:
    """The decoded text, how it is encoded and escaped, and each unit's entry."""

    text: str
    bom: bytes
    encoding: str
    newline: str
    style: Style
    entries: dict[str, Entry]


class PropertiesCodec(Codec):
    """Java resource bundles: `key=value` entries, `#`/`!` comments, `\\` continuations."""

    name: ClassVar[str] = "properties"
    extensions: ClassVar[tuple[str, ...]] = (".properties",)
    media_types: ClassVar[tuple[str, ...]] = ("text/x-java-properties", "text/plain")
    file_type: ClassVar[str | None] = "properties"

    def parse(self, data: bytes, *, source_locale: str, limits: Limits) -> Extraction:
        if len(data) > limits.max_bytes:
            raise PayloadTooLargeError(f"the file is larger than {limits.max_bytes} bytes")
        bom, encoding, text = _decode(data)
        entries = scan(text)
        units: list[Unit] = []
        by_id: dict[str, Entry] = {}
        for entry in entries:
            if not entry.value:
                continue
            unit_id = entry.key
            number = 2
            while unit_id in by_id:
                # A duplicate key: Java keeps the last; both stay in the file.
                unit_id = f"{entry.key}#{number}"
                number += 1
            by_id[unit_id] = entry
            units.append(Unit(unit_id, entry.value, context=(entry.key,), notes=entry.comments))
            if len(units) > limits.max_units:
                raise PayloadTooLargeError(f"the file holds more than {limits.max_units} strings")
        newline = re.search(r"\r\n|\r|\n", text)
        skeleton = PropertiesSkeleton(
            text=text,
            bom=bom,
            encoding=encoding,
            newline=newline.group() if newline else "\n",
            style=_style(text, encoding, entries),
            entries=by_id,
        )
        return Extraction(units, skeleton, {"encoding": encoding})

    def render(self, skeleton: Any, units: Sequence[Unit], *, target_locale: str) -> bytes:
        sk: PropertiesSkeleton = skeleton
        edits: list[tuple[int, int, str]] = []
        for unit in units:
            entry = sk.entries.get(unit.id)
            if entry is None or unit.target is None or unit.target == entry.value:
                continue
            edits.append((entry.start, entry.end, _written(sk, entry, unit.target)))
        edits.sort()
        out: list[str] = []
        at = 0
        for start, end, replacement in edits:
            out.append(sk.text[at:start])
            out.append(replacement)
            at = end
        out.append(sk.text[at:])
        return sk.bom + "".join(out).encode(sk.encoding)

    def output_filename(self, filename: str | None, source_locale: str, target_locale: str) -> str:
        """`messages.properties` and `messages_en.properties` -> `messages_es.properties`."""
        name = filename or "messages.properties"
        out = locale_filename(name, source_locale, target_locale)
        path = PurePosixPath(name)
        if out == f"{path.stem}.{target_locale}{path.suffix}":
            out = f"{path.stem}_{target_locale.replace('-', '_')}{path.suffix}"
        return out


def _written(sk: PropertiesSkeleton, entry: Entry, value: str) -> str:
    """`value` escaped in the file's style; a value that was wrapped after each `\\n` with a
    continuation line is wrapped the same way."""
    space_sep = entry.separator in (" ", "")
    if entry.wrap_indent is None:
        written = sk.style.escape(value, first=True, after_space_sep=space_sep)
    else:
        pieces = value.split("\n")
        written = sk.style.escape(pieces[0], first=True, after_space_sep=space_sep)
        for piece in pieces[1:]:
            written += "\\n"
            if piece:
                wrapped = sk.style.escape(piece, first=True, after_space_sep=False)
                written += "\\" + sk.newline + entry.wrap_indent + wrapped
    return written if entry.separator else "=" + written


def _style(text: str, encoding: str, entries: list[Entry]) -> Style:
    """How this file escapes: UTF-8 writes everything raw; ISO-8859-1 writes Latin-1 raw only
    when it already holds raw non-ASCII, else every non-ASCII character as \\uXXXX."""
    max_raw = 0x10FFFF if encoding.startswith("utf") else 0x7F if text.isascii() else 0xFF
    specials = any(_SPECIAL_ESCAPE.search(text, e.start, e.end) for e in entries)
    letter = _HEX_LETTER.search(text)
    return Style(max_raw, specials, bool(letter and letter.group(1).islower()))


def _decode(data: bytes) -> tuple[bytes, str, str]:
    """(BOM, encoding, text): UTF-8 when the bytes are valid UTF-8 with non-ASCII in them,
    else ISO-8859-1 (Java's default for .properties); NUL bytes mean a binary file."""
    nul = data.find(b"\0")
    if nul >= 0:
        line = data.count(b"\n", 0, nul) + 1
        raise FileFormatError("binary data (a NUL byte) in a .properties file", line=line)
    bom = codecs.BOM_UTF8 if data.startswith(codecs.BOM_UTF8) else b""
    body = data[len(bom) :]
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        if bom:
            line = data.count(b"\n", 0, len(bom) + exc.start) + 1
            raise FileFormatError(f"the file is not valid UTF-8: {exc.reason}", line=line) from None
        return b"", "iso-8859-1", body.decode("iso-8859-1")
    if bom or not body.isascii():
        return bom, "utf-8", text
    return b"", "iso-8859-1", text
