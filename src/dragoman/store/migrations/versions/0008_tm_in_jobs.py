"""Translation memory in jobs: the organization's machine-output setting, job metrics

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-09 14:00:00

`organizations.tm_store_machine` says whether completed jobs' machine output is written to
the organization's translation memory (off by default: approved human work always is).
`jobs.metrics` holds what a job's run measured, e.g. how many units came from the TM.
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


def downgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.drop_column("metrics")
    with op.batch_alter_table("organizations") as batch:
        batch.drop_column("tm_store_machine")
