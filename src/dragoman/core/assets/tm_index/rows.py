"""Inserting entries at the driver level: a million-row import cannot afford SQLAlchemy's
per-row work. `entry_rows` turns entries into the statement's parameter tuples (a TMX
reader in another process builds them), `insert_rows` stores them, skipping duplicates."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection

from dragoman.core.assets.tm_index.base import NewEntry, Pair

Row = tuple[Any, ...]  # the INSERT's parameters, in column order

_SQLITE_INSERT = (
    "INSERT OR IGNORE INTO tm_entries (org_id, source_locale, target_locale, source_hash, "
    "entry_hash, source_norm, source, target, context_key, prev_hash, origin, created_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_PG_INSERT = (
    "INSERT INTO tm_entries (org_id, source_locale, target_locale, source_hash, "
    "entry_hash, source_norm, source, target, context_key, prev_hash, origin, created_at) "
    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING"
)
_INSERT_BATCH = 2_000
_COPY_FROM = 500  # PostgreSQL batches this large go through COPY
_COLUMNS = (
    "org_id, source_locale, target_locale, source_hash, entry_hash, source_norm, source, "
    "target, context_key, prev_hash, origin, created_at"
)
_PG_INSERT_LOADED = (
    f"INSERT INTO tm_entries ({_COLUMNS}) SELECT {_COLUMNS} FROM tm_entries_load "  # noqa: S608 - constants only
    "ON CONFLICT DO NOTHING"
)
_PG_COLUMN_TYPES = (
    "org_id varchar(40), source_locale varchar(35), target_locale varchar(35), "
    "source_hash bigint, entry_hash bigint, source_norm text, source text, target text, "
    "context_key text, prev_hash bigint, origin varchar(10), created_at timestamptz"
)
# SQLite's page cache for connections that insert entries (KiB; pages are taken as needed):
# the default 2 MB makes a million-row import re-read its indexes from the OS at every step.
_SQLITE_CACHE_KIB = 131_072


def entry_rows(org_id: str, pair: Pair, entries: Iterable[NewEntry], sqlite: bool) -> Iterator[Row]:
    """The INSERT parameters of each entry (SQLite keeps naive UTC text, as UTCDateTime
    writes it; PostgreSQL takes the datetime)."""
    source, target = pair.source, pair.target
    stamp_of: datetime | None = None
    stamp: Any = None
    for new in entries:
        if new.created_at is not stamp_of:  # an import's entries share one time
            stamp_of = new.created_at
            created = new.created_at.astimezone(UTC)
            stamp = (
                created.replace(tzinfo=None).isoformat(" ", "microseconds") if sqlite else created
            )
        yield (
            org_id, source, target, new.source_hash, new.entry_hash, new.source_norm,
            new.source, new.target, new.context_key, new.prev_hash, new.origin.value, stamp,
        )  # fmt: skip


def insert_rows(conn: Connection, rows: Iterable[Row]) -> int:
    """Insert rows from `entry_rows` in the caller's transaction; returns how many were new."""
    sqlite = conn.dialect.name == "sqlite"
    if sqlite:
        conn.exec_driver_sql(f"PRAGMA cache_size = -{_SQLITE_CACHE_KIB}")
    added = 0
    batch: list[Row] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= _INSERT_BATCH:
            added += _insert(conn, batch, sqlite)
            batch = []
    if batch:
        added += _insert(conn, batch, sqlite)
    return added


def insert_entries(conn: Connection, org_id: str, pair: Pair, entries: Iterable[NewEntry]) -> int:
    """Insert entries in the caller's transaction, skipping duplicates; returns how many
    were new (so an approval can write its units in the transaction that approves them)."""
    sqlite = conn.dialect.name == "sqlite"
    return insert_rows(conn, entry_rows(org_id, pair, entries, sqlite))


def _insert(conn: Connection, batch: list[Row], sqlite: bool) -> int:
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]  # open
    try:
        if not sqlite and len(batch) >= _COPY_FROM:
            return _copy_insert(cursor, batch)
        cursor.executemany(_SQLITE_INSERT if sqlite else _PG_INSERT, batch)
        return int(cursor.rowcount)
    finally:
        cursor.close()


def _copy_insert(cursor: Any, batch: list[Row]) -> int:
    """PostgreSQL: COPY into a temporary table, then one INSERT ... SELECT (a statement per
    row costs the server several times more)."""
    cursor.execute(
        "CREATE TEMP TABLE IF NOT EXISTS tm_entries_load "
        f"({_PG_COLUMN_TYPES}) ON COMMIT DELETE ROWS"
    )
    with cursor.copy(f"COPY tm_entries_load ({_COLUMNS}) FROM STDIN") as copy:
        for row in batch:
            copy.write_row(row)
    cursor.execute(_PG_INSERT_LOADED)
    added = int(cursor.rowcount)
    cursor.execute("TRUNCATE tm_entries_load")
    return added
