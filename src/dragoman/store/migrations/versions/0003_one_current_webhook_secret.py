"""One current webhook secret per organization

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 12:10:00

Two deliveries racing to create an organization's first secret could each insert one, and
sign with different secrets. Older duplicates are rotated out (expired now) before the
partial unique index makes it impossible.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    secrets = sa.table(
        "webhook_secrets",
        sa.column("id", sa.String),
        sa.column("org_id", sa.String),
        sa.column("created_at", sa.DateTime(timezone=True)),
        sa.column("expires_at", sa.DateTime(timezone=True)),
    )
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(secrets.c.id, secrets.c.org_id)
        .where(secrets.c.expires_at.is_(None))
        .order_by(secrets.c.org_id, secrets.c.created_at.desc())
    ).all()
    seen: set[str] = set()
    older = []
    for row in rows:
        if row.org_id in seen:
            older.append(row.id)
        seen.add(row.org_id)
    if older:
        connection.execute(
            sa.update(secrets).where(secrets.c.id.in_(older)).values(expires_at=sa.func.now())
        )
    with op.batch_alter_table("webhook_secrets", schema=None) as batch_op:
        batch_op.create_index(
            "uq_webhook_secrets_current",
            ["org_id"],
            unique=True,
            sqlite_where=sa.text("expires_at IS NULL"),
            postgresql_where=sa.text("expires_at IS NULL"),
        )


def downgrade() -> None:
    with op.batch_alter_table("webhook_secrets", schema=None) as batch_op:
        batch_op.drop_index("uq_webhook_secrets_current")
