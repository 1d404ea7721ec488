"""The glossary table (its own module: tables.py is shared and near its size limit)."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, ForeignKey, Index, String, Table, Text

from dragoman.store.tables import UTCDateTime, metadata

glossary_terms = Table(
    "glossary_terms",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("org_id", String(40), ForeignKey("organizations.id"), nullable=False),
    Column("source_locale", String(35), nullable=False),
    Column("target_locale", String(35), nullable=False),
    Column("source_term", String(500), nullable=False),
    Column("target_term", String(500), nullable=False),
    Column("case_sensitive", Boolean, nullable=False),
    Column("do_not_translate", Boolean, nullable=False),
    Column("part_of_speech", String(40)),
    Column("note", Text),
    Column("created_at", UTCDateTime, nullable=False),
    Index(
        "uq_glossary_terms_source",
        "org_id",
        "source_locale",
        "target_locale",
        "source_term",
        unique=True,
    ),
)
