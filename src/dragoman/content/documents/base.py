"""The document codec: a format reads paragraphs of tagged text and writes changed ones back;
this base splits paragraphs into sentence units and joins the translated sentences again.

A format implements `read` and `write`:
- `read(data, limits)` -> paragraphs in reading order (body, tables, notes, headers, ...)
  and the format's own skeleton (never mutated afterwards);
- `write(skeleton, texts, target_locale)` -> the document with `texts` (paragraph id ->
  translated tagged text, only paragraphs whose text changed) put back, language markers
  (`w:lang`, `xml:lang`, `<html lang>`) set to the target, and every part it did not need to
  change left byte-identical.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from dragoman.content.documents import segmentation
from dragoman.content.documents.inline import plain
from dragoman.content.filters import is_translatable
from dragoman.content.formats.base import Codec
from dragoman.content.model import ArtifactKind, Extraction, Limits, Unit
from dragoman.content.words import count_words
from dragoman.errors import FileFormatError


@dataclass(frozen=True, slots=True)
class Paragraph:
    """One block a reader sees: a paragraph, cell, list item, cue, title, alt text.

    `text` is tagged (see `inline`): escaped literal text, `<gN>…</gN>`, `<xN/>`.
    `segment=False` keeps it one unit (a sheet name, an attribute, a title).
    """

    id: str
    text: str
    context: tuple[str, ...] = ()
    max_length: int | None = None
    segment: bool = True


@dataclass(frozen=True, slots=True)
class DocumentSkeleton:
    """What `render` needs: the format's skeleton, the original bytes and, per paragraph,
    its unit ids and the whitespace after each sentence."""

    data: bytes
    inner: Any
    source_locale: str
    layout: tuple[tuple[str, str, tuple[str, ...], tuple[str, ...]], ...]  # id, text, units, gaps


class DocumentCodec(Codec):
    """A document format, as paragraphs of tagged text."""

    kind = ArtifactKind.DOCUMENT

    @abstractmethod
    def read(self, data: bytes, *, limits: Limits) -> tuple[list[Paragraph], Any]:
        """Paragraphs in reading order and the skeleton `write` needs."""

    @abstractmethod
    def write(self, skeleton: Any, texts: Mapping[str, str], *, target_locale: str) -> bytes:
        """The document with `texts` put back and its language set to `target_locale`."""

    def parse(self, data: bytes, *, source_locale: str, limits: Limits) -> Extraction:
        if len(data) > limits.max_bytes:
            raise FileFormatError(f"the document is larger than {limits.max_bytes} bytes")
        paragraphs, inner = self.read(data, limits=limits)
        units: list[Unit] = []
        layout = []
        words = 0
        for paragraph in paragraphs:
            parts = (
                segmentation.split(paragraph.text, source_locale)
                if paragraph.segment
                else [(paragraph.text, "")]
            )
            ids = []
            for index, (text, _gap) in enumerate(parts):
                unit_id = f"{paragraph.id}#{index}" if len(parts) > 1 else paragraph.id
                reader_text = plain(text)
                translatable = is_translatable(reader_text)
                if translatable:
                    words += count_words(reader_text)
                units.append(
                    Unit(
                        id=unit_id,
                        source=text,
                        context=paragraph.context,
                        max_length=paragraph.max_length,
                        translatable=translatable,
                    )
                )
                ids.append(unit_id)
            layout.append((paragraph.id, paragraph.text, tuple(ids), tuple(g for _, g in parts)))
            if len(units) > limits.max_units:
                raise FileFormatError(f"the document has more than {limits.max_units} segments")
        if limits.max_words is not None and words > limits.max_words:
            raise FileFormatError(
                f"the document has {words} words; the limit is {limits.max_words}"
            )
        skeleton = DocumentSkeleton(data, inner, source_locale, tuple(layout))
        return Extraction(units, skeleton, meta={"words": words})

    def render(self, skeleton: Any, units: Sequence[Unit], *, target_locale: str) -> bytes:
        assert isinstance(skeleton, DocumentSkeleton)
        by_id = {u.id: u for u in units}
        texts: dict[str, str] = {}
        for paragraph_id, original, unit_ids, gaps in skeleton.layout:
            pairs = zip(unit_ids, gaps, strict=True)
            joined = "".join(_target(by_id.get(unit_id)) + gap for unit_id, gap in pairs)
            if joined != original:
                texts[paragraph_id] = joined
        if not texts and target_locale == skeleton.source_locale:
            return skeleton.data
        return self.write(skeleton.inner, texts, target_locale=target_locale)


def _target(unit: Unit | None) -> str:
    if unit is None:
        return ""
    return unit.source if unit.target is None else unit.target
