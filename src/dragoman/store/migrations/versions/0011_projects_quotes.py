"""Projects, project files, quote-first jobs, OAuth codes and refresh tokens, integer aliases

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-09 16:00:00

`projects` (Lingo24's project: a container of groups whose status is derived from its jobs
and its quote-saved, authorized and cancelled times), `project_files` (named source files
and jobs' target files), `job_quotes` (a quote-first job's service level, analysis, price,
authorization and own callback URL), `oauth_grants` (authorization codes and rotating
refresh tokens, hashed, by family) and `alias_counters` (integer ids per surface and kind).
`ix_jobs_claimable` also covers `created` and `analyzing`, the states of analysis.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_OLD = "status IN ('queued', 'translating')"
_NEW = "status IN ('created', 'queued', 'analyzing', 'translating')"


def _tz() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "projects",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("number", sa.BigInteger, nullable=False),
        sa.Column("org_id", sa.String(40), nullable=False),
        sa.Column("surface", sa.String(20), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("domain_id", sa.Integer),
        sa.Column("callback_url", sa.Text),
        sa.Column("created_at", _tz(), nullable=False),
        sa.Column("quote_saved_at", _tz()),
        sa.Column("quote_expires_at", _tz()),
        sa.Column("authorized_at", _tz()),
        sa.Column("cancelled_at", _tz()),
        sa.Column("finished_at", _tz()),
        sa.UniqueConstraint("number", name="uq_projects_number"),
    )
    op.create_index("ix_projects_org_created", "projects", ["org_id", "created_at", "id"])
    op.create_table(
        "project_files",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("number", sa.BigInteger, nullable=False),
        sa.Column("org_id", sa.String(40), nullable=False),
        sa.Column("project_id", sa.String(40)),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("type", sa.String(20), nullable=False),
        sa.Column("artifact_id", sa.String(40)),
        sa.Column("job_id", sa.String(40)),
        sa.Column("created_at", _tz(), nullable=False),
        sa.UniqueConstraint("number", name="uq_project_files_number"),
    )
    op.create_index("ix_project_files_org_created", "project_files", ["org_id", "created_at", "id"])
    op.create_index("ix_project_files_project", "project_files", ["project_id"])
    op.create_index("ix_project_files_job", "project_files", ["job_id"])
    op.create_table(
        "job_quotes",
        sa.Column("job_id", sa.String(40), primary_key=True),
        sa.Column("number", sa.BigInteger, nullable=False),
        sa.Column("org_id", sa.String(40), nullable=False),
        sa.Column("project_id", sa.String(40), nullable=False),
        sa.Column("group_id", sa.String(40), nullable=False),
        sa.Column("quote_first", sa.Boolean, nullable=False),
        sa.Column("service_level", sa.String(80), nullable=False),
        sa.Column("source_file_id", sa.String(40), nullable=False),
        sa.Column("callback_url", sa.Text),
        sa.Column("authorized_at", _tz()),
        sa.Column("analyzed_at", _tz()),
        sa.Column("analysis", sa.JSON),
        sa.Column("price", sa.JSON),
        sa.Column("created_at", _tz(), nullable=False),
        sa.UniqueConstraint("number", name="uq_job_quotes_number"),
    )
    op.create_index("ix_job_quotes_project", "job_quotes", ["project_id", "created_at"])
    op.create_table(
        "oauth_grants",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("client_id", sa.String(40), nullable=False),
        sa.Column("org_id", sa.String(40), nullable=False),
        sa.Column("family", sa.String(40), nullable=False),
        sa.Column("redirect_uri", sa.Text),
        sa.Column("access_hash", sa.String(64)),
        sa.Column("created_at", _tz(), nullable=False),
        sa.Column("expires_at", _tz(), nullable=False),
        sa.Column("used_at", _tz()),
        sa.Column("revoked_at", _tz()),
    )
    op.create_index("ix_oauth_grants_client_id", "oauth_grants", ["client_id"])
    op.create_index("ix_oauth_grants_family", "oauth_grants", ["family"])
    op.create_table(
        "alias_counters",
        sa.Column("surface", sa.String(20), primary_key=True),
        sa.Column("kind", sa.String(20), primary_key=True),
        sa.Column("last", sa.BigInteger, nullable=False),
    )
    _claimable_index(_NEW)


def _claimable_index(where: str) -> None:
    op.drop_index("ix_jobs_claimable", "jobs")
    op.create_index(
        "ix_jobs_claimable",
        "jobs",
        ["status", "dispatched_at"],
        sqlite_where=sa.text(where),
        postgresql_where=sa.text(where),
    )


def downgrade() -> None:
    _claimable_index(_OLD)
    op.drop_table("alias_counters")
    op.drop_index("ix_oauth_grants_family", "oauth_grants")
    op.drop_index("ix_oauth_grants_client_id", "oauth_grants")
    op.drop_table("oauth_grants")
    op.drop_index("ix_job_quotes_project", "job_quotes")
    op.drop_table("job_quotes")
    op.drop_index("ix_project_files_job", "project_files")
    op.drop_index("ix_project_files_project", "project_files")
    op.drop_index("ix_project_files_org_created", "project_files")
    op.drop_table("project_files")
    op.drop_index("ix_projects_org_created", "projects")
    op.drop_table("projects")
