"""Organizations and their API keys (random, prefixed, stored only as a SHA-256 hash)."""

from __future__ import annotations

import asyncio
import hashlib
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

import anyio.to_thread
from sqlalchemy import Connection, insert, select
from sqlalchemy.exc import IntegrityError

from dragoman.errors import AuthenticationError, ValidationError
from dragoman.ids import new_id
from dragoman.store.tables import api_keys, organizations
from dragoman.timefmt import utcnow

KEY_PREFIX = "dgm_"


@dataclass(frozen=True, slots=True)
class Organization:
    """The tenant every resource belongs to."""

    id: str
    name: str
    default_callback_url: str | None = None


def hash_key(key: str) -> str:
    """SHA-256 hex of a key: keys carry 190+ random bits, so a fast hash is enough."""
    return hashlib.sha256(key.encode()).hexdigest()


def get_or_create_org(conn: Connection, name: str) -> Organization:
    """The organization called `name`, created when missing."""
    name = name.strip()
    if not name or len(name) > 200:
        raise ValidationError("organization name must be 1-200 characters", field="name")
    row = conn.execute(select(organizations).where(organizations.c.name == name)).first()
    if row is None:
        org_id = new_id("org")
        try:
            with conn.begin_nested():
                conn.execute(
                    insert(organizations).values(id=org_id, name=name, created_at=utcnow())
                )
        except IntegrityError:  # created meanwhile by another process
            pass
        row = conn.execute(select(organizations).where(organizations.c.name == name)).one()
    return Organization(row.id, row.name, row.default_callback_url)


def create_key(conn: Connection, org_id: str) -> str:
    """A new API key for the organization; the plaintext is returned once and never stored."""
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    conn.execute(
        insert(api_keys).values(
            id=new_id("key"),
            org_id=org_id,
            key_hash=hash_key(key),
            hint=key[: len(KEY_PREFIX) + 4],
            created_at=utcnow(),
        )
    )
    return key


def authenticate(conn: Connection, key: str | None) -> Organization:
    """The organization owning `key`; AuthenticationError for a missing, unknown or revoked key."""
    if not key:
        raise AuthenticationError()
    row = conn.execute(
        select(organizations)
        .join(api_keys, api_keys.c.org_id == organizations.c.id)
        .where(api_keys.c.key_hash == hash_key(key), api_keys.c.revoked_at.is_(None))
    ).first()
    if row is None:
        raise AuthenticationError("the API key is not valid")
    return Organization(row.id, row.name, row.default_callback_url)


class KeyCache:
    """Recently verified keys -> organization, for `ttl` seconds (a per-process object the
    caller owns). Saves a database round trip per request; a revoked key stays usable for at
    most `ttl` seconds in a process that saw it. Failures are never cached, and concurrent
    misses for one key share one lookup, so an expiry under load costs one query, not one
    per request in flight."""

    def __init__(self, ttl: float = 5.0, max_entries: int = 10_000) -> None:
        self.ttl = ttl
        self.max_entries = max_entries
        self._entries: dict[str, tuple[float, Organization]] = {}
        self._pending: dict[str, asyncio.Future[Organization]] = {}

    def get(self, key: str) -> Organization | None:
        entry = self._entries.get(hash_key(key))
        if entry is None or entry[0] < time.monotonic():
            return None
        return entry[1]

    def put(self, key: str, org: Organization) -> None:
        if len(self._entries) >= self.max_entries:
            self._entries.clear()  # crude but bounded; keys re-verify on the next request
        self._entries[hash_key(key)] = (time.monotonic() + self.ttl, org)

    async def resolve(self, key: str | None, lookup: Callable[[], Organization]) -> Organization:
        """The key's organization from the cache, or from `lookup()` run on a thread."""
        if not key:
            raise AuthenticationError()
        cached = self.get(key)
        if cached is not None:
            return cached
        digest = hash_key(key)
        pending = self._pending.get(digest)
        if pending is not None:
            return await asyncio.shield(pending)
        future: asyncio.Future[Organization] = asyncio.get_running_loop().create_future()
        self._pending[digest] = future
        try:
            org = await anyio.to_thread.run_sync(lookup)
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # retrieved: waiters re-raise it, nobody logs it as lost
            raise
        finally:
            del self._pending[digest]
        self.put(key, org)
        future.set_result(org)
        return org
