"""Follows: a buyer follows a producer, a county or a kind of produce (issue 21)

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

from sunlit.migrations.columns import (
    create_index,
    create_table,
    drop_index,
    foreign_key,
    ident,
    key,
    moment,
    one_of,
    string,
)

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_table(
        "follows",
        key(),
        ident("account_id"),
        string("target_kind", 16),
        ident("target"),
        moment("created_at"),
        foreign_key("account_id", "accounts"),
        one_of("target_kind", "producer", "county", "kind"),
        sa.UniqueConstraint("account_id", "target_kind", "target", name="follows_once"),
    )
    create_index("follows", "target_kind", "target")


def downgrade() -> None:
    drop_index("follows", "target_kind", "target")
    op.drop_table("follows")
