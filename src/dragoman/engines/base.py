"""The engine interface: long-lived per worker process, fed batches of segments.

A segment is plain text in which every protected span (placeholder, tag, entity) has already
been replaced by an inline marker `<x id="N"/>` (N a small integer). An engine must return each
marker exactly once and unchanged; it may move markers. Any other `<`, `>` or `&` in a segment is
literal text. The pipeline checks the markers after every call (QA) and never trusts an engine.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import BaseModel, ConfigDict

from dragoman.engines.languages import parse_tag

if TYPE_CHECKING:
    from dragoman.settings import Settings

MARKER = re.compile(r'<x id="\d+"/>')
"""An inline marker, the only markup a segment carries."""


def has_words(text: str) -> bool:
    """True when `text` has a letter outside its markers; other text is returned unchanged."""
    return any(ch.isalpha() for ch in MARKER.sub("", text))


class EngineOptions(BaseModel):
    """Options stored on an Engine record; each engine narrows this."""

    model_config = ConfigDict(extra="forbid")


@dataclass(frozen=True, slots=True)
class LanguagePair:
    """One direction an engine can translate, in BCP-47 tags."""

    source: str
    target: str


@dataclass(frozen=True, slots=True)
class Segment:
    """One piece of text to translate, with optional context breadcrumbs (hints)."""

    text: str
    hints: tuple[str, ...] = ()


class Engine(ABC):
    """A translation backend. Subclasses set `name` and implement `translate_batch`."""

    name: ClassVar[str]
    batch_size: ClassVar[int] = 200
    options_model: ClassVar[type[EngineOptions]] = EngineOptions
    uses_hints: ClassVar[bool] = False
    # True for engines that serve every pair of valid tags; `language_pairs()` is then empty.
    any_pair: ClassVar[bool] = False

    def __init__(self, options: EngineOptions | None = None, **settings: Any) -> None:
        self.options = options or self.options_model()

    @classmethod
    def from_settings(cls, options: EngineOptions, settings: Settings) -> Engine:
        """An engine built with what it needs from `settings` (paths, commands, URLs)."""
        return cls(options)

    @abstractmethod
    def language_pairs(self) -> list[LanguagePair]:
        """Every pair this engine can serve now (installed, reachable)."""

    def supports(self, source: str, target: str) -> bool:
        """True when `source -> target` (BCP-47) can be served."""
        return self.resolve_pair(source, target) is not None

    def resolve_pair(self, source: str, target: str) -> LanguagePair | None:
        """The served pair that best matches `source -> target`, or None."""
        pairs = self.language_pairs()
        for pair in pairs:
            if pair.source == source and pair.target == target:
                return pair
        return None

    @abstractmethod
    def translate_batch(self, segments: Sequence[Segment], source: str, target: str) -> list[str]:
        """Translate `segments` from `source` to `target`, returning one string per segment."""

    def missing_pair_hint(self, source: str, target: str) -> str:
        """What an operator can install or configure to serve this pair."""
        return f"configure an engine that serves {source} -> {target}"

    def close(self) -> None:  # noqa: B027 - engines without resources need not override
        """Release processes, connections and models."""


class AnyPairEngine(Engine):
    """An engine that serves every pair of valid BCP-47 tags (`language_pairs()` is empty)."""

    any_pair = True

    def language_pairs(self) -> list[LanguagePair]:
        return []

    def resolve_pair(self, source: str, target: str) -> LanguagePair | None:
        if parse_tag(source) is None or parse_tag(target) is None:
            return None
        return LanguagePair(source, target)
