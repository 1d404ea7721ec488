"""Deleting groups whole: their jobs, events, deliveries, aliases and artifact rows, with the
blob keys returned so the caller deletes the bytes after the commit."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, delete, select

from dragoman.core import aliases
from dragoman.store.review_tables import (
    human_jobs,
    job_comments,
    job_feedback,
    job_revisions,
    job_units,
)
from dragoman.store.tables import artifacts, events, job_groups, jobs, webhook_deliveries


def delete_groups(conn: Connection, group_ids: Sequence[str]) -> list[str]:
    """Delete the groups and everything they own (the caller's write transaction); returns
    the blob keys of their files. A running job's result is fenced off: its row is gone."""
    ids = list(group_ids)
    if not ids:
        return []
    job_ids = [r.id for r in conn.execute(select(jobs.c.id).where(jobs.c.group_id.in_(ids)))]
    owned = artifacts.c.id.in_(
        select(jobs.c.output_artifact_id).where(jobs.c.group_id.in_(ids))
    ) | artifacts.c.id.in_(select(job_groups.c.source_artifact_id).where(job_groups.c.id.in_(ids)))
    owned = owned | artifacts.c.id.in_(  # delivered human revisions' files
        select(job_revisions.c.artifact_id).where(job_revisions.c.job_id.in_(job_ids))
    )
    keys = [
        r.blob_key for r in conn.execute(select(artifacts.c.blob_key).where(owned)) if r.blob_key
    ]
    conn.execute(delete(artifacts).where(owned))
    conn.execute(delete(webhook_deliveries).where(webhook_deliveries.c.group_id.in_(ids)))
    conn.execute(delete(events).where(events.c.group_id.in_(ids)))
    aliases.forget(conn, ids + job_ids)
    for table in (human_jobs, job_units, job_revisions, job_comments, job_feedback):
        conn.execute(delete(table).where(table.c.job_id.in_(job_ids)))
    conn.execute(delete(jobs).where(jobs.c.id.in_(job_ids)))
    conn.execute(delete(job_groups).where(job_groups.c.id.in_(ids)))
    return keys
