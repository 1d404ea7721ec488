"""Organization settings a client may change: the default callback URL, and whether
machine output is stored in the translation memory."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import Connection, delete, insert, select, update

from dragoman.core.orgs import Organization
from dragoman.delivery.webhooks import outbox
from dragoman.errors import AuthenticationError, NotFoundError
from dragoman.store.tables import organizations, ws_tokens
from dragoman.timefmt import utcnow


def get_org(conn: Connection, org_id: str) -> Organization:
    """The organization as stored now (not as a cached authentication saw it)."""
    row = conn.execute(select(organizations).where(organizations.c.id == org_id)).first()
    if row is None:
        raise NotFoundError(f"organization {org_id!r} not found")
    return Organization(row.id, row.name, row.default_callback_url)


def set_default_callback_url(conn: Connection, org_id: str, url: str | None) -> Organization:
    """Set (or clear, with None) the URL used when a request names no `callbackUrl`; a URL
    that answered 410 before is delivered to again. Check the URL first (`screen_...`)."""
    conn.execute(
        update(organizations).where(organizations.c.id == org_id).values(default_callback_url=url)
    )
    if url is not None:
        outbox.enable_url(conn, org_id, url)
    return get_org(conn, org_id)


def tm_store_machine(conn: Connection, org_id: str) -> bool:
    """Whether completed jobs' machine output goes to the organization's TM (off unless set)."""
    value = conn.execute(
        select(organizations.c.tm_store_machine).where(organizations.c.id == org_id)
    ).scalar()
    return bool(value)


def set_tm_store_machine(conn: Connection, org_id: str, value: bool) -> None:
    """Turn storing machine output in the TM on or off."""
    conn.execute(
        update(organizations).where(organizations.c.id == org_id).values(tm_store_machine=value)
    )


def issue_ws_token(conn: Connection, org_id: str, lifetime: timedelta) -> str:
    """A single-use token a browser passes as `/ws?token=...` (it cannot send headers)."""
    token = "wst_" + secrets.token_urlsafe(24)
    now = utcnow()
    conn.execute(delete(ws_tokens).where(ws_tokens.c.expires_at < now))
    conn.execute(
        insert(ws_tokens).values(token_hash=_hash(token), org_id=org_id, expires_at=now + lifetime)
    )
    return token


def redeem_ws_token(conn: Connection, token: str) -> Organization:
    """The organization a token was issued to; the token is spent. AuthenticationError for an
    unknown, used or expired token."""
    row = conn.execute(select(ws_tokens).where(ws_tokens.c.token_hash == _hash(token))).first()
    if row is None or row.expires_at < utcnow():
        raise AuthenticationError("the WebSocket token is not valid (unknown, used or expired)")
    spent = conn.execute(delete(ws_tokens).where(ws_tokens.c.token_hash == row.token_hash))
    if spent.rowcount != 1:  # redeemed concurrently
        raise AuthenticationError("the WebSocket token is not valid (unknown, used or expired)")
    return get_org(conn, row.org_id)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
