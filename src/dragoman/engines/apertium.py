"""Apertium, rule-based and offline: one warm null-flush pipeline per installed mode."""

from __future__ import annotations

import copy
import itertools
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

from pydantic import Field

from dragoman.engines import apertium_stream as stream
from dragoman.engines.apertium_pipeline import (
    ApertiumPipeline,
    PipelineFailedError,
    find_modes_dir,
    mode_commands,
    terminate_all,
)
from dragoman.engines.base import Engine, EngineOptions, LanguagePair, Segment, has_words
from dragoman.engines.languages import Direction, best_direction, package_hint, parse_mode_name
from dragoman.errors import EngineError, EngineUnavailableError, UnsupportedLanguagePairError
from dragoman.settings import Settings


class ApertiumOptions(EngineOptions):
    """How the Apertium engine translates."""

    mark_unknown: bool = Field(False, description="Prefix unknown words with `*`.")
    timeout_seconds: float = Field(
        30.0, gt=0, le=600, description="A pipeline silent this long is killed and restarted."
    )


class ApertiumEngine(Engine):
    """Translates through the Apertium modes installed on this machine."""

    name = "apertium"
    batch_size = 2000
    options_model = ApertiumOptions
    # Only these options change the pipelines' programs; engines differing in the others
    # (timeout_seconds) share one set of warm pipelines in the pool.
    backend_options: ClassVar[frozenset[str]] = frozenset({"mark_unknown"})

    def __init__(
        self,
        options: EngineOptions | None = None,
        *,
        apertium_path: str = "apertium",
        modes_dir: Path | None = None,
        pipelines_per_mode: int = 2,
        **settings: Any,
    ) -> None:
        super().__init__(options)
        self.config = ApertiumOptions.model_validate(self.options.model_dump())
        self.apertium_path = apertium_path
        self.modes_dir = find_modes_dir(apertium_path, modes_dir)
        self._lock = threading.Lock()
        # Warm pipelines per mode: concurrent calls on one pair (jobs, /process requests) run
        # side by side on the machine's cores instead of queueing behind one pipeline.
        self.pipelines_per_mode = max(1, pipelines_per_mode)
        self._pipelines: dict[str, list[ApertiumPipeline]] = {}
        self._turn = itertools.count()
        self._directions: list[Direction] | None = None

    @classmethod
    def from_settings(cls, options: EngineOptions, settings: Settings) -> ApertiumEngine:
        return cls(
            options,
            apertium_path=settings.apertium_path,
            modes_dir=settings.apertium_modes_dir,
            pipelines_per_mode=settings.apertium_pipelines_per_mode,
        )

    def with_options(self, options: EngineOptions) -> ApertiumEngine:
        """This engine with other non-shaping options, sharing its pipelines (never closed)."""
        view = copy.copy(self)  # shallow: the lock and the pipelines dict stay shared
        view.options = options
        view.config = ApertiumOptions.model_validate(options.model_dump())
        if view.config.mark_unknown != self.config.mark_unknown:
            raise ValueError("mark_unknown shapes the pipelines; it needs its own engine")
        return view

    def directions(self) -> list[Direction]:
        """The installed modes that translate, read once per engine."""
        if self._directions is None:
            modes = sorted(self.modes_dir.glob("*.mode")) if self.modes_dir else []
            parsed = (parse_mode_name(path.stem) for path in modes)
            self._directions = [direction for direction in parsed if direction]
        return self._directions

    def language_pairs(self) -> list[LanguagePair]:
        pairs = (LanguagePair(d.source.tag, d.target.tag) for d in self.directions())
        return list(dict.fromkeys(pairs))

    def resolve_pair(self, source: str, target: str) -> LanguagePair | None:
        direction = best_direction(self.directions(), source, target)
        return LanguagePair(direction.source.tag, direction.target.tag) if direction else None

    def missing_pair_hint(self, source: str, target: str) -> str:
        hint = package_hint(source, target)
        if self.modes_dir is None:
            return f"Apertium is not installed here: apt-get install apertium, then {hint}"
        return hint

    def translate_batch(self, segments: Sequence[Segment], source: str, target: str) -> list[str]:
        results = [segment.text for segment in segments]
        todo = [(i, stream.split_edges(text)) for i, text in enumerate(results)]
        todo = [(i, edges) for i, edges in todo if has_words(edges[1])]
        direction = best_direction(self.directions(), source, target)
        if direction is None:
            raise UnsupportedLanguagePairError(
                f"Apertium cannot translate {source} -> {target} here; "
                f"{self.missing_pair_hint(source, target)}"
            )
        if not todo:
            return results
        translated = self._run(direction.mode, [core for _, (_, core, _) in todo])
        for (i, (lead, core, trail)), text in zip(todo, translated, strict=True):
            # Edges are ours to restore: Apertium leaves a blank where it drops a pronoun.
            results[i] = (
                lead
                + stream.keep_initial_case(core, stream.tidy_blanks(core, text.strip()))
                + trail
            )
        return results

    def _run(self, mode: str, cores: list[str]) -> list[str]:
        payload = stream.encode_batch(cores)
        timeout = self.config.timeout_seconds  # this engine's, though the pipeline is shared
        pipeline = self._take(mode)
        try:
            try:
                output = pipeline.run(payload, stream.BOUNDARY, len(cores), timeout)
            except PipelineFailedError:
                try:  # restarted once; a second failure is the operator's to see
                    output = pipeline.run(payload, stream.BOUNDARY, len(cores), timeout)
                except PipelineFailedError as exc:
                    raise EngineError(f"{exc}; it failed twice in a row, giving up") from exc
        finally:
            pipeline.lock.release()
        translated = stream.decode_output(output.decode("utf-8", "replace"))
        if len(translated) != len(cores):
            raise EngineError(
                f"Apertium mode {mode} returned {len(translated)} segments for {len(cores)}"
            )
        return translated

    def _take(self, mode: str) -> ApertiumPipeline:
        """A pipeline of `mode` with its lock held: an idle one, else a new one while the
        mode has fewer than `pipelines_per_mode`, else the next in turn (waiting for it)."""
        with self._lock:
            pool = self._pipelines.setdefault(mode, [])
            for pipeline in pool:
                if pipeline.lock.acquire(blocking=False):
                    return pipeline
            if len(pool) < self.pipelines_per_mode:
                if self.modes_dir is None:
                    raise EngineUnavailableError(self.missing_pair_hint("en", "es"))
                commands = mode_commands(
                    self.modes_dir / f"{mode}.mode", mark_unknown=self.config.mark_unknown
                )
                pipeline = ApertiumPipeline(mode, commands, self.config.timeout_seconds)
                pipeline.lock.acquire()
                pool.append(pipeline)
                return pipeline
            chosen = pool[next(self._turn) % len(pool)]
        chosen.lock.acquire()
        return chosen

    def close(self) -> None:
        with self._lock:
            pools, self._pipelines = list(self._pipelines.values()), {}
        terminate_all([pipeline for pool in pools for pipeline in pool])
