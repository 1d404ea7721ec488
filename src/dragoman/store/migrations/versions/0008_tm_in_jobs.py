"""Translation memory in jobs: the organization's machine-output setting, job metrics, word
index snapshots

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-09 14:00:00

`organizations.tm_store_machine` says whether completed jobs' machine output is written to
the organization's translation memory (off by default: approved human work always is).
`jobs.metrics` holds what a job's run measured, e.g. how many units came from the TM.
`tm_word_snapshots` keeps each pair's fuzzy-candidate word index as bytes, so a new process
loads it instead of rebuilding it from every entry. PostgreSQL's trigram index of 0006 goes:
fuzzy candidates come from the word index there too (the GIN index narrowed too little and
slowed every insert); the pg_trgm extension stays.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("organizations") as batch:
        batch.add_column(
            sa.Column("tm_store_machine", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("jobs") as batch:
        batch.add_column(sa.Column("metrics", sa.JSON(), nullable=True))
    op.create_table(
        "tm_word_snapshots",
        sa.Column("org_id", sa.String(40), nullable=False),
        sa.Column("source_locale", sa.String(35), nullable=False),
        sa.Column("target_locale", sa.String(35), nullable=False),
        sa.Column("max_id", sa.BigInteger(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint(
            "org_id", "source_locale", "target_locale", name=op.f("pk_tm_word_snapshots")
        ),
    )
    op.execute("DROP INDEX IF EXISTS ix_tm_entries_trgm")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN "
            "CREATE INDEX IF NOT EXISTS ix_tm_entries_trgm ON tm_entries "
            "USING gin (source_norm gin_trgm_ops); END IF; END $$"
        )
    op.drop_table("tm_word_snapshots")
    with op.batch_alter_table("jobs") as batch:
        batch.drop_column("metrics")
    with op.batch_alter_table("organizations") as batch:
        batch.drop_column("tm_store_machine")
