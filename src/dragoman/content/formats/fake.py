"""A test double: `key=value` lines, one unit per line; plural units as `key[one]=...`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dragoman.content.formats.base import Codec
from dragoman.content.model import Extraction, Limits, Unit
from dragoman.errors import FileFormatError


class FakeCodec(Codec):
    """Lines `key=value`; `#` lines are comments; byte-faithful by construction."""

    name = "fake"
    extensions = (".fake",)
    media_types = ("text/plain",)

    def parse(self, data: bytes, *, source_locale: str, limits: Limits) -> Extraction:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise FileFormatError(f"the file is not UTF-8: {exc.reason}") from None
        lines = text.split("\n")
        units: list[Unit] = []
        for number, line in enumerate(lines, 1):
            if not line or line.startswith("#"):
                continue
            key, sep, value = line.partition("=")
            if not sep:
                raise FileFormatError(f"expected key=value, found {line[:40]!r}", line=number)
            units.append(Unit(id=key, source=_unescape(value)))
            if len(units) > limits.max_units:
                raise FileFormatError(f"more than {limits.max_units} units")
        return Extraction(units, lines)

    def render(self, skeleton: Any, units: Sequence[Unit], *, target_locale: str) -> bytes:
        by_id = {u.id: u for u in units}
        out: list[str] = []
        for line in skeleton:
            key, sep, _ = line.partition("=")
            unit = by_id.get(key) if sep and not line.startswith("#") else None
            if unit is None or unit.target is None:
                out.append(line)
            else:
                out.append(f"{key}={_escape(unit.target)}")
        return "\n".join(out).encode("utf-8")


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\n", "\\n")


def _unescape(text: str) -> str:
    return text.replace("\\n", "\n").replace("\\\\", "\\")
