"""Index groups by their source artifact

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01 06:00:00

Several groups may share one source artifact (a Gengo file quote ordered into several target
languages, a Lingo24 file with several jobs); deleting a group keeps a source another group
still names, which this index makes a cheap question.
"""

from __future__ import annotations

from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_job_groups_source_artifact", "job_groups", ["source_artifact_id"])


def downgrade() -> None:
    op.drop_index("ix_job_groups_source_artifact", table_name="job_groups")
