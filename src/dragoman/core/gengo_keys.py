"""Gengo API keys: a public key naming the organization and a private key that signs each
request (`api_sig` = hex HMAC-SHA1 of `ts`), checked within a time window, with replays of
a signed state-changing request refused (their fingerprints are kept in the database, so
every server process sees them)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Connection, delete, insert, select
from sqlalchemy.exc import IntegrityError

from dragoman.errors import AuthenticationError
from dragoman.store.gengo_tables import gengo_keys, gengo_seen_requests
from dragoman.timefmt import utcnow

TS_WINDOW_SECONDS = 300  # `ts` more than 5 minutes away from the server's clock is refused
PUBLIC_PREFIX = "gpk_"


@dataclass(frozen=True, slots=True)
class GengoKey:
    """A key pair's owner and its private key (for checking signatures)."""

    public_key: str
    org_id: str
    private_key: str


def create_keys(conn: Connection, org_id: str) -> tuple[str, str]:
    """A new key pair for the organization: (public, private)."""
    public = PUBLIC_PREFIX + secrets.token_urlsafe(24)
    private = secrets.token_urlsafe(48)
    conn.execute(
        insert(gengo_keys).values(
            public_key=public, org_id=org_id, private_key=private, created_at=utcnow()
        )
    )
    return public, private


def find_key(conn: Connection, public_key: str) -> GengoKey:
    """The live key pair of `public_key`; AuthenticationError otherwise."""
    row = conn.execute(
        select(gengo_keys).where(
            gengo_keys.c.public_key == public_key, gengo_keys.c.revoked_at.is_(None)
        )
    ).first()
    if row is None:
        raise AuthenticationError("authentication failed: unknown api_key")
    return GengoKey(row.public_key, row.org_id, row.private_key)


def signature(private_key: str, ts: str) -> str:
    """What `api_sig` must be for `ts`: hex HMAC-SHA1 of the timestamp's text."""
    return hmac.new(private_key.encode(), ts.encode(), hashlib.sha1).hexdigest()


def check_signature(key: GengoKey, ts: str, api_sig: str, now: float) -> None:
    """AuthenticationError unless `api_sig` signs `ts` and `ts` is within the window."""
    if not ts.isdigit() or len(ts) > 12:
        raise AuthenticationError("authentication failed: ts must be a Unix time in seconds")
    if abs(int(ts) - now) > TS_WINDOW_SECONDS:
        raise AuthenticationError(
            f"authentication failed: ts is more than {TS_WINDOW_SECONDS} seconds away from "
            "the server's time; sign the request with the current time"
        )
    if not hmac.compare_digest(signature(key.private_key, ts), api_sig.strip().lower()):
        raise AuthenticationError("authentication failed: api_sig does not sign ts")


def fingerprint(parts: list[bytes]) -> str:
    """The replay fingerprint of a request's signed parts."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def remember(conn: Connection, fingerprint_: str) -> None:
    """Record a signed request; AuthenticationError when it was already seen within the
    window (a replay). Old fingerprints are pruned: `ts` outside the window fails anyway."""
    now = utcnow()
    conn.execute(
        delete(gengo_seen_requests).where(
            gengo_seen_requests.c.seen_at < now - timedelta(seconds=2 * TS_WINDOW_SECONDS)
        )
    )
    try:
        with conn.begin_nested():
            conn.execute(insert(gengo_seen_requests).values(fingerprint=fingerprint_, seen_at=now))
    except IntegrityError:
        raise AuthenticationError(
            "authentication failed: this signed request was already received (a replay); "
            "sign a new request with a fresh ts"
        ) from None
