"""Filing: session plans, their products, partners and team.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "session_plans",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("official_id", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("purpose", sa.String(length=32), nullable=False),
        sa.Column("answers_report", sa.String(length=40), nullable=True),
        sa.Column("promotions", sa.Text(), nullable=False),
        sa.Column("declares_no_payment", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("findings", sa.JSON(), nullable=False),
        sa.Column("stream_nonce", sa.String(length=32), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.String(length=40), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('draft', 'submitted', 'checked', 'approved', 'rejected', 'live', 'ended')",
            name=op.f("ck_session_plans_status_known"),
        ),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_session_plans_window_ordered")),
        sa.ForeignKeyConstraint(
            ["answers_report"],
            ["unsalable_reports.id"],
            name=op.f("fk_session_plans_answers_report_unsalable_reports"),
        ),
        sa.ForeignKeyConstraint(
            ["official_id"], ["accounts.id"], name=op.f("fk_session_plans_official_id_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_session_plans")),
    )
    with op.batch_alter_table("session_plans", schema=None) as batch_op:
        batch_op.create_index("ix_session_plans_official_id", ["official_id"], unique=False)
        batch_op.create_index("ix_session_plans_starts_at", ["starts_at"], unique=False)

    op.create_table(
        "plan_partners",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("plan_id", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("relationship", sa.String(length=200), nullable=True),
        sa.Column("public_interest", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["session_plans.id"],
            name=op.f("fk_plan_partners_plan_id_session_plans"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_partners")),
    )
    with op.batch_alter_table("plan_partners", schema=None) as batch_op:
        batch_op.create_index("ix_plan_partners_plan_id", ["plan_id"], unique=False)

    op.create_table(
        "plan_products",
        sa.Column("plan_id", sa.String(length=40), nullable=False),
        sa.Column("product_id", sa.String(length=40), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["session_plans.id"],
            name=op.f("fk_plan_products_plan_id_session_plans"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_plan_products_product_id_products")
        ),
        sa.PrimaryKeyConstraint("plan_id", "product_id", name=op.f("pk_plan_products")),
    )
    op.create_table(
        "plan_team",
        sa.Column("plan_id", sa.String(length=40), nullable=False),
        sa.Column("account_id", sa.String(length=40), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_plan_team_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["session_plans.id"],
            name=op.f("fk_plan_team_plan_id_session_plans"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("plan_id", "account_id", name=op.f("pk_plan_team")),
    )


def downgrade() -> None:
    op.drop_table("plan_team")
    op.drop_table("plan_products")
    with op.batch_alter_table("plan_partners", schema=None) as batch_op:
        batch_op.drop_index("ix_plan_partners_plan_id")

    op.drop_table("plan_partners")
    with op.batch_alter_table("session_plans", schema=None) as batch_op:
        batch_op.drop_index("ix_session_plans_starts_at")
        batch_op.drop_index("ix_session_plans_official_id")

    op.drop_table("session_plans")
