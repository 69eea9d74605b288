"""Producers' consent to be on an official's plan (issue 21)

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-07
"""

from alembic import op

from sunlit.migrations.columns import (
    check,
    create_index,
    create_table,
    drop_index,
    foreign_key,
    ident,
    integer,
    key,
    moment,
    one_of,
    string,
)

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_table(
        "plan_consents",
        key("plan_id"),
        key("product_id"),
        ident("producer_id"),
        string("state", 16),
        integer("stock", null=True),
        string("reason", 500, null=True),
        ident("answered_by", null=True),
        moment("asked_at"),
        moment("answered_at", null=True),
        foreign_key("plan_id", "session_plans", ondelete="CASCADE"),
        foreign_key("product_id", "products"),
        foreign_key("producer_id", "producers"),
        one_of("state", "asked", "given", "declined"),
        check("stock_positive", "stock IS NULL OR stock > 0"),
    )
    create_index("plan_consents", "producer_id")


def downgrade() -> None:
    drop_index("plan_consents", "producer_id")
    op.drop_table("plan_consents")
