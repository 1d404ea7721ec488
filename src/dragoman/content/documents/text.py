"""Plain text documents: one paragraph per block of lines separated by a blank line.

Line breaks inside a block are kept as `<xN/>` tags (a hard-wrapped paragraph translates as
one), the encoding (UTF-8 with or without BOM, or UTF-16 with BOM) and line endings as found.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dragoman.content.documents.base import DocumentCodec, Paragraph
from dragoman.content.documents.inline import TaggedBuilder, pieces
from dragoman.content.model import Limits
from dragoman.errors import FileFormatError

_BLOCKS = re.compile(r"(\r?\n[ \t]*\r?\n\s*)")
_LINE = re.compile(r"\r?\n")


@dataclass(frozen=True, slots=True)
class _Text:
    encoding: str
    bom: bytes
    parts: tuple[str, ...]  # block, separator, block, ... (blocks at even indexes)
    breaks: Mapping[str, tuple[str, ...]]  # paragraph id -> the line endings it holds


class TextCodec(DocumentCodec):
    """`.txt`: blocks of text between blank lines."""

    name = "text"
    extensions = (".txt", ".text")
    media_types = ("text/plain",)

    def read(self, data: bytes, *, limits: Limits) -> tuple[list[Paragraph], Any]:
        encoding, bom = _encoding(data)
        try:
            text = data[len(bom) :].decode(encoding)
        except UnicodeDecodeError as exc:
            raise FileFormatError(f"the text is not {encoding}: {exc.reason}") from None
        if "\x00" in text:
            raise FileFormatError("the text holds NUL characters: is it really a text file?")
        parts = tuple(_BLOCKS.split(text))
        paragraphs: list[Paragraph] = []
        breaks: dict[str, tuple[str, ...]] = {}
        for index in range(0, len(parts), 2):
            block = parts[index]
            if not block.strip():
                continue
            builder = TaggedBuilder()
            lines = _LINE.split(block)
            endings = tuple(_LINE.findall(block))
            for number, line in enumerate(lines):
                if number:
                    builder.empty("br")
                builder.text(line)
            paragraph_id = f"p{index // 2 + 1}"
            breaks[paragraph_id] = endings
            paragraphs.append(Paragraph(paragraph_id, builder.result()))
        return paragraphs, _Text(encoding, bom, parts, breaks)

    def write(self, skeleton: Any, texts: Mapping[str, str], *, target_locale: str) -> bytes:
        assert isinstance(skeleton, _Text)
        parts = list(skeleton.parts)
        for paragraph_id, tagged in texts.items():
            index = (int(paragraph_id[1:]) - 1) * 2
            endings = iter(skeleton.breaks[paragraph_id])
            out: list[str] = []
            for piece in pieces(tagged):
                out.append(next(endings, "\n") if piece.empty is not None else piece.text)
            parts[index] = "".join(out)
        return skeleton.bom + "".join(parts).encode(skeleton.encoding)


def _encoding(data: bytes) -> tuple[str, bytes]:
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8", b"\xef\xbb\xbf"
    if data.startswith(b"\xff\xfe"):
        return "utf-16-le", b"\xff\xfe"
    if data.startswith(b"\xfe\xff"):
        return "utf-16-be", b"\xfe\xff"
    return "utf-8", b""
