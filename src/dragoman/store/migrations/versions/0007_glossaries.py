"""Glossaries: glossary_terms, one row per source term of an organization and language pair

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-09 12:00:00

Each term has its target term, case sensitivity, a do-not-translate flag, part of speech and
a note; a source term appears once per organization and pair.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "glossary_terms",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("org_id", sa.String(40), nullable=False),
        sa.Column("source_locale", sa.String(35), nullable=False),
        sa.Column("target_locale", sa.String(35), nullable=False),
        sa.Column("source_term", sa.String(500), nullable=False),
        sa.Column("target_term", sa.String(500), nullable=False),
        sa.Column("case_sensitive", sa.Boolean, nullable=False),
        sa.Column("do_not_translate", sa.Boolean, nullable=False),
        sa.Column("part_of_speech", sa.String(40)),
        sa.Column("note", sa.Text),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organizations.id"], name=op.f("fk_glossary_terms_org_id_organizations")
        ),
    )
    op.create_index(
        "uq_glossary_terms_source",
        "glossary_terms",
        ["org_id", "source_locale", "target_locale", "source_term"],
        unique=True,
    )


def downgrade() -> None:
    op.drop_index("uq_glossary_terms_source", "glossary_terms")
    op.drop_table("glossary_terms")
