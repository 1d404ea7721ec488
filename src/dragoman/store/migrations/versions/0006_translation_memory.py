"""Translation memory: tm_entries, with a pg_trgm index for fuzzy matching on PostgreSQL

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-09 10:00:00

One row per translation unit of an organization and language pair: source, target, the
normalised source (placeholders and tags masked) with its hash for exact look-ups, the
context (key, previous segment's hash), origin and times. On PostgreSQL the pg_trgm
extension is created when the server offers it and the role may, and a trigram GIN index
narrows fuzzy candidates; without it the index falls back to the in-process word index.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tm_entries",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
        sa.Column("org_id", sa.String(40), nullable=False),
        sa.Column("source_locale", sa.String(35), nullable=False),
        sa.Column("target_locale", sa.String(35), nullable=False),
        sa.Column("source_hash", sa.BigInteger, nullable=False),
        sa.Column("entry_hash", sa.BigInteger, nullable=False),
        sa.Column("source_norm", sa.Text, nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("target", sa.Text, nullable=False),
        sa.Column("context_key", sa.Text),
        sa.Column("prev_hash", sa.BigInteger),
        sa.Column("origin", sa.String(10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True)),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organizations.id"], name=op.f("fk_tm_entries_org_id_organizations")
        ),
        sqlite_autoincrement=True,
    )
    op.create_index(
        "uq_tm_entries_lookup",
        "tm_entries",
        ["org_id", "source_locale", "target_locale", "source_hash", "entry_hash"],
        unique=True,
    )
    op.create_index(
        "ix_tm_entries_org_pair", "tm_entries", ["org_id", "source_locale", "target_locale", "id"]
    )
    bind = op.get_bind()
    if bind.dialect.name == "postgresql" and _create_trgm(bind):
        op.execute(
            "CREATE INDEX ix_tm_entries_trgm ON tm_entries USING gin (source_norm gin_trgm_ops)"
        )


def _create_trgm(bind: sa.Connection) -> bool:
    """Create pg_trgm if offered and allowed (it is a trusted extension since PostgreSQL 13)."""
    available = bind.execute(
        sa.text("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")
    ).first()
    if available is None:
        return False
    try:
        with bind.begin_nested():
            bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
    except sa.exc.DBAPIError:  # no right to create it: fuzzy look-ups use the word index
        return False
    return True


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_tm_entries_trgm")
    op.drop_index("ix_tm_entries_org_pair", "tm_entries")
    op.drop_index("uq_tm_entries_lookup", "tm_entries")
    op.drop_table("tm_entries")
