"""OAuth2 grants for the surfaces (the Core exposes one as `core.grants`): codes from the
authorization page, refresh-token rotation, client credentials with a refresh token."""

from __future__ import annotations

from typing import TYPE_CHECKING

import anyio.to_thread
from sqlalchemy import Connection

from dragoman.core import oauth_grants, orgs
from dragoman.core.oauth_grants import ClientInfo, GrantOutcome, IssuedPair, Lifetimes
from dragoman.core.orgs import KeyCache, Organization
from dragoman.settings import Settings

if TYPE_CHECKING:
    from dragoman.store.db import Database
    from dragoman.store.writer import Writer


class OAuthGrants:
    """Issues and rotates tokens; evicts revoked ones from every process's cache."""

    def __init__(
        self, settings: Settings, db: Database, writer: Writer, key_cache: KeyCache
    ) -> None:
        self.db = db
        self.writer = writer
        self.key_cache = key_cache
        self.lifetimes = Lifetimes(
            settings.oauth_token_seconds,
            settings.oauth_refresh_token_seconds,
            settings.oauth_code_seconds,
        )

    async def client(self, client_id: str) -> ClientInfo | None:
        """A live client, for the authorization page."""

        def read() -> ClientInfo | None:
            with self.db.read() as conn:
                return oauth_grants.client_info(conn, client_id)

        return await anyio.to_thread.run_sync(read)

    async def sign_in(self, api_key: str) -> Organization:
        """The organization of an API key (AuthenticationError when it is not valid)."""

        def read() -> Organization:
            with self.db.read() as conn:
                return orgs.authenticate(conn, api_key)

        return await anyio.to_thread.run_sync(read)

    async def issue_code(self, client: ClientInfo, redirect_uri: str) -> str:
        return await self.writer.run(
            lambda c: oauth_grants.issue_code(c, client, redirect_uri, self.lifetimes)
        )

    async def client_credentials(self, client_id: str, secret: str) -> IssuedPair:
        return await self.writer.run(
            lambda c: oauth_grants.client_credentials(c, client_id, secret, self.lifetimes)
        )

    async def exchange_code(
        self, client_id: str, secret: str, code: str, redirect_uri: str | None
    ) -> GrantOutcome:
        def run(conn: Connection) -> GrantOutcome:
            return oauth_grants.exchange_code(
                conn, client_id, secret, code, redirect_uri, self.lifetimes
            )

        return await self._evicted(await self.writer.run(run))

    async def refresh(self, client_id: str, secret: str, token: str) -> GrantOutcome:
        def run(conn: Connection) -> GrantOutcome:
            return oauth_grants.refresh(conn, client_id, secret, token, self.lifetimes)

        return await self._evicted(await self.writer.run(run))

    async def _evicted(self, outcome: GrantOutcome) -> GrantOutcome:
        """Revoked tokens stop working here at once, and in every process the event bus
        reaches as soon as it carries the news (a Redis publish: on a thread)."""
        if outcome.revoked:
            await anyio.to_thread.run_sync(self.key_cache.revoke, outcome.revoked)
        return outcome
