"""Catalog and price consent: producers, products, reference bands, price proposals.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from alembic import op

from sunlit.migrations.columns import (
    bigint,
    check,
    choice,
    create_index,
    create_table,
    created_at,
    day,
    drop_index,
    fen,
    foreign_key,
    ident,
    integer,
    key,
    moment,
    positive,
    region,
    string,
    text,
    updated_at,
)

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_table(
        "reference_bands",
        key(),
        string("kind", 32),
        region("region"),
        fen("low"),
        fen("high"),
        string("unit", 8),
        integer("box_grams", null=True),
        day("observed_on"),
        string("source", 200),
        ident("added_by", null=True),
        created_at(),
        check("band_ordered", "low > 0 AND high >= low"),
    )
    create_index("reference_bands", "kind", "region")

    create_table(
        "producers",
        key(),
        choice("kind", "household", "cooperative", "enterprise"),
        string("name", 80),
        region("region"),
        string("village", 80, null=True),
        string("contact_name", 64, null=True),
        string("contact_phone", 16, null=True),
        ident("account_id", null=True),
        ident("cooperative_id", null=True),
        choice("verification", "pending", "verified", "rejected"),
        ident("verified_by", null=True),
        moment("verified_at", null=True),
        created_at(),
        foreign_key("account_id", "accounts"),
        foreign_key("cooperative_id", "producers"),
    )
    create_index("producers", "account_id")
    create_index("producers", "region")

    create_table(
        "products",
        key(),
        ident("producer_id"),
        string("name_zh", 80),
        string("name_en", 80),
        string("kind", 32),
        string("category", 16),
        region("origin_region"),
        choice("unit", "jin", "kg", "box", length=8),
        integer("box_grams", null=True),
        fen("price"),
        fen("declared_cost", null=True),
        bigint("stock"),
        text("description_zh"),
        text("description_en"),
        text("story_zh"),
        text("story_en"),
        string("clearance", 16, null=True),
        created_at(),
        updated_at(),
        positive("price"),
        check("stock_not_negative", "stock >= 0"),
        foreign_key("producer_id", "producers"),
    )
    create_index("products", "origin_region")
    create_index("products", "producer_id")

    create_table(
        "price_proposals",
        key(),
        ident("product_id"),
        ident("proposed_by"),
        fen("price"),
        fen("previous_price"),
        string("reason", 500),
        choice("status", "pending", "accepted", "refused"),
        ident("decided_by", null=True),
        moment("decided_at", null=True),
        string("decision_note", 500, null=True),
        string("clearance", 16, null=True),
        created_at(),
        positive("price"),
        foreign_key("product_id", "products"),
        foreign_key("proposed_by", "accounts"),
    )
    create_index("price_proposals", "product_id")


def downgrade() -> None:
    drop_index("price_proposals", "product_id")
    op.drop_table("price_proposals")
    drop_index("products", "producer_id")
    drop_index("products", "origin_region")
    op.drop_table("products")
    drop_index("producers", "region")
    drop_index("producers", "account_id")
    op.drop_table("producers")
    drop_index("reference_bands", "kind", "region")
    op.drop_table("reference_bands")
