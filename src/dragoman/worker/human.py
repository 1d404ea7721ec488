"""A human job's machine part: exact matches from the translation memory, then a draft by
the engine its options name (or none) for the rest; write its segments and make it available
to translators (`machine.done`, workflow human)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

from dragoman.core import human_units
from dragoman.core.engine_records import EngineRecord, default_engine, get_engine
from dragoman.core.human_units import HumanSpec
from dragoman.core.transitions import ClaimedJob
from dragoman.core.translators import Tier
from dragoman.engines.base import Segment
from dragoman.engines.human import DEFAULT_PRETRANSLATION, HumanEngine, HumanOptions
from dragoman.errors import NotFoundError
from dragoman.worker import stages

if TYPE_CHECKING:
    from dragoman.worker.pipeline import JobRunner

log = logging.getLogger(__name__)


def pretranslation_engine(
    runner: JobRunner, job: ClaimedJob, name: str | None
) -> EngineRecord | None:
    """The machine engine that drafts a human job: the organization's default, a named
    engine of the organization, or none (a human engine never drafts for another)."""
    if name is None:
        return None
    with runner.db.write() as conn:  # the default engine is created on first use
        try:
            if name == DEFAULT_PRETRANSLATION:
                record = default_engine(conn, job.org_id, runner.settings.default_engine_provider)
            else:
                record = get_engine(conn, job.org_id, name)
        except NotFoundError:
            log.warning("job %s: pre-translation engine %s not found; none used", job.id, name)
            return None
    return None if record.provider == HumanEngine.name else record


def prepare(runner: JobRunner, job: ClaimedJob) -> None:
    """Draft the job by machine when its engine says so, then make it available."""
    options = HumanOptions.model_validate(job.engine_options)
    source = runner._load(job)
    # The organization's 101%/100% matches first: translators start from them, the engine
    # drafts only what the memory does not hold.
    units = runner.tm.apply(job, source.extraction.units).units
    failed = 0
    record = pretranslation_engine(runner, job, options.pretranslate)
    if record is not None:
        engine = runner.engines.get(record.provider, record.options)
        if engine.supports(job.source_locale, job.target_locale):
            batch = min(engine.batch_size, runner.settings.engine_batch_size)

            def translate(segments: Sequence[Segment]) -> list[str]:
                out: list[str] = []
                for start in range(0, len(segments), batch):
                    part = segments[start : start + batch]
                    out.extend(engine.translate_batch(part, job.source_locale, job.target_locale))
                return out

            translated = stages.translate_units(
                units,
                translate,
                source_locale=job.source_locale,
                target_locale=job.target_locale,
                hints=stages.unit_hints(source, job.hints, engine.uses_hints),
                origin=f"mt:{engine.name}",
                glossary=runner._glossary(job),
            )
            units, failed = translated.units, translated.failed
        else:  # people translate any pair: they start from empty targets
            log.info("job %s: %s does not serve the pair; no pre-translation", job.id, record.name)
    rows = human_units.segment_rows(job.id, units, job.target_locale)
    spec = HumanSpec(
        tier=Tier(options.tier),
        auto_approve=options.auto_approve,
        review_hours=options.auto_approve_hours,
    )
    with runner.db.write() as conn:
        done = human_units.make_available(
            conn, job.id, runner.owner, rows, spec,
            source_locale=job.source_locale, units_failed=failed,
        )  # fmt: skip
    if not done:
        log.info("job %s was pre-translated after its lease was lost; result dropped", job.id)
    runner.notify()
