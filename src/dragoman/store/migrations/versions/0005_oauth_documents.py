"""OAuth2 clients and tokens, surface aliases, job error codes, group words and callbacks

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-08 10:00:00

OAuth2 clients (client credentials now; redirect URIs, codes and refresh tokens later, on
the same clients and token table) and their tokens, stored hashed. `aliases` maps a
surface's own ids (LanguageWire's uuid jobId) to core ids. Jobs gain a machine-readable
error (`error_code`, `error_data`); groups gain the client's reference, the source's word
count, per-event callback URLs and a retention of their own after they end.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "oauth_clients",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("org_id", sa.String(40), nullable=False),
        sa.Column("name", sa.String(200), nullable=True),
        sa.Column("secret_hash", sa.String(64), nullable=False),
        sa.Column("grant_types", sa.JSON(), nullable=False),
        sa.Column("redirect_uris", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organizations.id"], name=op.f("fk_oauth_clients_org_id_organizations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oauth_clients")),
    )
    op.create_index("ix_oauth_clients_org_id", "oauth_clients", ["org_id"])
    op.create_table(
        "oauth_tokens",
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("client_id", sa.String(40), nullable=False),
        sa.Column("org_id", sa.String(40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["oauth_clients.id"],
            name=op.f("fk_oauth_tokens_client_id_oauth_clients"),
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_oauth_tokens")),
    )
    op.create_index("ix_oauth_tokens_client_id", "oauth_tokens", ["client_id"])
    op.create_index("ix_oauth_tokens_expires_at", "oauth_tokens", ["expires_at"])
    op.create_table(
        "aliases",
        sa.Column("surface", sa.String(20), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("alias", sa.String(64), nullable=False),
        sa.Column("core_id", sa.String(40), nullable=False),
        sa.Column("org_id", sa.String(40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("surface", "kind", "alias", name=op.f("pk_aliases")),
    )
    op.create_index("ix_aliases_core_id", "aliases", ["core_id"])
    with op.batch_alter_table("job_groups") as batch:
        batch.add_column(sa.Column("client_ref", sa.String(255)))
        batch.add_column(sa.Column("words_total", sa.Integer))
        batch.add_column(sa.Column("callbacks", sa.JSON))
        batch.add_column(sa.Column("retain_seconds", sa.Integer))
    with op.batch_alter_table("jobs") as batch:
        batch.add_column(sa.Column("error_code", sa.String(40)))
        batch.add_column(sa.Column("error_data", sa.JSON))


def downgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.drop_column("error_data")
        batch.drop_column("error_code")
    with op.batch_alter_table("job_groups") as batch:
        for name in ("retain_seconds", "callbacks", "words_total", "client_ref"):
            batch.drop_column(name)
    op.drop_index("ix_aliases_core_id", "aliases")
    op.drop_table("aliases")
    op.drop_index("ix_oauth_tokens_expires_at", "oauth_tokens")
    op.drop_index("ix_oauth_tokens_client_id", "oauth_tokens")
    op.drop_table("oauth_tokens")
    op.drop_index("ix_oauth_clients_org_id", "oauth_clients")
    op.drop_table("oauth_clients")
