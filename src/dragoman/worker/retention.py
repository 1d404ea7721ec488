"""Retention: delete outputs, uploaded content, idempotency keys and old events when their
time is up. An expired job keeps a tombstone (`expired_at`), so reading it says so."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, exists, select, update

from dragoman.core.status import FINAL
from dragoman.settings import Settings
from dragoman.store.db import Database
from dragoman.store.tables import events, job_groups, jobs, webhook_deliveries
from dragoman.timefmt import utcnow

BATCH = 1000
FINAL_STATES = [str(s) for s in FINAL]


@dataclass
class RetentionReport:
    """How many rows one pass changed, per kind."""

    outputs: int = 0
    contents: int = 0
    idempotency_keys: int = 0
    events: int = 0
    deliveries: int = 0


def apply_retention(
    db: Database, settings: Settings, now: datetime | None = None
) -> RetentionReport:
    """One pass, at most BATCH rows per kind (the sweeper calls it again and again)."""
    now = now or utcnow()
    report = RetentionReport()
    if settings.retention_output_hours:
        cutoff = now - timedelta(hours=settings.retention_output_hours)
        with db.write() as conn:
            ids = [
                r.id
                for r in conn.execute(
                    select(jobs.c.id)
                    .where(
                        jobs.c.status.in_(FINAL_STATES),
                        jobs.c.expired_at.is_(None),
                        jobs.c.completed_at < cutoff,
                    )
                    .limit(BATCH)
                )
            ]
            if ids:
                conn.execute(
                    update(jobs)
                    .where(jobs.c.id.in_(ids))
                    .values(output=None, issues=None, expired_at=now)
                )
        report.outputs = len(ids)
    if settings.retention_content_hours:
        cutoff = now - timedelta(hours=settings.retention_content_hours)
        unfinished = exists().where(
            jobs.c.group_id == job_groups.c.id, jobs.c.status.notin_(FINAL_STATES)
        )
        with db.write() as conn:
            ids = [
                r.id
                for r in conn.execute(
                    select(job_groups.c.id)
                    .where(
                        job_groups.c.content_expired_at.is_(None),
                        job_groups.c.created_at < cutoff,
                        ~unfinished,
                    )
                    .limit(BATCH)
                )
            ]
            if ids:
                conn.execute(
                    update(job_groups)
                    .where(job_groups.c.id.in_(ids))
                    .values(content=None, hints=None, content_expired_at=now)
                )
        report.contents = len(ids)
    if settings.retention_idempotency_hours:
        cutoff = now - timedelta(hours=settings.retention_idempotency_hours)
        with db.write() as conn:
            ids = [
                r.id
                for r in conn.execute(
                    select(job_groups.c.id)
                    .where(
                        job_groups.c.idempotency_key.is_not(None), job_groups.c.created_at < cutoff
                    )
                    .limit(BATCH)
                )
            ]
            if ids:
                conn.execute(
                    update(job_groups).where(job_groups.c.id.in_(ids)).values(idempotency_key=None)
                )
        report.idempotency_keys = len(ids)
    if settings.retention_events_hours:
        cutoff = now - timedelta(hours=settings.retention_events_hours)
        with db.write() as conn:
            seqs = [
                r.seq
                for r in conn.execute(
                    select(events.c.seq).where(events.c.created_at < cutoff).limit(BATCH)
                )
            ]
            if seqs:
                conn.execute(delete(events).where(events.c.seq.in_(seqs)))
            done = [
                r.id
                for r in conn.execute(
                    select(webhook_deliveries.c.id)
                    .where(
                        and_(
                            webhook_deliveries.c.status != "pending",
                            webhook_deliveries.c.finished_at < cutoff,
                        )
                    )
                    .limit(BATCH)
                )
            ]
            if done:
                conn.execute(delete(webhook_deliveries).where(webhook_deliveries.c.id.in_(done)))
        report.events, report.deliveries = len(seqs), len(done)
    return report
