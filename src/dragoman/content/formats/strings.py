"""Apple and GNUstep `.strings` files, spliced: render replaces only the changed values."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from dragoman.content.formats._apple_strings import Pair, Style, decode, escape, read_pairs
from dragoman.content.formats._apple_strings import style_of as _style_of
from dragoman.content.formats.base import Codec
from dragoman.content.model import Extraction, Limits, Unit
from dragoman.errors import PayloadTooLargeError


@dataclass(frozen=True, slots=True)
class StringsSkeleton:
    """The decoded text, its encoding and BOM, and each unit's pair."""

    text: str
    encoding: str
    bom: bytes
    pairs: tuple[Pair, ...]
    ids: tuple[str, ...]
    style: Style


class StringsCodec(Codec):
    """`"key" = "value";` pairs in UTF-8 or UTF-16, with `/* */` and `//` comments."""

    name = "strings"
    extensions = (".strings",)
    media_types = ("text/plain",)
    file_type = "strings"

    def parse(self, data: bytes, *, source_locale: str, limits: Limits) -> Extraction:
        if len(data) > limits.max_bytes:
            raise PayloadTooLargeError(f"the file is larger than {limits.max_bytes} bytes")
        text, encoding, bom = decode(data)
        pairs = read_pairs(text, limits.max_units)
        units: list[Unit] = []
        seen: set[str] = set()
        for pair in pairs:
            uid = _unique(pair.key.text, seen)
            source = pair.value.text if pair.value is not None else pair.key.text
            units.append(Unit(id=uid, source=source, context=(pair.key.text,), notes=pair.notes))
        skeleton = StringsSkeleton(
            text=text,
            encoding=encoding,
            bom=bom,
            pairs=tuple(pairs),
            ids=tuple(u.id for u in units),
            style=_style_of(text, pairs),
        )
        return Extraction(units, skeleton, {"encoding": encoding})

    def render(self, skeleton: Any, units: Sequence[Unit], *, target_locale: str) -> bytes:
        sk: StringsSkeleton = skeleton
        by_id = {u.id: u for u in units}
        out: list[str] = []
        done = 0
        for uid, pair in zip(sk.ids, sk.pairs, strict=True):
            unit = by_id.get(uid)
            if unit is None or unit.target is None or not unit.translatable:
                continue
            quoted = f'"{escape(unit.target, sk.style)}"'
            if pair.value is None:  # `"key";` gains a value: `"key" = "target";`
                start = end = pair.key.end + (1 if pair.key.quoted else 0)
                new = f" = {quoted}"
            elif pair.value.quoted:
                start, end, new = pair.value.start, pair.value.end, quoted[1:-1]
            else:
                start, end, new = pair.value.start, pair.value.end, quoted
            out += [sk.text[done:start], new]
            done = end
        out.append(sk.text[done:])
        return sk.bom + "".join(out).encode(sk.encoding)

    def output_filename(self, filename: str | None, source_locale: str, target_locale: str) -> str:
        return lproj_filename(filename or "Localizable.strings", source_locale, target_locale)


def _unique(key: str, seen: set[str]) -> str:
    """The key, or `key#2`, `key#3`... for a repeated key (Apple keeps the last one)."""
    uid, n = key, 1
    while uid in seen:
        n += 1
        uid = f"{key}#{n}"
    seen.add(uid)
    return uid


def lproj_filename(filename: str, source_locale: str, target_locale: str) -> str:
    """`en.lproj/Localizable.strings` -> `es.lproj/Localizable.strings`; a bare file name
    goes into the target's `.lproj` folder (Base.lproj and English.lproj count as source)."""
    path = PurePosixPath(filename)
    parts = list(path.parts)
    folder = f"{target_locale}.lproj"
    for i in range(len(parts) - 2, -1, -1):
        if parts[i].lower().endswith(".lproj"):
            parts[i] = folder
            return str(PurePosixPath(*parts))
    return str(path.parent / folder / path.name)
