"""Human work: translators, human_jobs, job_units, job_revisions, job_comments, job_feedback,
credit_balances, tier_rates

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-09 15:00:00

A job in the human workflow has a `human_jobs` row (tier, assignee, review deadline, price);
its working units and each delivered version are kept; translators authenticate with keys
stored as SHA-256 hashes; organizations spend integer micro-credits on human orders.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "translators",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("org_id", sa.String(40), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("pairs", sa.JSON, nullable=False),
        sa.Column("tier", sa.String(20), nullable=False),
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("hint", sa.String(20), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("revoked_at", _TS),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organizations.id"], name=op.f("fk_translators_org_id_organizations")
        ),
        sa.UniqueConstraint("key_hash", name=op.f("uq_translators_key_hash")),
    )
    op.create_index("ix_translators_org_id", "translators", ["org_id"])
    op.create_table(
        "human_jobs",
        sa.Column("job_id", sa.String(40), primary_key=True),
        sa.Column("org_id", sa.String(40), nullable=False),
        sa.Column("source_locale", sa.String(64), nullable=False),
        sa.Column("target_locale", sa.String(64), nullable=False),
        sa.Column("tier", sa.String(20), nullable=False),
        sa.Column("auto_approve", sa.Boolean, nullable=False),
        sa.Column("review_hours", sa.Float),
        sa.Column("instructions", sa.Text),
        sa.Column("attachments", sa.JSON),
        sa.Column("max_chars", sa.Integer),
        sa.Column("unit_count", sa.Integer, nullable=False),
        sa.Column("credits_micros", sa.BigInteger, nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("eta_seconds", sa.Integer, nullable=False),
        sa.Column("assignee_id", sa.String(40)),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("ready_at", _TS),
        sa.Column("taken_at", _TS),
        sa.Column("delivered_at", _TS),
        sa.Column("review_due_at", _TS),
        sa.Column("created_at", _TS, nullable=False),
    )
    op.create_index(
        "ix_human_jobs_pool",
        "human_jobs",
        ["org_id", "source_locale", "target_locale", "ready_at"],
    )
    op.create_index("ix_human_jobs_assignee", "human_jobs", ["assignee_id"])
    op.create_index(
        "ix_human_jobs_review_due",
        "human_jobs",
        ["review_due_at"],
        sqlite_where=sa.text("review_due_at IS NOT NULL"),
        postgresql_where=sa.text("review_due_at IS NOT NULL"),
    )
    op.create_table(
        "job_units",
        sa.Column("job_id", sa.String(40), primary_key=True),
        sa.Column("segment", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("unit_id", sa.Text, nullable=False),
        sa.Column("category", sa.String(10)),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("machine", sa.Text),
        sa.Column("target", sa.Text),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("max_length", sa.Integer),
        sa.Column("note", sa.Text),
    )
    op.create_table(
        "job_revisions",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("job_id", sa.String(40), nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("translator_id", sa.String(40)),
        sa.Column("targets", sa.JSON, nullable=False),
        sa.Column("output", sa.Text),
        sa.Column("artifact_id", sa.String(40)),
        sa.Column("created_at", _TS, nullable=False),
    )
    op.create_index("uq_job_revisions_number", "job_revisions", ["job_id", "number"], unique=True)
    op.create_table(
        "job_comments",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("job_id", sa.String(40), nullable=False),
        sa.Column("org_id", sa.String(40), nullable=False),
        sa.Column("author", sa.String(20), nullable=False),
        sa.Column("author_id", sa.String(40)),
        sa.Column("author_name", sa.String(200)),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("created_at", _TS, nullable=False),
    )
    op.create_index("ix_job_comments_job", "job_comments", ["job_id", "created_at"])
    op.create_table(
        "job_feedback",
        sa.Column("job_id", sa.String(40), primary_key=True),
        sa.Column("rating", sa.Integer),
        sa.Column("text", sa.Text),
        sa.Column("created_at", _TS, nullable=False),
    )
    op.create_table(
        "credit_balances",
        sa.Column("org_id", sa.String(40), primary_key=True),
        sa.Column("balance_micros", sa.BigInteger, nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organizations.id"], name=op.f("fk_credit_balances_org_id_organizations")
        ),
    )
    op.create_table(
        "tier_rates",
        sa.Column("org_id", sa.String(40), primary_key=True),
        sa.Column("tier", sa.String(20), primary_key=True),
        sa.Column("source_locale", sa.String(64), primary_key=True),
        sa.Column("target_locale", sa.String(64), primary_key=True),
        sa.Column("per_unit_micros", sa.BigInteger, nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organizations.id"], name=op.f("fk_tier_rates_org_id_organizations")
        ),
    )


def downgrade() -> None:
    for name in ("tier_rates", "credit_balances", "job_feedback"):
        op.drop_table(name)
    op.drop_index("ix_job_comments_job", "job_comments")
    op.drop_table("job_comments")
    op.drop_index("uq_job_revisions_number", "job_revisions")
    op.drop_table("job_revisions")
    op.drop_table("job_units")
    for index in ("ix_human_jobs_review_due", "ix_human_jobs_assignee", "ix_human_jobs_pool"):
        op.drop_index(index, "human_jobs")
    op.drop_table("human_jobs")
    op.drop_index("ix_translators_org_id", "translators")
    op.drop_table("translators")
