"""Live rooms: pins, timed offers, recordings and mutes

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "live_mutes",
        sa.Column("session_id", sa.String(length=40), nullable=False),
        sa.Column("account_id", sa.String(length=40), nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.Column("muted_by", sa.String(length=40), nullable=False),
        sa.Column("muted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_live_mutes_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["session_plans.id"],
            name=op.f("fk_live_mutes_session_id_session_plans"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("session_id", "account_id", name=op.f("pk_live_mutes")),
    )
    op.create_table(
        "live_rooms",
        sa.Column("session_id", sa.String(length=40), nullable=False),
        sa.Column("pinned_product_id", sa.String(length=40), nullable=True),
        sa.Column("offer_ends_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("pinned_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("pinned_by", sa.String(length=40), nullable=True),
        sa.Column("recording", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["pinned_product_id"],
            ["products.id"],
            name=op.f("fk_live_rooms_pinned_product_id_products"),
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["session_plans.id"],
            name=op.f("fk_live_rooms_session_id_session_plans"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("session_id", name=op.f("pk_live_rooms")),
    )
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.create_index("ix_orders_session_id", ["session_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_index("ix_orders_session_id")

    op.drop_table("live_rooms")
    op.drop_table("live_mutes")
