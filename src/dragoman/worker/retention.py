"""Retention: delete outputs, uploaded content, idempotency keys and old events when their
time is up. An expired job keeps a tombstone (`expired_at`), so reading it says so."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Column, ColumnElement, Table, delete, exists, select, update

from dragoman.core.purge import delete_groups
from dragoman.core.status import FINAL
from dragoman.settings import Settings
from dragoman.store.blobs.base import BlobStore
from dragoman.store.db import Database
from dragoman.store.gengo_tables import gengo_file_quotes
from dragoman.store.tables import artifacts, events, job_groups, jobs, webhook_deliveries
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
    blobs: int = 0
    groups: int = 0  # deleted whole at their own `expires_at` (LanguageWire: 1 h after)
    quotes: int = 0  # Gengo file quotes never ordered


def _batch(
    db: Database,
    table: Table,
    key: Column[Any],
    due: ColumnElement[bool],
    values: dict[str, Any] | None = None,
    artifact: Column[Any] | None = None,
    blob_keys: list[str] | None = None,
) -> int:
    """Update (with `values`) or delete up to BATCH rows of `table` that are `due`; picking
    the keys first keeps each statement bounded on both SQLite and PostgreSQL. With
    `artifact`, the artifact rows those rows name go too, and their blob keys are collected
    into `blob_keys` (deleted after the commit; one a crash leaves behind is an orphan that
    `collect_orphan_blobs` removes)."""
    with db.write() as conn:
        picked = [key] if artifact is None else [key, artifact]
        rows = conn.execute(select(*picked).where(due).limit(BATCH)).all()
        keys = [row[0] for row in rows]
        if keys:
            chosen = key.in_(keys)
            statement = update(table).values(**values) if values else delete(table)
            conn.execute(statement.where(chosen))
            named = [row[1] for row in rows if artifact is not None and row[1] is not None]
            if named and blob_keys is not None:
                blob_keys.extend(
                    r.blob_key
                    for r in conn.execute(
                        select(artifacts.c.blob_key).where(artifacts.c.id.in_(named))
                    )
                    if r.blob_key
                )
                conn.execute(delete(artifacts).where(artifacts.c.id.in_(named)))
    return len(keys)


def apply_retention(
    db: Database,
    settings: Settings,
    now: datetime | None = None,
    *,
    blobs: BlobStore | None = None,
) -> RetentionReport:
    """One pass, at most BATCH rows per kind (the sweeper calls it again and again)."""
    now = now or utcnow()
    report = RetentionReport()
    dropped: list[str] = []

    def cutoff(hours: float) -> datetime:
        return now - timedelta(hours=hours)

    with db.write() as conn:
        expired = [
            r.id
            for r in conn.execute(
                select(job_groups.c.id).where(job_groups.c.expires_at < now).limit(BATCH)
            )
        ]
        dropped.extend(delete_groups(conn, expired))
    report.groups = len(expired)

    if settings.retention_output_hours:
        due = (
            jobs.c.status.in_(FINAL_STATES)
            & jobs.c.expired_at.is_(None)
            & (jobs.c.completed_at < cutoff(settings.retention_output_hours))
        )
        report.outputs = _batch(
            db,
            jobs,
            jobs.c.id,
            due,
            {"output": None, "issues": None, "expired_at": now, "output_artifact_id": None},
            artifact=jobs.c.output_artifact_id,
            blob_keys=dropped,
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
            {"content": None, "hints": None, "content_expired_at": now,
             "source_artifact_id": None},
            artifact=job_groups.c.source_artifact_id, blob_keys=dropped,
        )  # fmt: skip
        # Gengo file quotes never ordered (or whose ordered file is gone) go, file and all.
        quotes = gengo_file_quotes.c
        file_gone = ~exists().where(artifacts.c.id == quotes.artifact_id)
        due = (quotes.created_at < cutoff(settings.retention_content_hours)) & (
            quotes.ordered_at.is_(None) | file_gone
        )
        report.quotes = _batch(
            db, gengo_file_quotes, quotes.identifier, due, artifact=quotes.artifact_id,
            blob_keys=dropped,
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
    if blobs is not None:
        for blob_key in dropped:
            blobs.delete(blob_key)
        report.blobs = len(dropped)
    return report


def collect_orphan_outputs(db: Database, blobs: BlobStore, org_id: str) -> int:
    """Delete an organization's output blobs that no artifact row names once their job is
    final (a worker that lost its lease, or died between the bytes and the row, left them;
    a final job is fenced, so nothing will name them later)."""
    removed = 0
    for key in list(blobs.list_keys(f"{org_id}/out/")):
        parts = key.split("/")
        if len(parts) != 4:
            continue
        with db.read() as conn:
            job = conn.execute(select(jobs.c.status).where(jobs.c.id == parts[2])).first()
            named = conn.execute(select(artifacts.c.id).where(artifacts.c.blob_key == key)).first()
        if named is None and (job is None or job.status in FINAL_STATES):
            blobs.delete(key)
            removed += 1
    return removed
