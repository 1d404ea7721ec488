"""What follows an approval outside its transaction: approved human segments go to the
translation memory; and the sweeper's pass that approves jobs whose review time is up
(restart-safe: the deadline is a column, `human_jobs.review_due_at`)."""

from __future__ import annotations

import logging

from dragoman.core import human_units, review
from dragoman.core.assets.tm import Segment, TranslationMemory, pair_of
from dragoman.core.assets.tm_index import for_database
from dragoman.core.assets.tm_index.base import Origin
from dragoman.errors import InvalidTransitionError, NotFoundError
from dragoman.store.db import Database
from dragoman.timefmt import utcnow

log = logging.getLogger(__name__)


def record_approved(db: Database, job_id: str, tm: TranslationMemory | None = None) -> int:
    """Store an approved job's segments in its organization's TM as human work; returns
    how many entries were new."""
    with db.read() as conn:
        job = human_units.get_human_job(conn, job_id)
        segments = human_units.load_segments(conn, job_id)
    memory = tm or TranslationMemory(for_database(db))
    items: list[tuple[Segment, str]] = []
    previous: str | None = None
    for seg in segments:
        if seg.target and seg.target.strip():
            key = seg.unit_id if seg.category is None else f"{seg.unit_id}[{seg.category}]"
            items.append((Segment(seg.source, key=key, previous=previous), seg.target))
        previous = seg.source
    return memory.record(
        job.org_id, pair_of(job.source_locale, job.target_locale), items, Origin.HUMAN
    )


def approve_due(db: Database, *, limit: int = 100) -> list[str]:
    """Approve the reviewable jobs whose review deadline passed, each in its own
    transaction (a job the customer handled meanwhile is skipped); returns their ids."""
    with db.read() as conn:
        due = review.due_for_approval(conn, utcnow(), limit)
    approved: list[str] = []
    for job_id in due:
        try:
            with db.write() as conn:
                review.approve(conn, None, job_id)
        except (InvalidTransitionError, NotFoundError):
            continue
        approved.append(job_id)
        try:
            record_approved(db, job_id)
        except Exception:  # the approval stands; the TM misses these entries
            log.exception("recording approved job %s in the TM failed", job_id)
    if approved:
        log.info("approved %d job(s) whose review time was up", len(approved))
    return approved
