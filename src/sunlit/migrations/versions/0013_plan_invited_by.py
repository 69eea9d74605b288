"""Who invited the official to host a session (public disclosure, issue 16)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("session_plans", sa.Column("invited_by", sa.String(200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("session_plans") as batch:
        batch.drop_column("invited_by")
