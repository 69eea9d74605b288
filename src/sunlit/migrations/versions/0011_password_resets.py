"""One-time password resets: operator links for staff, codes for consumers

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05
"""

from alembic import op

from sunlit.migrations.columns import (
    choice,
    create_index,
    create_table,
    created_at,
    drop_index,
    foreign_key,
    ident,
    integer,
    key,
    moment,
    string,
    unique,
)

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_table(
        "password_resets",
        key(),
        ident("account_id"),
        choice("kind", "link", "code", length=8),
        string("digest", 64),
        created_at(),
        ident("created_by", null=True),
        moment("expires_at"),
        integer("attempts", zero=True),
        moment("closed_at", null=True),
        string("outcome", 24, null=True),
        foreign_key("account_id", "accounts", ondelete="CASCADE"),
        unique("digest"),
    )
    create_index("password_resets", "account_id")


def downgrade() -> None:
    drop_index("password_resets", "account_id")
    op.drop_table("password_resets")
