"""Notifications for every role, fed by the event log (issue 18)

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

from sunlit.migrations.columns import (
    create_index,
    create_table,
    drop_index,
    foreign_key,
    ident,
    json,
    key,
    moment,
    string,
)

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_table(
        "notifications",
        key(),
        ident("account_id"),
        string("kind", 32),
        json("params"),
        string("link", 200),
        string("event_id", 64),
        moment("created_at"),
        moment("read_at", null=True),
        foreign_key("account_id", "accounts"),
        sa.UniqueConstraint(
            "event_id", "account_id", "kind", name=op.f("uq_notifications_event_id")
        ),
    )
    create_index("notifications", "account_id", "created_at")
    create_table(
        "notification_cursor",
        key("name", length=16),
        sa.Column("seq", sa.BigInteger(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("notification_cursor")
    drop_index("notifications", "account_id", "created_at")
    op.drop_table("notifications")
