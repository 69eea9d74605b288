"""Practice rooms: a host streams privately to train before going live (issue 21)

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-06
"""

from alembic import op

from sunlit.migrations.columns import (
    create_table,
    foreign_key,
    ident,
    key,
    moment,
    string,
    unique,
)

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_table(
        "practice_rooms",
        key(),
        ident("account_id"),
        string("nonce", 32),
        moment("created_at"),
        moment("updated_at"),
        foreign_key("account_id", "accounts"),
        unique("account_id"),
    )


def downgrade() -> None:
    op.drop_table("practice_rooms")
