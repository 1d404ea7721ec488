"""Translators: people of an organization who take human jobs of their language pairs and
tier, each with a key (random, prefixed, stored only as a SHA-256 hash, like API keys)."""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, insert, or_, select, update

from dragoman.core.assets.tm import parse_pair
from dragoman.core.orgs import hash_key
from dragoman.errors import AuthenticationError, NotFoundError, ValidationError
from dragoman.ids import new_id
from dragoman.store.review_tables import translators
from dragoman.timefmt import utcnow

KEY_PREFIX = "dtr_"  # translator keys; OAuth access tokens are dgt_


class Tier(StrEnum):
    """The quality level of human work (Gengo's tiers)."""

    STANDARD = "standard"
    PRO = "pro"


def tier_of(value: str, field: str = "tier") -> Tier:
    """`value` as a Tier; ValidationError naming `field` otherwise."""
    try:
        return Tier(value.strip().lower())
    except ValueError:
        raise ValidationError(
            f"{field} must be one of standard, pro (not {value[:40]!r})", field=field
        ) from None


@dataclass(frozen=True, slots=True)
class Translator:
    """A person who takes jobs: their organization, language pairs (`en:es`) and tier."""

    id: str
    org_id: str
    name: str
    pairs: tuple[str, ...]
    tier: Tier
    hint: str = ""
    created_at: datetime | None = None
    revoked_at: datetime | None = None
    preferred: bool = False  # sees `use_preferred` jobs before other translators

    def covers(self, source: str, target: str) -> bool:
        """Whether one of the translator's pairs serves `source` -> `target` (a pair of
        languages serves their regional variants too)."""
        return any(
            _matches(p.split(":")[0], source) and _matches(p.split(":")[1], target)
            for p in self.pairs
        )


def _matches(pair_tag: str, tag: str) -> bool:
    return tag == pair_tag or tag.startswith(pair_tag + "-")


def pair_filter(
    pairs: Sequence[str], source: ColumnElement[Any], target: ColumnElement[Any]
) -> ColumnElement[bool]:
    """A WHERE clause: the row's locales fall in one of `pairs` (as `covers` decides)."""
    return or_(
        *(
            and_(
                or_(source == s, source.like(f"{s}-%")),
                or_(target == t, target.like(f"{t}-%")),
            )
            for s, t in (p.split(":") for p in pairs)
        )
    )


def parse_pairs(text: str | Sequence[str]) -> tuple[str, ...]:
    """`en-es,en-fr` (or a list) as canonical `source:target` strings, deduplicated."""
    items = text.split(",") if isinstance(text, str) else list(text)
    pairs: list[str] = []
    for item in items:
        if not item.strip():
            continue
        pair = parse_pair(item.strip())
        if str(pair) not in pairs:
            pairs.append(str(pair))
    if not pairs:
        raise ValidationError("pairs must name at least one pair such as en-es", field="pairs")
    return tuple(pairs)


def _record(row: Any) -> Translator:
    return Translator(
        row.id, row.org_id, row.name, tuple(row.pairs), Tier(row.tier), row.hint,
        row.created_at, row.revoked_at, bool(row.preferred),
    )  # fmt: skip


def create_translator(
    conn: Connection,
    org_id: str,
    name: str,
    pairs: str | Sequence[str],
    tier: str = "standard",
    *,
    preferred: bool = False,
) -> tuple[Translator, str]:
    """A new translator and their key (the plaintext is returned once and never stored)."""
    name = name.strip()
    if not name or len(name) > 200:
        raise ValidationError("name must be 1-200 characters", field="name")
    chosen = parse_pairs(pairs)
    level = tier_of(tier)
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    translator_id = new_id("trn")
    conn.execute(
        insert(translators).values(
            id=translator_id, org_id=org_id, name=name, pairs=list(chosen), tier=str(level),
            key_hash=hash_key(key), hint=key[: len(KEY_PREFIX) + 4], created_at=utcnow(),
            preferred=preferred,
        )
    )  # fmt: skip
    return get_translator(conn, org_id, translator_id), key


def get_translator(conn: Connection, org_id: str, translator_id: str) -> Translator:
    """The organization's translator; NotFoundError otherwise."""
    row = conn.execute(
        select(translators).where(translators.c.id == translator_id, translators.c.org_id == org_id)
    ).first()
    if row is None:
        raise NotFoundError(f"translator {translator_id[:60]!r} not found", field="translator")
    return _record(row)


def list_translators(conn: Connection, org_id: str) -> list[Translator]:
    """The organization's translators, oldest first (revoked ones included)."""
    rows = conn.execute(
        select(translators)
        .where(translators.c.org_id == org_id)
        .order_by(translators.c.created_at, translators.c.id)
    )
    return [_record(r) for r in rows]


def revoke_translator(conn: Connection, org_id: str, ref: str) -> Translator:
    """Revoke a translator's key, by translator id or key prefix; NotFoundError otherwise."""
    row = _active(conn, org_id, ref)
    conn.execute(update(translators).where(translators.c.id == row.id).values(revoked_at=utcnow()))
    return _record(row)


def set_preferred(conn: Connection, org_id: str, ref: str, preferred: bool = True) -> Translator:
    """Mark an active translator (by id or key prefix) preferred, or not; NotFoundError
    otherwise."""
    row = _active(conn, org_id, ref)
    conn.execute(update(translators).where(translators.c.id == row.id).values(preferred=preferred))
    return get_translator(conn, org_id, row.id)


def _active(conn: Connection, org_id: str, ref: str) -> Any:
    ref = ref.strip()
    column = translators.c.id if ref.startswith("trn_") else translators.c.hint
    row = conn.execute(
        select(translators).where(
            column == ref, translators.c.org_id == org_id, translators.c.revoked_at.is_(None)
        )
    ).first()
    if row is None:
        raise NotFoundError(f"no active translator matches {ref[:60]!r}", field="translator")
    return row


def authenticate(conn: Connection, key: str | None) -> Translator:
    """The translator owning `key`; AuthenticationError for a missing, unknown or revoked key."""
    if not key:
        raise AuthenticationError("a translator key is required (send it in X-API-Key)")
    row = conn.execute(
        select(translators).where(
            translators.c.key_hash == hash_key(key), translators.c.revoked_at.is_(None)
        )
    ).first()
    if row is None:
        raise AuthenticationError("the translator key is not valid")
    return _record(row)


class TranslatorCache:
    """Recently verified translator keys, for at most `ttl` seconds (a revocation elsewhere
    takes effect within that time); failures are never cached."""

    def __init__(self, ttl: float = 1.0, max_entries: int = 10_000) -> None:
        self.ttl = ttl
        self.max_entries = max_entries
        self._entries: dict[str, tuple[float, Translator]] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> Translator | None:
        """The cached translator of `key`, if verified less than `ttl` seconds ago."""
        with self._lock:
            entry = self._entries.get(hash_key(key))
        if entry is None or time.monotonic() - entry[0] > self.ttl:
            return None
        return entry[1]

    def put(self, key: str, translator: Translator) -> None:
        """Remember `translator` for `key`."""
        with self._lock:
            if len(self._entries) >= self.max_entries:
                self._entries.clear()
            self._entries[hash_key(key)] = (time.monotonic(), translator)

    def evict(self, translator_id: str) -> None:
        """Forget every key of a translator (revoked in this process)."""
        with self._lock:
            self._entries = {h: e for h, e in self._entries.items() if e[1].id != translator_id}
