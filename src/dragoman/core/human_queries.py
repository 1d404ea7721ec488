"""What translators read: the jobs they may take or hold, and one job as the workbench
shows it (segments with machine suggestion, TM match, glossary terms, placeholders, QA)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import Connection, select

from dragoman.content.terms import Glossary
from dragoman.core import human_pool, human_units, review
from dragoman.core.assets.glossary import terms_for
from dragoman.core.assets.tm import Match, Segment, TranslationMemory, pair_of
from dragoman.core.human_units import HumanJob
from dragoman.core.status import JobStatus
from dragoman.core.translators import Translator, pair_filter
from dragoman.store.review_tables import human_jobs, job_units
from dragoman.store.tables import jobs
from dragoman.timefmt import utcnow

PREVIEW_CHARS = 120
MAX_PAGE = 100
HELD = (JobStatus.IN_PROGRESS, JobStatus.REVISING)


@dataclass(frozen=True, slots=True)
class JobSummary:
    """A job in a translator's list."""

    id: str
    status: JobStatus
    source_locale: str
    target_locale: str
    tier: str
    unit_count: int
    preview: str
    ready_at: datetime | None


def list_jobs(
    conn: Connection,
    translator: Translator,
    which: Literal["available", "mine"],
    *,
    limit: int = 50,
    offset: int = 0,
) -> list[JobSummary]:
    """Available jobs of the translator's organization, tier and pairs offered to them
    (core/human_pool.py), oldest first; or (`mine`) the jobs they hold."""
    h = human_jobs.c
    query = select(h.job_id, jobs.c.status, h.source_locale, h.target_locale, h.tier,
                   h.unit_count, h.ready_at).join(jobs, jobs.c.id == h.job_id)  # fmt: skip
    if which == "available":
        query = query.where(
            h.org_id == translator.org_id,
            h.tier == str(translator.tier),
            jobs.c.status == JobStatus.AVAILABLE,
            pair_filter(translator.pairs, h.source_locale, h.target_locale),
            human_pool.offered_clause(translator, utcnow()),
        )
    else:
        query = query.where(h.assignee_id == translator.id, jobs.c.status.in_(HELD))
    rows = conn.execute(query.order_by(h.ready_at, h.job_id).limit(limit).offset(offset)).all()
    previews = _previews(conn, [r.job_id for r in rows])
    return [
        JobSummary(
            r.job_id, JobStatus(r.status), r.source_locale, r.target_locale, r.tier,
            r.unit_count, previews.get(r.job_id, ""), r.ready_at,
        )
        for r in rows
    ]  # fmt: skip


def _previews(conn: Connection, job_ids: list[str]) -> dict[str, str]:
    if not job_ids:
        return {}
    texts: dict[str, str] = {}
    rows = conn.execute(
        select(job_units.c.job_id, job_units.c.source)
        .where(job_units.c.job_id.in_(job_ids), job_units.c.segment <= 5)
        .order_by(job_units.c.job_id, job_units.c.segment)
    )
    for row in rows:
        joined = (texts.get(row.job_id, "") + " " + row.source).strip()
        texts[row.job_id] = joined
    return {
        job: text if len(text) <= PREVIEW_CHARS else text[: PREVIEW_CHARS - 1] + "\u2026"
        for job, text in texts.items()
    }


@dataclass(frozen=True, slots=True)
class SegmentView:
    """A segment with everything that helps translate it."""

    segment: human_units.Segment
    tm: Match | None
    terms: list[dict[str, Any]]
    placeholders: list[str]
    warnings: list[dict[str, str]]


@dataclass(frozen=True, slots=True)
class JobDetail:
    """One job as the translator works on it."""

    job: HumanJob
    segments: list[SegmentView]
    comments: list[review.Comment]


def glossary_of(conn: Connection, job: HumanJob) -> Glossary | None:
    """The organization's terms for the job's pair."""
    terms = terms_for(conn, job.org_id, job.source_locale, job.target_locale)
    return Glossary(terms) if terms else None


def job_detail(
    conn: Connection,
    translator: Translator,
    job_id: str,
    tm: Callable[[], TranslationMemory | None],
) -> JobDetail:
    """The job with its segments, their TM matches, glossary terms, placeholders and QA
    warnings, and its comments; NotFoundError when the translator may not see it."""
    job = review.translator_job(conn, translator, job_id)
    segments = human_units.load_segments(conn, job_id)
    glossary = glossary_of(conn, job)
    memory = tm()
    matches: list[Match | None] = [None] * len(segments)
    if memory is not None and segments:
        lookups = []
        previous: str | None = None
        for seg in segments:
            lookups.append(Segment(seg.source, key=seg.unit_id, previous=previous))
            previous = seg.source
        matches = memory.lookup(
            job.org_id, pair_of(job.source_locale, job.target_locale), lookups, touch=False
        )
    views = [
        SegmentView(
            seg,
            match,
            _terms(glossary, seg.source),
            human_units.placeholders(seg),
            human_units.qa_warnings(seg, glossary, job.max_chars),
        )
        for seg, match in zip(segments, matches, strict=True)
    ]
    return JobDetail(job, views, review.list_comments(conn, job_id))


def _terms(glossary: Glossary | None, source: str) -> list[dict[str, Any]]:
    if glossary is None:
        return []
    found: dict[str, dict[str, Any]] = {}
    for start, end, term in glossary.matches(source):
        found.setdefault(
            term.source,
            {
                "source": source[start:end],
                "target": term.target,
                "doNotTranslate": term.do_not_translate,
            },
        )
    return list(found.values())


def render_match(match: Match | None) -> list[dict[str, Any]]:
    """A TM match as the API lists it (none: an empty list)."""
    if match is None:
        return []
    return [{"source": match.source, "target": match.target, "score": match.score,
             "origin": str(match.origin)}]  # fmt: skip
