"""Per-organization signing secrets, with rotation: the old secret keeps signing for a while."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Connection, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from dragoman.delivery.webhooks.signing import new_secret
from dragoman.ids import new_id
from dragoman.store.tables import webhook_secrets
from dragoman.timefmt import utcnow


def _current(conn: Connection, org_id: str) -> str | None:
    row = conn.execute(
        select(webhook_secrets.c.secret).where(
            webhook_secrets.c.org_id == org_id, webhook_secrets.c.expires_at.is_(None)
        )
    ).first()
    return None if row is None else str(row.secret)


def current_secret(conn: Connection, org_id: str) -> str:
    """The organization's current secret, created on first use (call in a write transaction).
    Of two transactions creating it at once, the unique index lets one win; the other reads
    the winner's, so every delivery is signed with the one secret the receiver is given."""
    found = _current(conn, org_id)
    if found is not None:
        return found
    secret = new_secret()
    try:
        with conn.begin_nested():
            conn.execute(
                insert(webhook_secrets).values(
                    id=new_id("whs"), org_id=org_id, secret=secret, created_at=utcnow(),
                    expires_at=None,
                )
            )  # fmt: skip
    except IntegrityError:
        found = _current(conn, org_id)
        if found is None:
            raise
        return found
    return secret


def rotate(conn: Connection, org_id: str, overlap: timedelta) -> str:
    """Start a new current secret; the old one keeps signing for `overlap`. Returns the new."""
    now = utcnow()
    conn.execute(
        update(webhook_secrets)
        .where(webhook_secrets.c.org_id == org_id, webhook_secrets.c.expires_at.is_(None))
        .values(expires_at=now + overlap)
    )
    secret = new_secret()
    conn.execute(
        insert(webhook_secrets).values(
            id=new_id("whs"), org_id=org_id, secret=secret, created_at=now, expires_at=None
        )
    )
    return secret


def signing_secrets(conn: Connection, org_id: str, now: datetime | None = None) -> list[str]:
    """Every secret a delivery is signed with now: the current one first, then any still in
    their overlap. Empty when the organization has none yet."""
    now = now or utcnow()
    rows = conn.execute(
        select(webhook_secrets.c.secret, webhook_secrets.c.expires_at)
        .where(
            webhook_secrets.c.org_id == org_id,
            or_(webhook_secrets.c.expires_at.is_(None), webhook_secrets.c.expires_at > now),
        )
        .order_by(webhook_secrets.c.created_at.desc())
    ).all()
    return [r.secret for r in sorted(rows, key=lambda r: r.expires_at is not None)]
