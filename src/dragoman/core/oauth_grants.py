"""OAuth2 grants beyond client credentials: one-time authorization codes, and refresh tokens
that rotate on every use. A refresh token used twice means one of its copies was stolen: the
whole family (every token descended from the same grant) is revoked, access tokens too."""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import Connection, insert, select, update

from dragoman.core.oauth import (
    AUTHORIZATION_CODE,
    issue_access_token,
    verify_client,
)
from dragoman.core.orgs import Organization, hash_key
from dragoman.errors import InvalidClientError, InvalidGrantError
from dragoman.ids import new_id
from dragoman.store.project_tables import oauth_grants
from dragoman.store.tables import oauth_clients, oauth_tokens
from dragoman.timefmt import utcnow

CODE_PREFIX = "dgc_"
REFRESH_PREFIX = "dgr_"
CODE = "code"
REFRESH = "refresh"
G = oauth_grants.c


@dataclass(frozen=True, slots=True)
class Lifetimes:
    """Seconds an access token, a refresh token and an authorization code live."""

    access: int
    refresh: int
    code: int = 600


@dataclass(frozen=True, slots=True)
class IssuedPair:
    """An access token and the refresh token that replaces it, shown once."""

    access_token: str
    expires_in: int
    refresh_token: str
    token_type: str = "Bearer"  # noqa: S105 - the RFC 6750 type name


@dataclass(frozen=True, slots=True)
class GrantOutcome:
    """What a grant came to: tokens, or a refusal; `revoked` lists the access-token hashes a
    detected reuse revoked (evict them from caches after the commit)."""

    issued: IssuedPair | None = None
    error: str | None = None
    revoked: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ClientInfo:
    """A live client as the authorization page shows it."""

    id: str
    org_id: str
    name: str | None
    redirect_uris: list[str]


def client_info(conn: Connection, client_id: str) -> ClientInfo | None:
    """The live client `client_id`, or None."""
    row = conn.execute(
        select(oauth_clients).where(
            oauth_clients.c.id == client_id, oauth_clients.c.revoked_at.is_(None)
        )
    ).first()
    if row is None:
        return None
    return ClientInfo(row.id, row.org_id, row.name, list(row.redirect_uris or []))


def issue_code(
    conn: Connection, client: ClientInfo, redirect_uri: str, lifetimes: Lifetimes
) -> str:
    """A one-time authorization code for `client`, bound to `redirect_uri` (which must be
    one of the client's, exactly)."""
    if redirect_uri not in client.redirect_uris:
        raise InvalidGrantError("redirect_uri is not registered for this client")
    code = CODE_PREFIX + secrets.token_urlsafe(32)
    now = utcnow()
    conn.execute(
        insert(oauth_grants).values(
            token_hash=hash_key(code), kind=CODE, client_id=client.id, org_id=client.org_id,
            family=new_id("fam"), redirect_uri=redirect_uri, created_at=now,
            expires_at=now + timedelta(seconds=lifetimes.code),
        )
    )  # fmt: skip
    return code


def _issue_pair(
    conn: Connection, client_id: str, org_id: str, family: str, lifetimes: Lifetimes
) -> IssuedPair:
    access = issue_access_token(conn, client_id, org_id, lifetimes.access)
    refresh = REFRESH_PREFIX + secrets.token_urlsafe(32)
    now = utcnow()
    conn.execute(
        insert(oauth_grants).values(
            token_hash=hash_key(refresh), kind=REFRESH, client_id=client_id, org_id=org_id,
            family=family, access_hash=hash_key(access.access_token), created_at=now,
            expires_at=now + timedelta(seconds=lifetimes.refresh),
        )
    )  # fmt: skip
    return IssuedPair(access.access_token, access.expires_in, refresh)


def client_credentials(
    conn: Connection, client_id: str, secret: str, lifetimes: Lifetimes
) -> IssuedPair:
    """Tokens for a client proving its secret (a new family)."""
    org = verify_client(conn, client_id, secret)
    return _issue_pair(conn, client_id, org.id, new_id("fam"), lifetimes)


