"""Producers rate the sessions their produce was on.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23
"""

from alembic import op

from sunlit.migrations.columns import (
    check,
    create_table,
    created_at,
    foreign_key,
    ident,
    integer,
    key,
    text,
)

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_table(
        "session_ratings",
        key("plan_id"),
        key("producer_id"),
        integer("stars"),
        text("text"),
        ident("rated_by"),
        created_at(),
        check("stars_range", "stars BETWEEN 1 AND 5"),
        foreign_key("plan_id", "session_plans"),
        foreign_key("producer_id", "producers"),
    )


def downgrade() -> None:
    op.drop_table("session_ratings")
