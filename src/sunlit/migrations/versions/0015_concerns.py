"""Concerns (关切) and their answers and photos; the working-day calendar (issue 16)

Revision ID: 0015
Revises: 0013
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

from sunlit.migrations.columns import (
    check,
    choice,
    create_index,
    create_table,
    created_at,
    drop_index,
    flag,
    foreign_key,
    ident,
    integer,
    key,
    moment,
    region,
    string,
    text,
    updated_at,
)

revision = "0015"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_table(
        "calendar_days",
        sa.Column("day", sa.Date(), primary_key=True, nullable=False),
        choice("kind", "holiday", "workday", length=8),
    )
    create_table(
        "concerns",
        key(),
        choice("subject", "session", "product", "order", length=8),
        ident("session_id", null=True),
        ident("product_id", null=True),
        ident("order_id", null=True),
        ident("producer_id", null=True),
        region(null=True),
        choice(
            "category",
            "forced_purchase",
            "quality",
            "price",
            "fake_data",
            "conflict_of_interest",
            "farmers_not_paid",
            "other",
            length=24,
        ),
        text("text"),
        flag("anonymous", default=False),
        ident("author_id", null=True),
        choice("party", "office", "producer", length=8),
        ident("party_id"),
        choice("status", "waiting", "answered", "accepted", "escalated"),
        integer("round"),
        moment("deadline"),
        moment("raised_at"),
        updated_at(),
        integer("rating", null=True),
        moment("rated_at", null=True),
        text("summary", null=True),
        ident("published_by", null=True),
        moment("published_at", null=True),
        string("case_id", 40, null=True),
        check("rating_range", "rating IS NULL OR rating BETWEEN 1 AND 5"),
        foreign_key("session_id", "session_plans"),
        foreign_key("product_id", "products"),
        foreign_key("order_id", "orders"),
        foreign_key("producer_id", "producers"),
        foreign_key("author_id", "accounts"),
        foreign_key("party_id", "accounts"),
        foreign_key("published_by", "accounts"),
    )
    create_index("concerns", "session_id")
    create_index("concerns", "party_id")
    create_index("concerns", "region")
    create_table(
        "concern_answers",
        key(),
        ident("concern_id"),
        integer("round"),
        choice("kind", "explanation", "correction"),
        text("text"),
        ident("answered_by"),
        moment("answered_at"),
        flag("in_time", default=False),
        string("outcome", 16, null=True),
        ident("decided_by", null=True),
        moment("decided_at", null=True),
        text("note", null=True),
        foreign_key("concern_id", "concerns"),
        foreign_key("answered_by", "accounts"),
        foreign_key("decided_by", "accounts"),
    )
    create_index("concern_answers", "concern_id")
    create_table(
        "concern_photos",
        key("concern_id"),
        key("sha256", length=64),
        created_at(),
        foreign_key("concern_id", "concerns"),
        foreign_key("sha256", "stored_files.sha256"),
    )


def downgrade() -> None:
    op.drop_table("concern_photos")
    drop_index("concern_answers", "concern_id")
    op.drop_table("concern_answers")
    drop_index("concerns", "region")
    drop_index("concerns", "party_id")
    drop_index("concerns", "session_id")
    op.drop_table("concerns")
    op.drop_table("calendar_days")
