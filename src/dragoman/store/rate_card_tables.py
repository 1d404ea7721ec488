"""The rate-card table (its own module: tables.py is shared and near its size limit).

Money and fractions are decimal strings: SQLite has no exact decimal type, and a float would
turn 0.10 into 0.1000000000000000055.
"""

from __future__ import annotations

from sqlalchemy import JSON, Column, ForeignKey, Index, String, Table

from dragoman.store.tables import UTCDateTime, metadata

rate_cards = Table(
    "rate_cards",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("org_id", String(40), ForeignKey("organizations.id"), nullable=False),
    Column("service_level", String(40), nullable=False),  # or "*"
    Column("source_locale", String(35), nullable=False),  # or "*"
    Column("target_locale", String(35), nullable=False),  # or "*"
    Column("currency", String(3), nullable=False),
    Column("rate_per_word", String(40), nullable=False),
    Column("weights", JSON, nullable=False),  # band name -> decimal string
    Column("minimum_charge", String(40), nullable=False),
    Column("vat_rate", String(40), nullable=False),  # a fraction: 0.21
    Column("discount", String(40), nullable=False),  # a fraction: 0.05
    Column("created_at", UTCDateTime, nullable=False),
    Index(
        "uq_rate_cards_scope",
        "org_id",
        "service_level",
        "source_locale",
        "target_locale",
        unique=True,
    ),
)
