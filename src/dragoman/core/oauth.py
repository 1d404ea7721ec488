"""OAuth2 clients and their tokens: client credentials now; the same clients and token table
take authorization codes and refresh tokens later (a token's `kind`, a client's
`grant_types` and `redirect_uris`). Secrets and tokens are random and stored only hashed."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

from sqlalchemy import Connection, insert, select, update

from dragoman.core.orgs import Organization, RevokedKey, hash_key
from dragoman.errors import InvalidClientError, InvalidTokenError, NotFoundError, ValidationError
from dragoman.ids import has_prefix, new_id
from dragoman.store.tables import oauth_clients, oauth_tokens, organizations
from dragoman.timefmt import utcnow

CLIENT_PREFIX = "oac"
SECRET_PREFIX = "dgs_"  # noqa: S105 - a prefix, not a secret
TOKEN_PREFIX = "dgt_"  # noqa: S105 - a prefix, not a token
CLIENT_CREDENTIALS = "client_credentials"
AUTHORIZATION_CODE = "authorization_code"
REFRESH_TOKEN = "refresh_token"  # noqa: S105 - a grant type's name, not a token
ACCESS = "access"
_TOKEN_LENGTH = len(TOKEN_PREFIX) + 43  # token_urlsafe(32)


@dataclass(frozen=True, slots=True)
class TokenOwner(Organization):
    """The organization an access token acts for, with when the token expires (Unix time)
    and the client it was issued to; what the key cache keeps for a token."""

    client_id: str = ""
    expires_at: float = 0.0


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A new access token, shown once."""

    access_token: str
    expires_in: int
    token_type: str = "Bearer"  # noqa: S105 - the RFC 6750 type name


def create_client(
    conn: Connection,
    org_id: str,
    *,
    name: str | None = None,
    redirect_uris: Sequence[str] = (),
) -> tuple[str, str]:
    """A new client of the organization: (client_id, secret); the secret is never stored.
    Every client may refresh; one with redirect URIs may also use authorization codes."""
    uris = [check_redirect_uri(u) for u in redirect_uris]
    grants = [CLIENT_CREDENTIALS, REFRESH_TOKEN] + ([AUTHORIZATION_CODE] if uris else [])
    client_id = new_id(CLIENT_PREFIX)
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    conn.execute(
        insert(oauth_clients).values(
            id=client_id,
            org_id=org_id,
            name=name,
            secret_hash=hash_key(secret),
            grant_types=grants,
            redirect_uris=uris or None,
            created_at=utcnow(),
        )
    )
    return client_id, secret


def check_redirect_uri(uri: str) -> str:
    """An absolute http(s) URI without a fragment (RFC 6749 3.1.2); ValidationError if not."""
    try:
        parts = urlsplit(uri)
        usable = parts.scheme in ("http", "https") and bool(parts.hostname) and not parts.fragment
    except ValueError:
        usable = False
    if not usable or len(uri) > 2000 or not uri.isprintable():
        raise ValidationError(
            f"redirect URI {uri[:80]!r} must be an absolute http(s) URL without a fragment",
            field="redirect_uri",
        )
    return uri


def verify_client(conn: Connection, client_id: str, secret: str) -> Organization:
    """The organization of a live client whose secret matches; InvalidClientError otherwise
    (one message for every reason, so a caller learns nothing of which one)."""
    refused = InvalidClientError("client authentication failed: unknown client or wrong secret")
    if not has_prefix(client_id, CLIENT_PREFIX) or not secret:
        raise refused
    row = conn.execute(
        select(oauth_clients.c.secret_hash, organizations)
        .join(organizations, organizations.c.id == oauth_clients.c.org_id)
        .where(oauth_clients.c.id == client_id, oauth_clients.c.revoked_at.is_(None))
    ).first()
    if row is None or not hmac.compare_digest(row.secret_hash, hash_key(secret)):
        raise refused
    return Organization(row.id, row.name, row.default_callback_url)


def issue_access_token(
    conn: Connection, client_id: str, org_id: str, ttl_seconds: int
) -> IssuedToken:
    """Store (hashed) and return a new bearer token for the client."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = utcnow()
    conn.execute(
        insert(oauth_tokens).values(
            token_hash=hash_key(token),
            kind=ACCESS,
            client_id=client_id,
            org_id=org_id,
            created_at=now,
            expires_at=now + timedelta(seconds=ttl_seconds),
        )
    )
    return IssuedToken(token, ttl_seconds)


def looks_like_token(token: str) -> bool:
    """The shape this server issues (no database needed to refuse anything else)."""
    return token.startswith(TOKEN_PREFIX) and len(token) == _TOKEN_LENGTH and token.isascii()


def authenticate_token(conn: Connection, token: str) -> TokenOwner:
    """The owner of a live access token; InvalidTokenError for an unknown, expired or
    revoked token, or one whose client was revoked."""
    if not looks_like_token(token):
        raise InvalidTokenError("the access token is malformed")
    row = conn.execute(
        select(
            organizations,
            oauth_tokens.c.client_id,
            oauth_tokens.c.expires_at,
            oauth_tokens.c.revoked_at,
            oauth_clients.c.revoked_at.label("client_revoked_at"),
        )
        .join(oauth_clients, oauth_clients.c.id == oauth_tokens.c.client_id)
        .join(organizations, organizations.c.id == oauth_tokens.c.org_id)
        .where(oauth_tokens.c.token_hash == hash_key(token), oauth_tokens.c.kind == ACCESS)
    ).first()
    if row is None:
        raise InvalidTokenError("the access token is not valid")
    if row.revoked_at is not None or row.client_revoked_at is not None:
        raise InvalidTokenError("the access token was revoked")
    if row.expires_at <= utcnow():
        raise InvalidTokenError("the access token expired; request a new one")
    return TokenOwner(
        row.id, row.name, row.default_callback_url, row.client_id, row.expires_at.timestamp()
    )


def revoke_client(conn: Connection, client_id: str) -> list[RevokedKey]:
    """Revoke a client and its live tokens; announce the result after commit
    (`orgs.announce_revoked`) so that every process's cache forgets the tokens at once."""
    now = utcnow()
    client = conn.execute(
        select(oauth_clients.c.org_id).where(
            oauth_clients.c.id == client_id, oauth_clients.c.revoked_at.is_(None)
        )
    ).first()
    if client is None:
        raise NotFoundError(f"no active OAuth client {client_id[:60]!r}")
    live = (oauth_tokens.c.client_id == client_id) & oauth_tokens.c.revoked_at.is_(None)
    live = live & (oauth_tokens.c.expires_at > now)
    hashes = [r.token_hash for r in conn.execute(select(oauth_tokens.c.token_hash).where(live))]
    conn.execute(update(oauth_tokens).where(live).values(revoked_at=now))
    conn.execute(
        update(oauth_clients).where(oauth_clients.c.id == client_id).values(revoked_at=now)
    )
    return [RevokedKey(client_id, client.org_id, "", h) for h in hashes]
