"""Pure content types: an artifact (a group's source or a job's output) and its units."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class ArtifactKind(StrEnum):
    """What a group's source is: a JSON object, an i18n file, a document or plain text."""

    STRUCTURED = "structured"
    RESOURCE = "resource"
    DOCUMENT = "document"
    TEXT = "text"


class UnitState(StrEnum):
    """Where a unit's target came from, or why it has none."""

    NEW = "new"
    TM_EXACT = "tm_exact"
    TM_FUZZY = "tm_fuzzy"
    MACHINE = "machine"
    HUMAN = "human"
    APPROVED = "approved"
    SKIPPED = "skipped"
    FAILED = "failed"


@dataclass(slots=True)
class Unit:
    """One translatable piece of an artifact: a key's value, a PO entry, a trans-unit.

    `source` is the text as a translator reads it (escapes of the file format undone);
    placeholders and inline tags stay in it and are protected by the pipeline. A plural
    unit has `plural` (CLDR category -> source text, plus platform keys such as Rails
    `zero`) and gets `target_plural` with the target language's categories.
    """

    id: str
    source: str
    plural: dict[str, str] | None = None
    context: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    max_length: int | None = None
    translatable: bool = True
    target: str | None = None
    target_plural: dict[str, str] | None = None
    state: UnitState = UnitState.NEW
    origin: str | None = None
    match: int | None = None


@dataclass(frozen=True, slots=True)
class Limits:
    """What a parser refuses to take on (each a FileFormatError or PayloadTooLargeError)."""

    max_bytes: int = 20 * 1024 * 1024
    max_units: int = 200_000
    max_depth: int = 64
    max_yaml_aliases: int = 100
    max_words: int | None = None


@dataclass(slots=True)
class Extraction:
    """What `Codec.parse` returns: the units in file order and an opaque skeleton.

    The skeleton belongs to the codec. `render` must never mutate it (nor the units), so
    one extraction serves every target locale of a group.
    """

    units: list[Unit]
    skeleton: Any
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def keys(self) -> int:
        return len(self.units)
