"""Organizations and their API keys (random, prefixed, stored only as a SHA-256 hash)."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

import anyio.to_thread
from sqlalchemy import Connection, insert, select, update
from sqlalchemy.exc import IntegrityError

from dragoman.delivery.buses.base import EventBus
from dragoman.errors import AuthenticationError, NotFoundError, ValidationError
from dragoman.ids import new_id
from dragoman.store.tables import api_keys, organizations
from dragoman.timefmt import utcnow

log = logging.getLogger(__name__)

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


def org_id_by_name(conn: Connection, name: str) -> str:
    """The id of the organization called `name`; ValidationError naming `org` if none."""
    found = conn.execute(
        select(organizations.c.id).where(organizations.c.name == name.strip())
    ).scalar()
    if found is None:
        raise ValidationError(f"no organization called {name!r}", field="org")
    return str(found)


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


@dataclass(frozen=True, slots=True)
class RevokedKey:
    """A key `revoke_key` revoked: its id, its shown prefix and the hash processes cache."""

    id: str
    org_id: str
    hint: str
    key_hash: str


#: The event bus topic on which a revoked key's hash is announced to every process.
REVOKED_TOPIC = "api-key-revoked"


def revoke_key(conn: Connection, ref: str) -> list[RevokedKey]:
    """Revoke the key named by `ref`: its id (`key_...`), the whole key, or the prefix shown
    when it was made (`dgm_` and four characters). Already revoked keys are not matched; a
    prefix that several live keys share is refused. Announce the result after commit
    (`announce_revoked`), so that no process re-reads the key as valid after evicting it."""
    ref = ref.strip()
    live = api_keys.c.revoked_at.is_(None)
    if ref.startswith("key_"):
        match = api_keys.c.id == ref
    elif ref.startswith(KEY_PREFIX) and len(ref) > len(KEY_PREFIX) + 4:
        match = api_keys.c.key_hash == hash_key(ref)
    elif ref.startswith(KEY_PREFIX) and len(ref) == len(KEY_PREFIX) + 4:
        match = api_keys.c.hint == ref
    else:
        raise ValidationError(
            f"name the key by its id (key_...), the whole key, or its prefix "
            f"({KEY_PREFIX} and 4 characters), not {ref[:40]!r}",
            field="key",
        )
    rows = conn.execute(
        select(api_keys.c.id, api_keys.c.org_id, api_keys.c.hint, api_keys.c.key_hash).where(
            match, live
        )
    ).all()
    if not rows:
        raise NotFoundError(f"no active API key matches {ref[:40]!r}")
    if len(rows) > 1:
        ids = ", ".join(sorted(r.id for r in rows))
        raise ValidationError(
            f"the prefix {ref!r} matches {len(rows)} active keys ({ids}): give the key id",
            field="key",
        )
    conn.execute(update(api_keys).where(api_keys.c.id == rows[0].id).values(revoked_at=utcnow()))
    return [RevokedKey(r.id, r.org_id, r.hint, r.key_hash) for r in rows]


def announce_revoked(bus: EventBus, revoked: list[RevokedKey]) -> None:
    """Tell every process the bus reaches to forget the revoked keys at once (call after the
    revocation committed). Raises when the bus cannot carry it."""
    for key in revoked:
        bus.publish(REVOKED_TOPIC, key.key_hash)


class KeyCache:
    """Recently verified keys -> organization (a per-process object the caller owns). Saves
    a database round trip per request. Failures are never cached, and concurrent misses for
    one key share one lookup, so an expiry under load costs one query, not one per request
    in flight.

    A revoked key must stop working everywhere within a second. Following an event bus that
    reaches every process (`follow`), an entry lives `ttl` seconds and a revocation evicts
    it at once; an entry is not trusted while the bus is disconnected, nor after it
    reconnected (a revocation may have been missed meanwhile). Otherwise, an entry lives
    at most `unfollowed_ttl` seconds: other processes could not tell this one."""

    def __init__(
        self, ttl: float = 5.0, max_entries: int = 10_000, unfollowed_ttl: float = 1.0
    ) -> None:
        self.ttl = ttl
        self.unfollowed_ttl = unfollowed_ttl
        self.max_entries = max_entries
        self._entries: dict[str, tuple[float, int | None, Organization]] = {}
        self._evicted: dict[str, float] = {}  # key hash -> when a revocation arrived
        self._pending: dict[str, asyncio.Future[Organization]] = {}
        self._bus: EventBus | None = None
        self._unlisten: Callable[[], None] | None = None

    def follow(self, bus: EventBus) -> None:
        """Evict keys revoked anywhere, as `bus` announces them."""
        self._bus = bus
        self._unlisten = bus.listen(REVOKED_TOPIC, self.evict)

    def close(self) -> None:
        """Stop following the bus."""
        if self._unlisten is not None:
            self._unlisten()
            self._unlisten = None
        self._bus = None

    def evict(self, key_hash: str) -> None:
        """Forget a key by its hash (a revocation); a lookup in flight will not cache it."""
        now = time.monotonic()
        self._entries.pop(key_hash, None)
        self._evicted[key_hash] = now
        if len(self._evicted) > self.max_entries:
            self._evicted = {h: t for h, t in self._evicted.items() if now - t < self.ttl}

    def revoke(self, key_hashes: list[str]) -> None:
        """Evict keys or tokens revoked here (call after the revocation committed) and tell
        every process the followed bus reaches, as `announce_revoked` does for API keys. A
        bus that cannot carry it is disconnected, so the others distrust their caches."""
        for key_hash in key_hashes:
            self.evict(key_hash)
        bus = self._bus
        if bus is None:
            return
        try:
            for key_hash in key_hashes:
                bus.publish(REVOKED_TOPIC, key_hash)
        except Exception:  # the bus is down: other processes' caches distrust themselves
            log.warning("could not announce %d revocation(s) on the event bus", len(key_hashes))

    def _generation(self) -> tuple[bool, int | None]:
        """Whether a bus that reaches every process is followed, and its generation."""
        bus = self._bus
        if bus is None or not bus.spans_processes:
            return False, None
        return True, bus.generation

    def get(self, key: str) -> Organization | None:
        entry = self._entries.get(hash_key(key))
        if entry is None:
            return None
        stored_at, generation, org = entry
        age = time.monotonic() - stored_at
        following, now_generation = self._generation()
        if following:
            if generation is None or generation != now_generation or age > self.ttl:
                return None
        elif age > min(self.ttl, self.unfollowed_ttl):
            return None
        return org

    def put(self, key: str, org: Organization, *, looked_up_at: float | None = None) -> None:
        """Cache `org` for `key`, unless a revocation of it arrived since `looked_up_at`."""
        digest = hash_key(key)
        if looked_up_at is not None and self._evicted.get(digest, -1.0) >= looked_up_at:
            return
        if len(self._entries) >= self.max_entries:
            self._entries.clear()  # crude but bounded; keys re-verify on the next request
        self._entries[digest] = (time.monotonic(), self._generation()[1], org)

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
        started = time.monotonic()
        try:
            org = await anyio.to_thread.run_sync(lookup)
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # retrieved: waiters re-raise it, nobody logs it as lost
            raise
        finally:
            del self._pending[digest]
        self.put(key, org, looked_up_at=started)
        future.set_result(org)
        return org
