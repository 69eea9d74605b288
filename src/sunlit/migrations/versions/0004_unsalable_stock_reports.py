"""Unsalable-stock reports (滞销求助).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "unsalable_reports",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("producer_id", sa.String(length=40), nullable=False),
        sa.Column("product_id", sa.String(length=40), nullable=False),
        sa.Column("region", sa.String(length=6), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reported_by", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('open', 'answered', 'closed')",
            name=op.f("ck_unsalable_reports_status_known"),
        ),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_unsalable_reports_quantity_positive")),
        sa.ForeignKeyConstraint(
            ["producer_id"],
            ["producers.id"],
            name=op.f("fk_unsalable_reports_producer_id_producers"),
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_unsalable_reports_product_id_products")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unsalable_reports")),
    )
    with op.batch_alter_table("unsalable_reports", schema=None) as batch_op:
        batch_op.create_index("ix_unsalable_reports_region", ["region"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("unsalable_reports", schema=None) as batch_op:
        batch_op.drop_index("ix_unsalable_reports_region")

    op.drop_table("unsalable_reports")
