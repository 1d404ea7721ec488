"""Deleting groups whole: their jobs, events, deliveries, aliases, artifact rows, human work
and Gengo rows, with the blob keys returned so the caller deletes the bytes after the commit."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, delete, func, select, update

from dragoman.core import aliases
from dragoman.store.gengo_tables import (
    gengo_file_quotes,
    gengo_jobs,
    gengo_order_comments,
    gengo_orders,
)
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
    sources = select(job_groups.c.source_artifact_id).where(job_groups.c.id.in_(ids))
    shared = select(job_groups.c.source_artifact_id).where(  # named by a group that stays
        job_groups.c.source_artifact_id.in_(sources), job_groups.c.id.not_in(ids)
    )
    owned = artifacts.c.id.in_(
        select(jobs.c.output_artifact_id).where(jobs.c.group_id.in_(ids))
    ) | (artifacts.c.id.in_(sources) & artifacts.c.id.not_in(shared))
    owned = owned | artifacts.c.id.in_(  # delivered human revisions' files
        select(job_revisions.c.artifact_id).where(job_revisions.c.job_id.in_(job_ids))
    )
    keys = [
        r.blob_key for r in conn.execute(select(artifacts.c.blob_key).where(owned)) if r.blob_key
    ]
    conn.execute(  # a Gengo file quote that was ordered: its file goes with the group
        delete(gengo_file_quotes).where(
            gengo_file_quotes.c.artifact_id.in_(select(artifacts.c.id).where(owned))
        )
    )
    conn.execute(delete(artifacts).where(owned))
    conn.execute(delete(webhook_deliveries).where(webhook_deliveries.c.group_id.in_(ids)))
    conn.execute(delete(events).where(events.c.group_id.in_(ids)))
    aliases.forget(conn, ids + job_ids)
    for table in (human_jobs, job_units, job_revisions, job_comments, job_feedback):
        conn.execute(delete(table).where(table.c.job_id.in_(job_ids)))
    _delete_gengo_jobs(conn, job_ids)
    conn.execute(delete(jobs).where(jobs.c.id.in_(job_ids)))
    conn.execute(delete(job_groups).where(job_groups.c.id.in_(ids)))
    return keys


def _delete_gengo_jobs(conn: Connection, job_ids: list[str]) -> None:
    """Delete the jobs' Gengo rows; orders that listed them lose them, and an order left
    with no job goes (with its comments and integer id). An order made only of duplicates
    lists other orders' jobs, made within minutes after them: orders of those
    organizations since the earliest purged job are the ones that can list them."""
    found = conn.execute(
        select(gengo_jobs.c.org_id, func.min(gengo_jobs.c.created_at))
        .where(gengo_jobs.c.job_id.in_(job_ids))
        .group_by(gengo_jobs.c.org_id)
    ).all()
    if not found:
        return
    conn.execute(delete(gengo_jobs).where(gengo_jobs.c.job_id.in_(job_ids)))
    gone = set(job_ids)
    emptied: list[str] = []
    for org_id, since in found:
        orders = conn.execute(
            select(gengo_orders.c.id, gengo_orders.c.job_ids).where(
                gengo_orders.c.org_id == org_id, gengo_orders.c.created_at >= since
            )
        ).all()
        for order_id, listed in orders:
            kept = [i for i in listed or [] if i not in gone]
            if len(kept) == len(listed or []):
                continue
            if kept:
                conn.execute(
                    update(gengo_orders).where(gengo_orders.c.id == order_id).values(job_ids=kept)
                )
            else:
                emptied.append(order_id)
    if emptied:
        conn.execute(
            delete(gengo_order_comments).where(gengo_order_comments.c.order_id.in_(emptied))
        )
        conn.execute(delete(gengo_orders).where(gengo_orders.c.id.in_(emptied)))
        aliases.forget(conn, emptied)
