"""Producers rate the sessions their produce was on.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "session_ratings",
        sa.Column("plan_id", sa.String(length=40), nullable=False),
        sa.Column("producer_id", sa.String(length=40), nullable=False),
        sa.Column("stars", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("rated_by", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("stars BETWEEN 1 AND 5", name=op.f("ck_session_ratings_stars_range")),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["session_plans.id"], name=op.f("fk_session_ratings_plan_id_session_plans")
        ),
        sa.ForeignKeyConstraint(
            ["producer_id"], ["producers.id"], name=op.f("fk_session_ratings_producer_id_producers")
        ),
        sa.PrimaryKeyConstraint("plan_id", "producer_id", name=op.f("pk_session_ratings")),
    )


def downgrade() -> None:
    op.drop_table("session_ratings")
