"""The identity engine: every target equals its source, for testing pipelines and formats."""

from __future__ import annotations

from collections.abc import Sequence

from dragoman.engines.base import Engine, LanguagePair, Segment
from dragoman.engines.languages import parse_tag


class IdentityEngine(Engine):
    """Serves every pair of valid tags (`any_pair`) and returns each segment unchanged."""

    name = "identity"
    batch_size = 10_000
    any_pair = True

    def language_pairs(self) -> list[LanguagePair]:
        return []

    def resolve_pair(self, source: str, target: str) -> LanguagePair | None:
        if parse_tag(source) is None or parse_tag(target) is None:
            return None
        return LanguagePair(source, target)

    def translate_batch(self, segments: Sequence[Segment], source: str, target: str) -> list[str]:
        return [segment.text for segment in segments]
