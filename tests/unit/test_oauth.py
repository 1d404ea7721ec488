"""OAuth2 clients and tokens on a real SQLite database: hashed storage, verification,
expiry, revocation, and the Basic header of the token endpoint."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from dragoman.core import oauth, orgs
from dragoman.errors import InvalidClientError, InvalidTokenError, NotFoundError
from dragoman.store.db import Database
from dragoman.store.tables import oauth_clients, oauth_tokens
from dragoman.surfaces.base import basic_credentials as _basic
from dragoman.timefmt import utcnow


@pytest.fixture
def db(sqlite_url: str) -> Iterator[Database]:
    database = Database(sqlite_url)
    yield database
    database.dispose()


def _client(db: Database) -> tuple[str, str, str]:
    with db.write() as conn:
        org = orgs.get_or_create_org(conn, "oauth-unit")
        client_id, secret = oauth.create_client(conn, org.id, name="ci")
    return org.id, client_id, secret


def test_secret_and_token_are_stored_only_hashed(db: Database) -> None:
    org_id, client_id, secret = _client(db)
    with db.write() as conn:
        org = oauth.verify_client(conn, client_id, secret)
        issued = oauth.issue_access_token(conn, client_id, org.id, 60)
        stored = conn.execute(select(oauth_clients.c.secret_hash)).scalar_one()
        token_hash = conn.execute(select(oauth_tokens.c.token_hash)).scalar_one()
    assert org.id == org_id and issued.expires_in == 60 and issued.token_type == "Bearer"
    assert secret not in stored and stored == orgs.hash_key(secret)
    assert token_hash == orgs.hash_key(issued.access_token)
    assert oauth.looks_like_token(issued.access_token)
    with db.read() as conn:
        owner = oauth.authenticate_token(conn, issued.access_token)
    assert owner.id == org_id and owner.client_id == client_id
    assert owner.expires_at > utcnow().timestamp() + 50


@pytest.mark.parametrize("wrong", ["", "dgs_nope", "secret"])
def test_a_wrong_secret_or_unknown_client_is_refused(db: Database, wrong: str) -> None:
    _, client_id, _ = _client(db)
    with db.read() as conn, pytest.raises(InvalidClientError):
        oauth.verify_client(conn, client_id, wrong)
    with db.read() as conn, pytest.raises(InvalidClientError):
        oauth.verify_client(conn, "oac_unknown", "dgs_x")


def test_expired_revoked_and_malformed_tokens_are_refused(db: Database) -> None:
    org_id, client_id, _ = _client(db)
    with db.write() as conn:
        expired = oauth.issue_access_token(conn, client_id, org_id, 60).access_token
        conn.execute(
            update(oauth_tokens)
            .where(oauth_tokens.c.token_hash == orgs.hash_key(expired))
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
        live = oauth.issue_access_token(conn, client_id, org_id, 60).access_token
    with db.read() as conn:
        with pytest.raises(InvalidTokenError, match="expired"):
            oauth.authenticate_token(conn, expired)
        with pytest.raises(InvalidTokenError, match="malformed"):
            oauth.authenticate_token(conn, "Bearer abc")
        with pytest.raises(InvalidTokenError, match="not valid"):
            oauth.authenticate_token(conn, "dgt_" + "x" * 43)
    with db.write() as conn:
        revoked = oauth.revoke_client(conn, client_id)
    assert [r.key_hash for r in revoked] == [orgs.hash_key(live)]  # the expired one is not live
    with db.read() as conn, pytest.raises(InvalidTokenError, match="revoked"):
        oauth.authenticate_token(conn, live)
    with db.write() as conn, pytest.raises(NotFoundError):
        oauth.revoke_client(conn, client_id)


def test_basic_header_is_decoded_as_rfc_6749_says() -> None:
    encoded = base64.b64encode(b"oac_abc:dgs_a%3Ab").decode()
    assert _basic(f"Basic {encoded}") == ("oac_abc", "dgs_a:b")
    assert _basic("Bearer x") is None
    assert _basic("Basic !!!") is None
    assert _basic("Basic " + base64.b64encode(b"no-colon").decode()) is None
