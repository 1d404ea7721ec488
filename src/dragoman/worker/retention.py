"""Retention: delete outputs, uploaded content, idempotency keys and old events when their
time is up. An expired job keeps a tombstone (`expired_at`), so reading it says so."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Column, ColumnElement, Table, delete, exists, select, update

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


def _batch(
    db: Database,
    table: Table,
    key: Column[Any],
    due: ColumnElement[bool],
    values: dict[str, Any] | None = None,
) -> int:
    """Update (with `values`) or delete up to BATCH rows of `table` that are `due`; picking
    the keys first keeps each statement bounded on both SQLite and PostgreSQL."""
    with db.write() as conn:
        keys = [row[0] for row in conn.execute(select(key).where(due).limit(BATCH))]
        if keys:
            chosen = key.in_(keys)
            statement = update(table).values(**values) if values else delete(table)
            conn.execute(statement.where(chosen))
    return len(keys)


def apply_retention(
    db: Database, settings: Settings, now: datetime | None = None
) -> RetentionReport:
    """One pass, at most BATCH rows per kind (the sweeper calls it again and again)."""
    now = now or utcnow()
    report = RetentionReport()

    def cutoff(hours: float) -> datetime:
        return now - timedelta(hours=hours)

    if settings.retention_output_hours:
        due = (
            jobs.c.status.in_(FINAL_STATES)
            & jobs.c.expired_at.is_(None)
            & (jobs.c.completed_at < cutoff(settings.retention_output_hours))
        )
        report.outputs = _batch(
            db, jobs, jobs.c.id, due, {"output": None, "issues": None, "expired_at": now}
        )
    if settings.retention_content_hours:
        unfinished = exists().where(
            jobs.c.group_id == job_groups.c.id, jobs.c.status.notin_(FINAL_STATES)
        )
        due = (
            job_groups.c.content_expired_at.is_(None)
            & (job_groups.c.created_at < cutoff(settings.retention_content_hours))
            & ~unfinished
        )
        report.contents = _batch(
            db, job_groups, job_groups.c.id, due,
            {"content": None, "hints": None, "content_expired_at": now},
        )  # fmt: skip
    if settings.retention_idempotency_hours:
        due = job_groups.c.idempotency_key.is_not(None) & (
            job_groups.c.created_at < cutoff(settings.retention_idempotency_hours)
        )
        report.idempotency_keys = _batch(
            db, job_groups, job_groups.c.id, due, {"idempotency_key": None}
        )
    if settings.retention_events_hours:
        old = cutoff(settings.retention_events_hours)
        report.events = _batch(db, events, events.c.seq, events.c.created_at < old)
        finished = (webhook_deliveries.c.status != "pending") & (
            webhook_deliveries.c.finished_at < old
        )
        report.deliveries = _batch(db, webhook_deliveries, webhook_deliveries.c.id, finished)
    return report
