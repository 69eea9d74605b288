"""Unsalable-stock reports (滞销求助).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from alembic import op

from sunlit.migrations.columns import (
    bigint,
    choice,
    create_index,
    create_table,
    created_at,
    day,
    drop_index,
    foreign_key,
    ident,
    key,
    moment,
    positive,
    region,
    string,
    text,
)

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_table(
        "unsalable_reports",
        key(),
        ident("producer_id"),
        ident("product_id"),
        region("region"),
        bigint("quantity"),
        string("reason", 16),
        text("note"),
        day("deadline"),
        choice("status", "open", "answered", "closed"),
        ident("reported_by"),
        created_at(),
        moment("closed_at", null=True),
        positive("quantity"),
        foreign_key("producer_id", "producers"),
        foreign_key("product_id", "products"),
    )
    create_index("unsalable_reports", "region")


def downgrade() -> None:
    drop_index("unsalable_reports", "region")
    op.drop_table("unsalable_reports")
