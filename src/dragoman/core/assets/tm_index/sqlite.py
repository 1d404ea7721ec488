"""SqlTmIndex: entries in the `tm_entries` table; fuzzy candidates from a cached word index.

Works on any SQL database (SQLite by default). The word index of a pair is kept per process
(least recently used pairs dropped past `max_pairs`); a process that lacks it loads the
pair's snapshot (`tm_word_snapshots`, written by imports and whenever an index grew a lot)
or builds it from the rows. Each look-up first indexes the rows added since (ids only
grow), so other processes' additions count.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, and_, delete, func, insert, or_, select, update
from sqlalchemy.sql.elements import ColumnElement

from dragoman.core.assets.tm_index.base import Candidate, Entry, NewEntry, Origin, Pair, TmIndex
from dragoman.core.assets.tm_index.rows import Row as InsertRow
from dragoman.core.assets.tm_index.rows import insert_entries, insert_rows
from dragoman.core.assets.tm_index.words import WordIndex
from dragoman.store.db import Database
from dragoman.store.tm_tables import tm_entries as t
from dragoman.store.tm_tables import tm_word_snapshots as snaps
from dragoman.timefmt import utcnow

_CHUNK = 500  # ids per IN list: below SQLite's variable limit on every build
# A snapshot is written when an index is first built or grew by this many entries (or a
# quarter) since the one loaded; smaller indexes rebuild in well under a second.
_SNAPSHOT_MIN = 50_000
_ENTRY_COLUMNS = (
    t.c.id,
    t.c.source_locale,
    t.c.target_locale,
    t.c.source,
    t.c.target,
    t.c.source_norm,
    t.c.context_key,
    t.c.prev_hash,
    t.c.origin,
    t.c.created_at,
    t.c.last_used_at,
)


def pair_filter(org_id: str, pair: Pair) -> ColumnElement[bool]:
    """The WHERE clause of one organization's pair."""
    return and_(
        t.c.org_id == org_id, t.c.source_locale == pair.source, t.c.target_locale == pair.target
    )


def entry_from_row(row: Row[Any] | Any) -> Entry:
    """An Entry from a row selected with the entry columns."""
    return Entry(
        row.id,
        Pair(row.source_locale, row.target_locale),
        row.source,
        row.target,
        row.source_norm,
        row.context_key,
        row.prev_hash,
        Origin(row.origin),
        row.created_at,
        row.last_used_at,
    )


