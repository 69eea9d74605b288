"""Filing: session plans, their products, partners and team.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23
"""

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
    json,
    key,
    moment,
    serial,
    string,
    text,
    updated_at,
)

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_table(
        "session_plans",
        key(),
        ident("official_id"),
        string("title", 120),
        moment("starts_at"),
        moment("ends_at"),
        string("purpose", 32),
        ident("answers_report", null=True),
        text("promotions"),
        flag("declares_no_payment", default=False),
        choice("status", "draft", "submitted", "checked", "approved", "rejected", "live", "ended"),
        json("findings"),
        string("stream_nonce", 32, null=True),
        moment("submitted_at", null=True),
        ident("decided_by", null=True),
        moment("decided_at", null=True),
        created_at(),
        updated_at(),
        check("window_ordered", "ends_at > starts_at"),
        foreign_key("answers_report", "unsalable_reports"),
        foreign_key("official_id", "accounts"),
    )
    create_index("session_plans", "official_id")
    create_index("session_plans", "starts_at")

    create_table(
        "plan_partners",
        serial("id"),
        ident("plan_id"),
        string("name", 120),
        string("kind", 16),
        string("relationship", 200, null=True),
        string("public_interest", 500, null=True),
        foreign_key("plan_id", "session_plans", ondelete="CASCADE"),
    )
    create_index("plan_partners", "plan_id")

    create_table(
        "plan_products",
        key("plan_id"),
        key("product_id"),
        integer("position"),
        foreign_key("plan_id", "session_plans", ondelete="CASCADE"),
        foreign_key("product_id", "products"),
    )
    create_table(
        "plan_team",
        key("plan_id"),
        key("account_id"),
        string("role", 32),
        foreign_key("account_id", "accounts"),
        foreign_key("plan_id", "session_plans", ondelete="CASCADE"),
    )


def downgrade() -> None:
    op.drop_table("plan_team")
    op.drop_table("plan_products")
    drop_index("plan_partners", "plan_id")
    op.drop_table("plan_partners")
    drop_index("session_plans", "starts_at")
    drop_index("session_plans", "official_id")
    op.drop_table("session_plans")
