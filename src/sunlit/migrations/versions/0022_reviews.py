"""Reviews after delivery, their photos and follow-up, the reply and moderation (issue 17)

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-05
"""

from alembic import op

from sunlit.migrations.columns import (
    check,
    create_index,
    create_table,
    drop_index,
    foreign_key,
    ident,
    integer,
    key,
    moment,
    string,
    text,
    unique,
)

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_table(
        "reviews",
        key(),
        ident("order_id"),
        ident("product_id"),
        ident("producer_id"),
        ident("buyer_id"),
        ident("session_id", null=True),
        integer("stars"),
        integer("freshness"),
        integer("packaging"),
        integer("speed"),
        text("text"),
        moment("posted_at"),
        text("follow_up", null=True),
        moment("follow_up_at", null=True),
        text("reply", null=True),
        ident("replied_by", null=True),
        moment("replied_at", null=True),
        string("hidden_reason", 16, null=True),
        text("hidden_note", null=True),
        ident("hidden_by", null=True),
        moment("hidden_at", null=True),
        check("stars_range", "stars BETWEEN 1 AND 5"),
        check("freshness_range", "freshness BETWEEN 1 AND 5"),
        check("packaging_range", "packaging BETWEEN 1 AND 5"),
        check("speed_range", "speed BETWEEN 1 AND 5"),
        foreign_key("order_id", "orders"),
        foreign_key("product_id", "products"),
        foreign_key("producer_id", "producers"),
        foreign_key("buyer_id", "accounts"),
        foreign_key("replied_by", "accounts"),
        foreign_key("hidden_by", "accounts"),
        unique("order_id"),
    )
    create_index("reviews", "product_id", "posted_at")
    create_index("reviews", "producer_id", "posted_at")
    create_table(
        "review_photos",
        key("review_id"),
        key("sha256", length=64),
        integer("position"),
        foreign_key("review_id", "reviews"),
        foreign_key("sha256", "stored_files.sha256"),
    )


def downgrade() -> None:
    # On SQLite the driver opens its transaction at the first DML statement and runs DDL before
    # it in autocommit: this DELETE comes first so that the drops below roll back with a later
    # revision's refusal in the same downgrade (0016's, while a press account exists).
    op.execute("DELETE FROM review_photos")
    op.drop_table("review_photos")
    drop_index("reviews", "producer_id", "posted_at")
    drop_index("reviews", "product_id", "posted_at")
    op.drop_table("reviews")
