"""The `human` provider: jobs go to people. It translates nothing itself; the worker runs
the pre-translation engine its options name (or none), then makes the job available to the
organization's translators of its tier and pair."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar, Literal

from pydantic import Field

from dragoman.engines.base import AnyPairEngine, EngineOptions, Segment
from dragoman.errors import EngineError

DEFAULT_PRETRANSLATION = "default"


class HumanOptions(EngineOptions):
    """Tier, pre-translation and approval of a human engine."""

    tier: Literal["standard", "pro"] = "standard"
    # "default": the organization's default (machine) engine; an engine id (`eng_...`) of
    # the organization; None: translators start from empty targets.
    pretranslate: str | None = Field(DEFAULT_PRETRANSLATION, max_length=64)
    auto_approve: bool = False  # a delivery completes the job without review
    # A reviewable job is approved this long after delivery (None: the server's setting).
    auto_approve_hours: float | None = Field(None, gt=0, le=24 * 365)


class HumanEngine(AnyPairEngine):
    """People translate; any pair of valid tags can be ordered."""

    name: ClassVar[str] = "human"
    options_model: ClassVar[type[EngineOptions]] = HumanOptions

    def translate_batch(self, segments: Sequence[Segment], source: str, target: str) -> list[str]:
        raise EngineError("a human engine does not translate by machine: translators do")
