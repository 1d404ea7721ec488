"""Human pool rules and Gengo services: exclusions, edit pass, groups, preferred translators,
order comments

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-12 06:00:00

`human_jobs` gains `excluded` (",trn_a,trn_b,": translators who may not take the job again:
those whose delivery was rejected, and the translator of a job's first pass during its edit
pass), `needs_edit` and `edit_pass` (Gengo's `services: [translation, edit]`), `bundle_id`
(jobs a translator takes together: Gengo's `as_group`) and `preferred_until` (only preferred
translators see the job before then: Gengo's `use_preferred`); `translators` gains
`preferred`; `gengo_file_quotes` gains `ordered_at` (a quote never ordered is deleted after
the content retention); `gengo_order_comments` holds the comment threads of Gengo orders.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("human_jobs") as batch:
        batch.add_column(sa.Column("excluded", sa.Text(), nullable=True))
        batch.add_column(
            sa.Column("needs_edit", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(
            sa.Column("edit_pass", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(sa.Column("bundle_id", sa.String(40), nullable=True))
        batch.add_column(sa.Column("preferred_until", sa.DateTime(timezone=True), nullable=True))
        batch.create_index("ix_human_jobs_bundle", ["bundle_id"])
    with op.batch_alter_table("translators") as batch:
        batch.add_column(
            sa.Column("preferred", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("gengo_file_quotes") as batch:
        batch.add_column(sa.Column("ordered_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "gengo_order_comments",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("order_id", sa.String(40), nullable=False),
        sa.Column("org_id", sa.String(40), nullable=False),
        sa.Column("author", sa.String(20), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index(
        "ix_gengo_order_comments_order", "gengo_order_comments", ["order_id", "created_at"]
    )


def downgrade() -> None:
    op.drop_table("gengo_order_comments")
    with op.batch_alter_table("gengo_file_quotes") as batch:
        batch.drop_column("ordered_at")
    with op.batch_alter_table("translators") as batch:
        batch.drop_column("preferred")
    with op.batch_alter_table("human_jobs") as batch:
        batch.drop_index("ix_human_jobs_bundle")
        for name in ("preferred_until", "bundle_id", "edit_pass", "needs_edit", "excluded"):
            batch.drop_column(name)
