"""Anonymous reports: no link to the reporter (docs/anonymous-reports.md).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from alembic import op

from sunlit.migrations.columns import (
    create_index,
    create_table,
    day,
    drop_index,
    flag,
    key,
    region,
    string,
    text,
)

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_table(
        "anonymous_reports",
        key(length=32),
        string("category", 32),
        text("text"),
        region("region", null=True),
        string("session_ref", 64, null=True),
        day("received_on"),
        flag("released", default=False),
        sqlite_with_rowid=False,  # no hidden rowid keeping the order reports arrived in
    )
    create_index("anonymous_reports", "received_on")


def downgrade() -> None:
    drop_index("anonymous_reports", "received_on")
    op.drop_table("anonymous_reports")
