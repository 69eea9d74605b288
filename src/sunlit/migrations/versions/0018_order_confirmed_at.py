"""When the buyer (or the system, days after the carrier's delivery) confirmed receipt (issue 17)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("orders", sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True))
    # Orders a buyer confirmed before this revision: their delivery was their confirmation.
    op.execute(
        "UPDATE orders SET confirmed_at = delivered_at "
        "WHERE delivered_at IS NOT NULL AND state IN ('delivered', 'completed')"
    )


def downgrade() -> None:
    with op.batch_alter_table("orders") as batch:
        batch.drop_column("confirmed_at")
