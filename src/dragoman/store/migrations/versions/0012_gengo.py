"""Gengo: key pairs, seen signed requests, file quotes, orders and jobs

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-10 06:00:00

`gengo_keys` (public key -> organization and private key, which HMAC needs in clear),
`gengo_seen_requests` (fingerprints of signed state-changing requests within the ts window:
replays are refused), `gengo_file_quotes` (files uploaded with a quote, ordered later by
their identifier), `gengo_orders` (integer order ids, the jobs of each order) and
`gengo_jobs` (a job's Gengo fields: integer id, slug, custom data, callback URL, position,
duplicate-detection hash).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def _tz() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "gengo_keys",
        sa.Column("public_key", sa.String(80), primary_key=True),
        sa.Column("org_id", sa.String(40), nullable=False),
        sa.Column("private_key", sa.String(128), nullable=False),
        sa.Column("created_at", _tz(), nullable=False),
        sa.Column("revoked_at", _tz()),
    )
    op.create_index("ix_gengo_keys_org_id", "gengo_keys", ["org_id"])
    op.create_table(
        "gengo_seen_requests",
        sa.Column("fingerprint", sa.String(64), primary_key=True),
        sa.Column("seen_at", _tz(), nullable=False),
    )
    op.create_index("ix_gengo_seen_requests_seen_at", "gengo_seen_requests", ["seen_at"])
    op.create_table(
        "gengo_orders",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("number", sa.BigInteger, nullable=False, unique=True),
        sa.Column("org_id", sa.String(40), nullable=False),
        sa.Column("as_group", sa.Boolean, nullable=False),
        sa.Column("comment", sa.Text),
        sa.Column("job_ids", sa.JSON, nullable=False),
        sa.Column("credits_micros", sa.BigInteger, nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("created_at", _tz(), nullable=False),
    )
    op.create_index("ix_gengo_orders_org", "gengo_orders", ["org_id", "created_at"])
    op.create_table(
        "gengo_file_quotes",
        sa.Column("identifier", sa.String(40), primary_key=True),
        sa.Column("org_id", sa.String(40), nullable=False),
        sa.Column("artifact_id", sa.String(40), nullable=False),
        sa.Column("lc_src", sa.String(64), nullable=False),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("unit_count", sa.Integer, nullable=False),
        sa.Column("created_at", _tz(), nullable=False),
    )
    op.create_table(
        "gengo_jobs",
        sa.Column("job_id", sa.String(40), primary_key=True),
        sa.Column("number", sa.BigInteger, nullable=False, unique=True),
        sa.Column("org_id", sa.String(40), nullable=False),
        sa.Column("order_id", sa.String(40), nullable=False),
        sa.Column("group_id", sa.String(40), nullable=False),
        sa.Column("slug", sa.String(255), nullable=False),
        sa.Column("type", sa.String(10), nullable=False),
        sa.Column("lc_src", sa.String(64), nullable=False),
        sa.Column("lc_tgt", sa.String(64), nullable=False),
        sa.Column("tier", sa.String(20), nullable=False),
        sa.Column("body_sha", sa.String(64), nullable=False),
        sa.Column("custom_data", sa.Text),
        sa.Column("callback_url", sa.Text),
        sa.Column("position", sa.Integer),
        sa.Column("purpose", sa.String(255)),
        sa.Column("tone", sa.String(255)),
        sa.Column("use_preferred", sa.Boolean, nullable=False),
        sa.Column("services", sa.JSON, nullable=False),
        sa.Column("from_memory", sa.Boolean, nullable=False),
        sa.Column("rejected", sa.Boolean, nullable=False),
        sa.Column("created_at", _tz(), nullable=False),
    )
    op.create_index("ix_gengo_jobs_order_id", "gengo_jobs", ["order_id"])
    op.create_index("ix_gengo_jobs_org_created", "gengo_jobs", ["org_id", "created_at"])
    op.create_index("ix_gengo_jobs_dedupe", "gengo_jobs", ["org_id", "body_sha", "created_at"])


def downgrade() -> None:
    op.drop_table("gengo_jobs")
    op.drop_table("gengo_file_quotes")
    op.drop_table("gengo_orders")
    op.drop_table("gengo_seen_requests")
    op.drop_table("gengo_keys")