def exchange_code(
    conn: Connection,
    client_id: str,
    secret: str,
    code: str,
    redirect_uri: str | None,
    lifetimes: Lifetimes,
) -> GrantOutcome:
    """Tokens for an unused, live code issued to this client for this redirect URI; a code
    presented twice revokes what the first exchange issued (RFC 6749 4.1.2)."""
    org = _client(conn, client_id, secret, AUTHORIZATION_CODE)
    row = _grant(conn, code, CODE)
    if row is None or row.client_id != client_id:
        return GrantOutcome(error="the authorization code is not valid for this client")
    if row.used_at is not None or row.revoked_at is not None:
        return GrantOutcome(
            error="the authorization code was already used", revoked=_revoke(conn, row.family)
        )
    if row.expires_at <= utcnow():
        return GrantOutcome(error="the authorization code expired; authorize again")
    if redirect_uri is not None and not hmac.compare_digest(row.redirect_uri, redirect_uri):
        return GrantOutcome(error="redirect_uri differs from the one the code was issued for")
    conn.execute(
        update(oauth_grants).where(G.token_hash == row.token_hash).values(used_at=utcnow())
    )
    return GrantOutcome(_issue_pair(conn, client_id, org.id, row.family, lifetimes))


def refresh(
    conn: Connection, client_id: str, secret: str, token: str, lifetimes: Lifetimes
) -> GrantOutcome:
    """A new access token and a new refresh token for a live, unused refresh token (the old
    one is spent); a spent one presented again revokes its whole family."""
    org = verify_client(conn, client_id, secret)
    row = _grant(conn, token, REFRESH)
    if row is None or row.client_id != client_id:
        return GrantOutcome(error="the refresh token is not valid for this client")
    if row.revoked_at is not None:
        return GrantOutcome(error="the refresh token was revoked")
    if row.used_at is not None:
        return GrantOutcome(
            error="the refresh token was already used: every token of its grant is revoked",
            revoked=_revoke(conn, row.family),
        )
    if row.expires_at <= utcnow():
        return GrantOutcome(error="the refresh token expired; authorize again")
    spent = conn.execute(
        update(oauth_grants)
        .where(G.token_hash == row.token_hash, G.used_at.is_(None))
        .values(used_at=utcnow())
    )
    if spent.rowcount != 1:  # a concurrent refresh spent it first: that is a reuse too
        return GrantOutcome(
            error="the refresh token was already used", revoked=_revoke(conn, row.family)
        )
    return GrantOutcome(_issue_pair(conn, client_id, org.id, row.family, lifetimes))


def _client(conn: Connection, client_id: str, secret: str, grant: str) -> Organization:
    org = verify_client(conn, client_id, secret)
    grants = conn.execute(
        select(oauth_clients.c.grant_types).where(oauth_clients.c.id == client_id)
    ).scalar()
    if grant not in (grants or []):
        raise InvalidClientError(f"this client may not use the {grant} grant (no redirect URI)")
    return org


def _grant(conn: Connection, token: str, kind: str) -> Any:
    prefix = CODE_PREFIX if kind == CODE else REFRESH_PREFIX
    if not token.startswith(prefix) or len(token) > 100:
        return None
    return conn.execute(
        select(oauth_grants).where(G.token_hash == hash_key(token), G.kind == kind)
    ).first()


def _revoke(conn: Connection, family: str) -> list[str]:
    """Revoke every grant of `family` and the access tokens issued with them; returns the
    access-token hashes to evict from caches."""
    now = utcnow()
    hashes = [
        r.access_hash
        for r in conn.execute(select(G.access_hash).where(G.family == family))
        if r.access_hash
    ]
    conn.execute(
        update(oauth_grants)
        .where(G.family == family, G.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    if hashes:
        conn.execute(
            update(oauth_tokens)
            .where(oauth_tokens.c.token_hash.in_(hashes), oauth_tokens.c.revoked_at.is_(None))
            .values(revoked_at=now)
        )
    return hashes
