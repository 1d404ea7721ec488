"""The identity engine: every target equals its source, for testing pipelines and formats."""

from __future__ import annotations

from collections.abc import Sequence

from dragoman.engines.base import AnyPairEngine, Segment


class IdentityEngine(AnyPairEngine):
    """Serves every pair of valid tags (`any_pair`) and returns each segment unchanged."""

    name = "identity"
    batch_size = 10_000

    def translate_batch(self, segments: Sequence[Segment], source: str, target: str) -> list[str]:
        return [segment.text for segment in segments]
