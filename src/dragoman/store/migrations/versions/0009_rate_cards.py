"""Rate cards: rate_cards, prices per organization, service level and language pair

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-09 14:00:00

A card holds the currency, the rate per word, a weight per match band (JSON), the minimum
charge, the VAT rate and the discount; money and fractions are decimal strings. A card's
service level, source and target locale may each be `*`; one card per organization and scope.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rate_cards",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("org_id", sa.String(40), nullable=False),
        sa.Column("service_level", sa.String(40), nullable=False),
        sa.Column("source_locale", sa.String(35), nullable=False),
        sa.Column("target_locale", sa.String(35), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("rate_per_word", sa.String(40), nullable=False),
        sa.Column("weights", sa.JSON, nullable=False),
        sa.Column("minimum_charge", sa.String(40), nullable=False),
        sa.Column("vat_rate", sa.String(40), nullable=False),
        sa.Column("discount", sa.String(40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organizations.id"], name=op.f("fk_rate_cards_org_id_organizations")
        ),
    )
    op.create_index(
        "uq_rate_cards_scope",
        "rate_cards",
        ["org_id", "service_level", "source_locale", "target_locale"],
        unique=True,
    )


def downgrade() -> None:
    op.drop_index("uq_rate_cards_scope", "rate_cards")
    op.drop_table("rate_cards")
