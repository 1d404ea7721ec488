"""Artifacts: files and documents as sources and outputs (core v2)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 02:40:00

A group's source can now be a file kept in the blob store (an `artifacts` row names its
bytes); a job's output can be one too. Groups record their format and the surface that
created them, with an index for newest-first group lists per organization.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "artifacts",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("org_id", sa.String(40), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("format", sa.String(20), nullable=False),
        sa.Column("filename", sa.String(255)),
        sa.Column("media_type", sa.String(120), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("blob_key", sa.String(255)),
        sa.Column("units", sa.Integer, nullable=False, server_default="0"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_artifacts_org_id", "artifacts", ["org_id"])
    with op.batch_alter_table("job_groups") as batch:
        batch.add_column(sa.Column("artifact_kind", sa.String(20)))
        batch.add_column(sa.Column("artifact_format", sa.String(20)))
        batch.add_column(sa.Column("source_artifact_id", sa.String(40)))
        batch.add_column(sa.Column("surface", sa.String(20)))
        batch.add_column(sa.Column("units_total", sa.Integer))
        batch.add_column(sa.Column("expires_at", sa.DateTime(timezone=True)))
    op.create_index("ix_job_groups_org_created", "job_groups", ["org_id", "created_at", "id"])
    with op.batch_alter_table("jobs") as batch:
        batch.add_column(sa.Column("output_artifact_id", sa.String(40)))
        batch.add_column(sa.Column("units_failed", sa.Integer, nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.drop_column("units_failed")
        batch.drop_column("output_artifact_id")
    op.drop_index("ix_job_groups_org_created", "job_groups")
    with op.batch_alter_table("job_groups") as batch:
        for name in (
            "expires_at",
            "units_total",
            "surface",
            "source_artifact_id",
            "artifact_format",
            "artifact_kind",
        ):
            batch.drop_column(name)
    op.drop_index("ix_artifacts_org_id", "artifacts")
    op.drop_table("artifacts")
