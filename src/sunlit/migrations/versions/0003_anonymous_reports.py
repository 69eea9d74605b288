"""Anonymous reports: no link to the reporter (docs/anonymous-reports.md).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "anonymous_reports",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("region", sa.String(length=6), nullable=True),
        sa.Column("session_ref", sa.String(length=64), nullable=True),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("released", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_anonymous_reports")),
        sqlite_with_rowid=False,  # no hidden rowid keeping the order reports arrived in
    )
    with op.batch_alter_table("anonymous_reports", schema=None) as batch_op:
        batch_op.create_index("ix_anonymous_reports_received_on", ["received_on"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("anonymous_reports", schema=None) as batch_op:
        batch_op.drop_index("ix_anonymous_reports_received_on")

    op.drop_table("anonymous_reports")
