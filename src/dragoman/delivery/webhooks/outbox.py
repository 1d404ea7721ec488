"""The `webhook_deliveries` table: rows written with their event, claimed with a lease,
attempted, and finished as delivered or failed (mirrored into `jobs.callback_status`)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, func, insert, or_, select, update

from dragoman.store.tables import (
    events,
    job_groups,
    jobs,
    webhook_deliveries,
    webhook_disabled_urls,
)

# One delivery per job as it reaches a final state, one per group when all its jobs are final.
WEBHOOK_EVENTS = frozenset({"job.completed", "job.failed", "job.cancelled", "group.completed"})
# Delivered only to groups whose per-event callbacks name them (Lingo24's quoted job and
# finished project) and Gengo's status changes and comments.
NAMED_ONLY_EVENTS = frozenset({
    "job.quoted", "project.finished", "job.available", "job.in_progress", "job.reviewable",
    "job.revising", "job.comment",
})  # fmt: skip
D = webhook_deliveries.c


@dataclass(frozen=True, slots=True)
class Delivery:
    """A claimed delivery: what to send, where, and how many attempts it has had."""

    id: str
    org_id: str
    group_id: str
    job_id: str | None
    event_type: str
    url: str
    body: str | None
    attempts: int
    first_attempt_at: datetime | None
    lease_owner: str


def event_payload(conn: Connection, delivery: Delivery) -> dict[str, Any]:
    """The payload of the event a delivery carries (a delivery's id is its event's id)."""
    payload = conn.execute(select(events.c.payload).where(events.c.id == delivery.id)).scalar()
    return dict(payload or {})


def callback_targets(callback_url: str | None, callbacks: Any) -> dict[str, str]:
    """Event type -> URL for a group: its per-event callbacks when it has them (a surface's
    callback profile, such as LanguageWire's success and error URLs), else its one
    callback URL for every webhook event."""
    if callbacks is not None:
        return {event: url for event, url in dict(callbacks).items() if url}
    return dict.fromkeys(WEBHOOK_EVENTS, callback_url) if callback_url else {}


def _own_comment(row: dict[str, Any]) -> bool:
    """A comment the customer wrote: they are not called back about it."""
    return row["type"] == "job.comment" and (row.get("payload") or {}).get("author") == "customer"


def enqueue(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Insert a delivery for each webhook-worthy event row whose group has a callback URL
    for it (in the event's own transaction, so a committed state change always gets its
    webhook)."""
    wanted = [
        r
        for r in rows
        if (r["type"] in WEBHOOK_EVENTS or r["type"] in NAMED_ONLY_EVENTS)
        and r["group_id"]
        and not _own_comment(r)
    ]
    if not wanted:
        return
    group_ids = {r["group_id"] for r in wanted}
    targets = {
        g.id: callback_targets(g.callback_url, g.callbacks)
        for g in conn.execute(
            select(job_groups.c.id, job_groups.c.callback_url, job_groups.c.callbacks).where(
                job_groups.c.id.in_(group_ids)
            )
        )
    }
    urls = {
        (r["group_id"], r["type"]): targets.get(r["group_id"], {}).get(r["type"]) for r in wanted
    }
    if not any(urls.values()):
        return
    disabled = {
        (d.org_id, d.url)
        for d in conn.execute(
            select(webhook_disabled_urls.c.org_id, webhook_disabled_urls.c.url).where(
                webhook_disabled_urls.c.url.in_({u for u in urls.values() if u})
            )
        )
    }
    values = []
    for r in wanted:
        url = urls.get((r["group_id"], r["type"]))
        if url is None:
            continue
        off = (r["org_id"], url) in disabled
        values.append({
            "id": r["id"], "org_id": r["org_id"], "group_id": r["group_id"],
            "job_id": r["job_id"], "event_type": r["type"], "url": url, "body": None,
            "status": "failed" if off else "pending", "attempts": 0,
            "next_attempt_at": r["created_at"], "created_at": r["created_at"],
            "finished_at": r["created_at"] if off else None,
            "last_error": "deliveries to this URL stopped after it answered 410 Gone"
            if off else None,
        })  # fmt: skip
    if values:
        conn.execute(insert(webhook_deliveries), values)
        failed_jobs = [v["job_id"] for v in values if v["status"] == "failed" and v["job_id"]]
        if failed_jobs:
            conn.execute(
                update(jobs).where(jobs.c.id.in_(failed_jobs)).values(callback_status="failed")
            )


def _claimable(now: datetime) -> Any:
    return and_(
        D.status == "pending",
        D.next_attempt_at <= now,
        or_(D.lease_expires_at.is_(None), D.lease_expires_at < now),
    )


def due_candidates(
    conn: Connection, now: datetime, exclude_orgs: Collection[str], limit: int
) -> tuple[list[tuple[str, str]], datetime | None]:
    """(id, org) pairs due now, oldest first, and when the next not-yet-due one falls due."""
    query = select(D.id, D.org_id).where(_claimable(now))
    if exclude_orgs:
        query = query.where(D.org_id.notin_(list(exclude_orgs)))
    rows = conn.execute(query.order_by(D.next_attempt_at).limit(limit)).all()
    later = conn.execute(
        select(func.min(D.next_attempt_at)).where(D.status == "pending", D.next_attempt_at > now)
    ).scalar()
    return [(r.id, r.org_id) for r in rows], later


def claim(
    conn: Connection, ids: Sequence[str], owner: str, now: datetime, lease: timedelta
) -> list[Delivery]:
    """Take the lease on those of `ids` still claimable (atomic: racing claimers split them)."""
    if not ids:
        return []
    conn.execute(
        update(webhook_deliveries)
        .where(D.id.in_(list(ids)), _claimable(now))
        .values(lease_owner=owner, lease_expires_at=now + lease)
    )
    rows = conn.execute(
        select(webhook_deliveries).where(D.id.in_(list(ids)), D.lease_owner == owner)
    ).all()
    return [
        Delivery(r.id, r.org_id, r.group_id, r.job_id, r.event_type, r.url, r.body, r.attempts,
                 r.first_attempt_at, owner)
        for r in rows
    ]  # fmt: skip


def record_attempt(
    conn: Connection,
    delivery: Delivery,
    *,
    now: datetime,
    body: str,
    status_code: int | None,
    error: str | None,
    outcome: str,
    next_at: datetime | None = None,
) -> bool:
    """Write an attempt's result: outcome `delivered`, `failed` (for good) or `pending`
    (again at `next_at`). False when the lease was lost meanwhile (nothing written)."""
    values: dict[str, Any] = {
        "attempts": D.attempts + 1, "body": body, "last_status_code": status_code,
        "last_error": error, "lease_owner": None, "lease_expires_at": None, "status": outcome,
        "first_attempt_at": func.coalesce(D.first_attempt_at, delivery.first_attempt_at or now),
    }  # fmt: skip
    if outcome == "pending":
        assert next_at is not None
        values["next_attempt_at"] = next_at
    else:
        values["finished_at"] = now
    result = conn.execute(
        update(webhook_deliveries)
        .where(D.id == delivery.id, D.lease_owner == delivery.lease_owner, D.status == "pending")
        .values(**values)
    )
    if result.rowcount != 1:
        return False
    if outcome != "pending" and delivery.job_id is not None:
        conn.execute(
            update(jobs).where(jobs.c.id == delivery.job_id).values(callback_status=outcome)
        )
    return True


def disable_url(conn: Connection, org_id: str, url: str, now: datetime, reason: str) -> None:
    """Stop delivering to `url` for this organization (it answered 410): pending deliveries
    fail now, and later ones are recorded as failed without an attempt."""
    exists = conn.execute(
        select(webhook_disabled_urls.c.url).where(
            webhook_disabled_urls.c.org_id == org_id, webhook_disabled_urls.c.url == url
        )
    ).first()
    if exists is None:
        conn.execute(
            insert(webhook_disabled_urls).values(
                org_id=org_id, url=url, disabled_at=now, reason=reason
            )
        )
    stopped = [
        (r.id, r.job_id)
        for r in conn.execute(
            select(D.id, D.job_id).where(D.org_id == org_id, D.url == url, D.status == "pending")
        )
    ]
    if not stopped:
        return
    conn.execute(
        update(webhook_deliveries)
        .where(D.id.in_([i for i, _ in stopped]))
        .values(status="failed", finished_at=now, lease_owner=None, lease_expires_at=None,
                last_error=reason)
    )  # fmt: skip
    job_ids = [j for _, j in stopped if j]
    if job_ids:
        conn.execute(update(jobs).where(jobs.c.id.in_(job_ids)).values(callback_status="failed"))


def enable_url(conn: Connection, org_id: str, url: str) -> None:
    """Deliver to `url` again (the organization named it anew after a 410)."""
    conn.execute(
        webhook_disabled_urls.delete().where(
            webhook_disabled_urls.c.org_id == org_id, webhook_disabled_urls.c.url == url
        )
    )
