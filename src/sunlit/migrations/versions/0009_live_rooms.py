"""Live rooms: pins, timed offers, recordings and mutes

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23
"""

from alembic import op

from sunlit.migrations.columns import (
    create_index,
    create_table,
    drop_index,
    foreign_key,
    ident,
    key,
    moment,
    string,
)

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_table(
        "live_mutes",
        key("session_id"),
        key("account_id"),
        string("reason", 16),
        string("note", 200),
        ident("muted_by"),
        moment("muted_at"),
        foreign_key("account_id", "accounts"),
        foreign_key("session_id", "session_plans", ondelete="CASCADE"),
    )
    create_table(
        "live_rooms",
        key("session_id"),
        ident("pinned_product_id", null=True),
        moment("offer_ends_at", null=True),
        moment("pinned_at", null=True),
        ident("pinned_by", null=True),
        string("recording", 200, null=True),
        foreign_key("pinned_product_id", "products"),
        foreign_key("session_id", "session_plans", ondelete="CASCADE"),
    )
    create_index("orders", "session_id")


def downgrade() -> None:
    drop_index("orders", "session_id")
    op.drop_table("live_rooms")
    op.drop_table("live_mutes")
