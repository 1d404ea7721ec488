"""Synchronous translation of a small JSON object (Lingo.dev's `/process/localize`): the job
pipeline's content steps without a job, on a bounded pool of threads, with a per-organization
limit so that a burst from one client slows neither job processing nor other organizations."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import anyio
import anyio.to_thread

from dragoman.content import langid
from dragoman.content.formats.structured import check_shape, format_path, replace_strings
from dragoman.content.model import Unit, UnitState
from dragoman.content.terms import Glossary, translate_with
from dragoman.content.units import TranslateFn, translate_strings
from dragoman.core import inline_content as content
from dragoman.core import text_checks
from dragoman.core.assets.glossary import terms_for
from dragoman.core.assets.tm import TranslationMemory
from dragoman.core.assets.tm_apply import apply_matches, job_pair
from dragoman.core.assets.tm_index import for_database
from dragoman.core.engine_records import EngineRecord, default_engine, get_engine, list_engines
from dragoman.core.locales import normalize_locale
from dragoman.core.orgs import Organization
from dragoman.engines.base import Engine, Segment
from dragoman.errors import (
    EngineError,
    PayloadTooLargeError,
    RateLimitedError,
    ServiceUnavailableError,
    UnsupportedLanguagePairError,
    ValidationError,
)
from dragoman.settings import Settings

if TYPE_CHECKING:
    from dragoman.engines.registry import EnginePool
    from dragoman.store.db import Database


@dataclass(frozen=True, slots=True)
class InlineRequest:
    """One synchronous translation: a JSON object from one locale (None: detect it) into one."""

    source_locale: str | None
    target_locale: str
    data: Any
    reference: Mapping[str, Any] | None = None
    hints: Mapping[str, Sequence[str]] | None = None
    engine_id: str | None = None
    changed_only: bool = False  # the client sends only new and changed keys (Lingo.dev's CLI)


@dataclass(frozen=True, slots=True)
class InlineResult:
    """The translated object and how it was made."""

    data: Any
    source_locale: str
    translated: int  # strings the engine translated
    reused: int  # strings the reference translations (and the TM) answered
    issues: list[dict[str, object]] = field(default_factory=list)
    from_tm: int = 0  # of `reused`: strings the translation memory answered


class OrgGates:
    """At most `running` synchronous translations per organization, `waiting` more queued;
    beyond that RateLimitedError (429, Retry-After). Waiting costs a coroutine, no thread."""

    def __init__(self, running: int, waiting: int) -> None:
        self.running = running
        self.waiting = waiting
        self._gates: dict[str, _Gate] = {}

    @asynccontextmanager
    async def enter(self, org_id: str) -> AsyncIterator[None]:
        gate = self._gates.get(org_id)
        if gate is None:
            gate = self._gates[org_id] = _Gate(anyio.Semaphore(self.running))
        try:
            gate.semaphore.acquire_nowait()
        except anyio.WouldBlock:
            await self._wait(gate)
        try:
            yield
        finally:
            gate.semaphore.release()
            if gate.queued == 0 and gate.semaphore.value == self.running:
                self._gates.pop(org_id, None)  # idle: an organization costs nothing at rest

    async def _wait(self, gate: _Gate) -> None:
        if gate.queued >= self.waiting:
            raise RateLimitedError(
                f"this organization already has {self.running} synchronous translations "
                f"running and {gate.queued} waiting (DRAGOMAN_PROCESS_CONCURRENCY_PER_ORG, "
                "DRAGOMAN_PROCESS_QUEUE_PER_ORG); retry shortly",
                retry_after=1,
            )
        gate.queued += 1
        try:
            await gate.semaphore.acquire()
        finally:
            gate.queued -= 1


@dataclass(slots=True)
class _Gate:
    semaphore: anyio.Semaphore
    queued: int = 0


class InlineService:
    """Translates requests synchronously through the organization's engine."""

    _RECORD_TTL = 2.0  # seconds an engine record is reused (a new default shows within it)

    def __init__(self, settings: Settings, db: Database, engines: EnginePool) -> None:
        self.settings = settings
        self.db = db
        self.engines = engines
        self.gates = OrgGates(settings.process_concurrency_per_org, settings.process_queue_per_org)
        self._threads = anyio.CapacityLimiter(settings.process_threads)
        self._records: dict[tuple[str, str | None], tuple[float, EngineRecord]] = {}
        self._terms: dict[tuple[str, str, str], tuple[float, Glossary | None]] = {}
        self._tm: TranslationMemory | None = None

    async def localize(self, org: Organization, request: InlineRequest) -> InlineResult:
        """`request.data` translated; 429 beyond the organization's concurrency."""
        async with self.gates.enter(org.id):
            return await anyio.to_thread.run_sync(
                self._localize, org, request, limiter=self._threads
            )

    async def recognize(self, org: Organization, text: str) -> str | None:
        """The language of `text`, among those the organization's default engine serves."""
        async with self.gates.enter(org.id):
            return await anyio.to_thread.run_sync(self._recognize, org, text, limiter=self._threads)

    def _localize(self, org: Organization, request: InlineRequest) -> InlineResult:
        target = normalize_locale(request.target_locale, field="targetLocale")
        check_shape(
            request.data,
            max_depth=self.settings.max_data_depth,
            max_strings=self.settings.max_data_strings,
        )
        text_checks.check_tree(request.data, "data")  # NULs, lone surrogates: 422, not 500
        text_checks.check_tree(request.reference, "reference")
        hints = content.check_hints(request.hints)
        leaves = content.Leaves.of(request.data)
        words = content.analyze(leaves.texts).words
        if words > self.settings.process_max_words:
            raise PayloadTooLargeError(
                f"data holds {words} words; the limit per synchronous request is "
                f"{self.settings.process_max_words} (DRAGOMAN_PROCESS_MAX_WORDS): send fewer "
                "keys per request, or submit a job (POST /jobs/localization)",
                field="data",
                words=words,
                limit=self.settings.process_max_words,
            )
        tables = content.reference_tables(request.reference)
        engine = self._engine(org, request.engine_id)
        source = self._source(request.source_locale, target, leaves.texts, engine)
        if source == target or not leaves.texts:
            return InlineResult(request.data, source, 0, 0)
        if not engine.supports(source, target):
            raise ValidationError(
                f"no engine of this organization translates {source} -> {target} "
                f"({engine.name} engine: {engine.missing_pair_hint(source, target)})",
                field="targetLocale",
            )
        known = content.known_answers(
            leaves, tables, source, target, changed_only=request.changed_only
        )
        todo = [i for i in range(len(leaves.texts)) if i not in known]
        from_tm = self._tm_answers(org.id, source, target, leaves, todo)
        known.update(from_tm)
        todo = [i for i in todo if i not in from_tm]
        crumbs = content.leaf_hints(
            leaves, hints, tables, source, with_references=engine.uses_hints
        )
        texts = [leaves.texts[i] for i in todo]
        translator = self._translator(engine, source, target)
        result, missing_terms = translate_with(
            self._glossary(org.id, source, target),
            texts,
            lambda marked: translate_strings(
                marked,
                translator,
                source_locale=source,
                target_locale=target,
                hints=[crumbs[i] for i in todo] if crumbs is not None else None,
            ),
        )
        new = {leaves.paths[i]: text for i, text in known.items()}
        new.update((leaves.paths[i], text) for i, text in zip(todo, result.texts, strict=True))
        issues: list[dict[str, object]] = [
            {"key": ".".join(map(str, leaves.paths[todo[x.index]])), "message": x.message}
            for x in result.issues
        ]
        issues += [
            {"key": ".".join(map(str, leaves.paths[todo[x.index]])), "message": x.message}
            for x in missing_terms
        ]
        return InlineResult(
            replace_strings(request.data, new), source, len(todo), len(known), issues,
            len(from_tm),
        )  # fmt: skip

    def _tm_answers(
        self, org_id: str, source: str, target: str, leaves: content.Leaves, todo: list[int]
    ) -> dict[int, str]:
        """Leaves the organization's translation memory answers exactly (101%, 100%, and
        99% where only placeholders differ), by leaf index: one look-up per request."""
        pair = job_pair(source, target)
        if pair is None or not todo:
            return {}
        units = [Unit(id=format_path(leaves.paths[i]), source=leaves.texts[i]) for i in todo]
        applied = apply_matches(self.tm, org_id, pair, units)
        return {
            index: unit.target
            for index, unit in zip(todo, applied.units, strict=True)
            if unit.state is UnitState.TM_EXACT and unit.target is not None
        }

    @property
    def tm(self) -> TranslationMemory:
        """The translation memory, built on first use (its index may read the database)."""
        if self._tm is None:
            self._tm = TranslationMemory(for_database(self.db))
        return self._tm

    def _glossary(self, org_id: str, source: str, target: str) -> Glossary | None:
        """The organization's terms for the pair, read at most every _RECORD_TTL seconds."""
        key = (org_id, source, target)
        now = time.monotonic()
        cached = self._terms.get(key)
        if cached is not None and cached[0] > now:
            return cached[1]
        with self.db.read() as conn:
            terms = terms_for(conn, org_id, source, target)
        glossary = Glossary(terms) if terms else None
        if len(self._terms) > 10_000:
            self._terms.clear()
        self._terms[key] = (now + self._RECORD_TTL, glossary)
        return glossary

    def _translator(self, engine: Engine, source: str, target: str) -> TranslateFn:
        """One engine round trip per call for up to a batch (25 keys: one round trip)."""
        batch = min(engine.batch_size, self.settings.engine_batch_size)

        def translate(segments: Sequence[Segment]) -> list[str]:
            out: list[str] = []
            try:
                for start in range(0, len(segments), batch):
                    out.extend(
                        engine.translate_batch(segments[start : start + batch], source, target)
                    )
            except UnsupportedLanguagePairError as exc:
                raise ValidationError(exc.message, field="targetLocale") from None
            except (EngineError, OSError) as exc:  # OSError: a backend's pipe broke
                why = exc.message if isinstance(exc, EngineError) else type(exc).__name__
                raise ServiceUnavailableError(
                    f"the {engine.name} engine failed: {why}; retry shortly", retry_after=1
                ) from None
            return out

        return translate

    def _source(self, tag: str | None, target: str, texts: Sequence[str], engine: Engine) -> str:
        """The request's source locale, or the language detected among the engine's sources
        into `target` when it sent none."""
        if tag is not None and tag != "auto":
            return normalize_locale(tag, field="sourceLocale")
        candidates = None
        if not engine.any_pair:
            candidates = [
                pair.source
                for pair in engine.language_pairs()
                if engine.resolve_pair(pair.source, target) is not None
            ]
        found = langid.detect_locale(texts, candidates, high_accuracy=True)
        if found is None:
            if not any(ch.isalpha() for text in texts for ch in text):
                return target  # nothing to translate: the data comes back as it is
            raise ValidationError(
                "sourceLocale is null and the language of data could not be told among the "
                f"languages this organization's engine translates into {target}; send sourceLocale",
                field="sourceLocale",
            )
        return found

    def _recognize(self, org: Organization, text: str) -> str | None:
        engine = self._engine(org, None)
        candidates = None
        if not engine.any_pair:
            pairs = engine.language_pairs()
            candidates = sorted({p.source for p in pairs} | {p.target for p in pairs})
        return langid.detect_locale([text], candidates, high_accuracy=True)

    def _engine(self, org: Organization, engine_id: str | None) -> Engine:
        record = self._record(org.id, engine_id)
        return self.engines.get(record.provider, record.options)

    def _record(self, org_id: str, engine_id: str | None) -> EngineRecord:
        """The engine a request names or the organization's default, read at most every
        _RECORD_TTL seconds (a 25-key request should not cost a database round trip)."""
        key = (org_id, engine_id)
        now = time.monotonic()
        cached = self._records.get(key)
        if cached is not None and cached[0] > now:
            return cached[1]
        record: EngineRecord | None
        with self.db.read() as conn:
            if engine_id is not None:
                record = get_engine(conn, org_id, engine_id)
            else:
                defaults = (r for r in list_engines(conn, org_id) if r.is_default)
                record = next(defaults, None)
        if record is None:  # the organization's first use: create its default engine
            with self.db.write() as conn:
                record = default_engine(conn, org_id, self.settings.default_engine_provider)
        if len(self._records) > 10_000:
            self._records.clear()
        self._records[key] = (now + self._RECORD_TTL, record)
        return record
