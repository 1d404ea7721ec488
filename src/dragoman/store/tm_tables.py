"""The translation-memory table (its own module: tables.py is shared and near its size limit)."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
)

from dragoman.store.tables import UTCDateTime, metadata

# SQLite's rowid alias must be INTEGER; AUTOINCREMENT keeps ids of deleted rows from being
# reused, so an in-process index that remembers the highest id it has seen stays right.
_ID = BigInteger().with_variant(Integer(), "sqlite")

tm_entries = Table(
    "tm_entries",
    metadata,
    Column("id", _ID, primary_key=True, autoincrement=True),
    Column("org_id", String(40), ForeignKey("organizations.id"), nullable=False),
    Column("source_locale", String(35), nullable=False),
    Column("target_locale", String(35), nullable=False),
    Column("source_hash", BigInteger, nullable=False),  # of the normalised source
    Column("entry_hash", BigInteger, nullable=False),  # of source, target and context: dedupe
    Column("source_norm", Text, nullable=False),
    Column("source", Text, nullable=False),
    Column("target", Text, nullable=False),
    Column("context_key", Text),
    Column("prev_hash", BigInteger),  # of the previous segment's normalised source
    Column("origin", String(10), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("last_used_at", UTCDateTime),
    Index(
        "uq_tm_entries_lookup",
        "org_id",
        "source_locale",
        "target_locale",
        "source_hash",
        "entry_hash",
        unique=True,
    ),
    Index("ix_tm_entries_org_pair", "org_id", "source_locale", "target_locale", "id"),
    sqlite_autoincrement=True,
)

# The word index of a pair as bytes (`WordIndex.dumps`): a new process loads it and indexes
# only the entries added since (`max_id`), instead of reading and splitting every entry.
tm_word_snapshots = Table(
    "tm_word_snapshots",
    metadata,
    Column("org_id", String(40), nullable=False),
    Column("source_locale", String(35), nullable=False),
    Column("target_locale", String(35), nullable=False),
    Column("max_id", BigInteger, nullable=False),
    Column("size", Integer, nullable=False),
    Column("data", LargeBinary, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    PrimaryKeyConstraint("org_id", "source_locale", "target_locale"),
)