class SqlTmIndex(TmIndex):
    """The table-backed index; PostgresTmIndex replaces only how fuzzy candidates are found."""

    def __init__(self, db: Database, *, max_pairs: int = 16) -> None:
        self.db = db
        self.max_pairs = max_pairs
        self._lock = threading.Lock()
        self._words: OrderedDict[tuple[str, Pair], WordIndex] = OrderedDict()
        self._saved: dict[tuple[str, Pair], int] = {}  # size of the last snapshot

    def add(self, org_id: str, pair: Pair, entries: Iterable[NewEntry]) -> int:
        with self.db.write() as conn:
            return insert_entries(conn, org_id, pair, entries)

    def exact(self, org_id: str, pair: Pair, hashes: Iterable[int]) -> dict[int, list[Entry]]:
        wanted = sorted(set(hashes))
        found: dict[int, list[Entry]] = {}
        with self.db.read() as conn:
            for start in range(0, len(wanted), _CHUNK):
                chunk = wanted[start : start + _CHUNK]
                rows = conn.execute(
                    select(t.c.source_hash, *_ENTRY_COLUMNS).where(
                        pair_filter(org_id, pair), t.c.source_hash.in_(chunk)
                    )
                )
                for row in rows:
                    found.setdefault(row.source_hash, []).append(entry_from_row(row))
        return found

    def fuzzy(
        self, org_id: str, pair: Pair, queries: Sequence[str], limit: int
    ) -> list[list[Candidate]]:
        with self._lock:
            words = self._word_index(org_id, pair)
            ids = [words.candidates(q, limit) for q in queries]
        wanted = sorted({i for found in ids for i in found})
        rows: dict[int, Candidate] = {}
        with self.db.read() as conn:
            for start in range(0, len(wanted), _CHUNK):
                chunk = wanted[start : start + _CHUNK]
                # By primary key, the organization checked here: with `org_id` in the WHERE
                # clause SQLite walks the organization's index instead.
                query = select(t.c.id, t.c.source_norm, t.c.origin, t.c.org_id).where(
                    t.c.id.in_(chunk)
                )
                for entry_id, norm, origin, owner in conn.execute(query):
                    if owner == org_id:
                        rows[entry_id] = Candidate(entry_id, norm, Origin(origin))
        return [[rows[i] for i in found if i in rows] for found in ids]

    def _word_index(self, org_id: str, pair: Pair, *, snapshot: bool = True) -> WordIndex:
        """The pair's word index, caught up with the rows added since (under the lock)."""
        key = (org_id, pair)
        words = self._words.get(key)
        if words is None:
            words = self._load_snapshot(org_id, pair) or WordIndex()
            self._saved[key] = words.size
            self._words[key] = words
            while len(self._words) > self.max_pairs:
                old, _ = self._words.popitem(last=False)
                self._saved.pop(old, None)
        self._words.move_to_end(key)
        with self.db.read() as conn:
            rows = conn.execute(
                select(t.c.id, t.c.source_norm)
                .where(pair_filter(org_id, pair), t.c.id > words.max_id)
                .order_by(t.c.id)
            )
            words.add((r[0], r[1]) for r in rows)
        grown = words.size - self._saved.get(key, 0)
        if snapshot and grown >= max(_SNAPSHOT_MIN, words.size // 4):
            self._save_snapshot(org_id, pair, words)
        return words

    def add_rows(self, org_id: str, pair: Pair, rows: Iterable[InsertRow]) -> int:
        """Store rows built by `entry_rows` (an import's reader process builds them)."""
        with self.db.write() as conn:
            return insert_rows(conn, rows)

    def catch_up(self, org_id: str, pair: Pair) -> None:
        """Index the rows added since the last look-up now (during an import), without
        writing a snapshot."""
        with self._lock:
            self._word_index(org_id, pair, snapshot=False)

    def persist(self, org_id: str, pair: Pair) -> None:
        """Bring the pair's word index up to date and store its snapshot (after an import)."""
        with self._lock:
            words = self._word_index(org_id, pair)
            if self._saved.get((org_id, pair)) != words.size:
                self._save_snapshot(org_id, pair, words)

    def _load_snapshot(self, org_id: str, pair: Pair) -> WordIndex | None:
        with self.db.read() as conn:
            data = conn.execute(
                select(snaps.c.data).where(
                    snaps.c.org_id == org_id,
                    snaps.c.source_locale == pair.source,
                    snaps.c.target_locale == pair.target,
                )
            ).scalar()
        return WordIndex.loads(bytes(data)) if data is not None else None

    def _save_snapshot(self, org_id: str, pair: Pair, words: WordIndex) -> None:
        data = words.dumps()
        where = (
            snaps.c.org_id == org_id,
            snaps.c.source_locale == pair.source,
            snaps.c.target_locale == pair.target,
        )
        with self.db.write() as conn:
            conn.execute(delete(snaps).where(*where))
            conn.execute(
                insert(snaps).values(
                    org_id=org_id, source_locale=pair.source, target_locale=pair.target,
                    max_id=words.max_id, size=words.size, data=data, created_at=utcnow(),
                )
            )  # fmt: skip
        self._saved[(org_id, pair)] = words.size

    def fetch(self, org_id: str, ids: Iterable[int]) -> dict[int, Entry]:
        wanted = sorted(ids)
        found: dict[int, Entry] = {}
        with self.db.read() as conn:
            for start in range(0, len(wanted), _CHUNK):
                chunk = wanted[start : start + _CHUNK]
                rows = conn.execute(select(*_ENTRY_COLUMNS, t.c.org_id).where(t.c.id.in_(chunk)))
                found.update((row.id, entry_from_row(row)) for row in rows if row.org_id == org_id)
        return found

    def search(
        self, org_id: str, pair: Pair | None, q: str | None, *, limit: int, offset: int = 0
    ) -> list[Entry]:
        query = select(*_ENTRY_COLUMNS).where(t.c.org_id == org_id)
        if pair is not None:
            query = query.where(pair_filter(org_id, pair))
        if q:
            pattern = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            query = query.where(
                or_(t.c.source.ilike(pattern, escape="\\"), t.c.target.ilike(pattern, escape="\\"))
            )
        query = query.order_by(t.c.id.desc()).limit(limit).offset(offset)
        with self.db.read() as conn:
            return [entry_from_row(row) for row in conn.execute(query)]

    def delete(self, org_id: str, ids: Iterable[int]) -> int:
        wanted = sorted(set(ids))
        deleted = 0
        with self.db.write() as conn:
            for start in range(0, len(wanted), _CHUNK):
                chunk = wanted[start : start + _CHUNK]
                result = conn.execute(delete(t).where(t.c.org_id == org_id, t.c.id.in_(chunk)))
                deleted += result.rowcount
        return deleted

    def iter_entries(self, org_id: str, pair: Pair) -> Iterator[Entry]:
        last = 0
        while True:  # keyset pages: no transaction held open across the caller's writes
            with self.db.read() as conn:
                rows = conn.execute(
                    select(*_ENTRY_COLUMNS)
                    .where(pair_filter(org_id, pair), t.c.id > last)
                    .order_by(t.c.id)
                    .limit(5_000)
                ).all()
            if not rows:
                return
            for row in rows:
                yield entry_from_row(row)
            last = rows[-1].id

    def has_entries(self, org_id: str, pair: Pair) -> bool:
        with self.db.read() as conn:
            found = conn.execute(
                select(t.c.id)
                .where(
                    t.c.org_id == org_id,
                    t.c.source_locale == pair.source,
                    t.c.target_locale == pair.target,
                )
                .limit(1)
            ).first()
        return found is not None

    def pairs(self, org_id: str) -> list[tuple[Pair, int]]:
        with self.db.read() as conn:
            rows = conn.execute(
                select(t.c.source_locale, t.c.target_locale, func.count())
                .where(t.c.org_id == org_id)
                .group_by(t.c.source_locale, t.c.target_locale)
                .order_by(t.c.source_locale, t.c.target_locale)
            )
            return [(Pair(s, tgt), n) for s, tgt, n in rows]

    def touch(self, ids: Iterable[int], when: datetime) -> None:
        wanted = sorted(set(ids))
        if not wanted:
            return
        with self.db.write() as conn:
            for start in range(0, len(wanted), _CHUNK):
                chunk = wanted[start : start + _CHUNK]
                conn.execute(update(t).where(t.c.id.in_(chunk)).values(last_used_at=when))
