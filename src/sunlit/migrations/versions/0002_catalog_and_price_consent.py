"""Catalog and price consent: producers, products, reference bands, price proposals.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reference_bands",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("region", sa.String(length=6), nullable=False),
        sa.Column("low", sa.BigInteger(), nullable=False),
        sa.Column("high", sa.BigInteger(), nullable=False),
        sa.Column("unit", sa.String(length=8), nullable=False),
        sa.Column("box_grams", sa.Integer(), nullable=True),
        sa.Column("observed_on", sa.Date(), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("added_by", sa.String(length=40), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("low > 0 AND high >= low", name=op.f("ck_reference_bands_band_ordered")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reference_bands")),
    )
    with op.batch_alter_table("reference_bands", schema=None) as batch_op:
        batch_op.create_index("ix_reference_bands_kind_region", ["kind", "region"], unique=False)

    op.create_table(
        "producers",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("region", sa.String(length=6), nullable=False),
        sa.Column("village", sa.String(length=80), nullable=True),
        sa.Column("contact_name", sa.String(length=64), nullable=True),
        sa.Column("contact_phone", sa.String(length=16), nullable=True),
        sa.Column("account_id", sa.String(length=40), nullable=True),
        sa.Column("cooperative_id", sa.String(length=40), nullable=True),
        sa.Column("verification", sa.String(length=16), nullable=False),
        sa.Column("verified_by", sa.String(length=40), nullable=True),
        sa.Column("verified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('household', 'cooperative', 'enterprise')",
            name=op.f("ck_producers_kind_known"),
        ),
        sa.CheckConstraint(
            "verification IN ('pending', 'verified', 'rejected')",
            name=op.f("ck_producers_verification_known"),
        ),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_producers_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["cooperative_id"], ["producers.id"], name=op.f("fk_producers_cooperative_id_producers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_producers")),
    )
    with op.batch_alter_table("producers", schema=None) as batch_op:
        batch_op.create_index("ix_producers_account_id", ["account_id"], unique=False)
        batch_op.create_index("ix_producers_region", ["region"], unique=False)

    op.create_table(
        "products",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("producer_id", sa.String(length=40), nullable=False),
        sa.Column("name_zh", sa.String(length=80), nullable=False),
        sa.Column("name_en", sa.String(length=80), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("category", sa.String(length=16), nullable=False),
        sa.Column("origin_region", sa.String(length=6), nullable=False),
        sa.Column("unit", sa.String(length=8), nullable=False),
        sa.Column("box_grams", sa.Integer(), nullable=True),
        sa.Column("price", sa.BigInteger(), nullable=False),
        sa.Column("declared_cost", sa.BigInteger(), nullable=True),
        sa.Column("stock", sa.BigInteger(), nullable=False),
        sa.Column("description_zh", sa.Text(), nullable=False),
        sa.Column("description_en", sa.Text(), nullable=False),
        sa.Column("story_zh", sa.Text(), nullable=False),
        sa.Column("story_en", sa.Text(), nullable=False),
        sa.Column("clearance", sa.String(length=16), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("unit IN ('jin', 'kg', 'box')", name=op.f("ck_products_unit_known")),
        sa.CheckConstraint("price > 0", name=op.f("ck_products_price_positive")),
        sa.CheckConstraint("stock >= 0", name=op.f("ck_products_stock_not_negative")),
        sa.ForeignKeyConstraint(
            ["producer_id"], ["producers.id"], name=op.f("fk_products_producer_id_producers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_products")),
    )
    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.create_index("ix_products_origin_region", ["origin_region"], unique=False)
        batch_op.create_index("ix_products_producer_id", ["producer_id"], unique=False)

    op.create_table(
        "price_proposals",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("product_id", sa.String(length=40), nullable=False),
        sa.Column("proposed_by", sa.String(length=40), nullable=False),
        sa.Column("price", sa.BigInteger(), nullable=False),
        sa.Column("previous_price", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("decided_by", sa.String(length=40), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_note", sa.String(length=500), nullable=True),
        sa.Column("clearance", sa.String(length=16), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('pending', 'accepted', 'refused')",
            name=op.f("ck_price_proposals_status_known"),
        ),
        sa.CheckConstraint("price > 0", name=op.f("ck_price_proposals_price_positive")),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_price_proposals_product_id_products")
        ),
        sa.ForeignKeyConstraint(
            ["proposed_by"], ["accounts.id"], name=op.f("fk_price_proposals_proposed_by_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_price_proposals")),
    )
    with op.batch_alter_table("price_proposals", schema=None) as batch_op:
        batch_op.create_index("ix_price_proposals_product_id", ["product_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("price_proposals", schema=None) as batch_op:
        batch_op.drop_index("ix_price_proposals_product_id")

    op.drop_table("price_proposals")
    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.drop_index("ix_products_producer_id")
        batch_op.drop_index("ix_products_origin_region")

    op.drop_table("products")
    with op.batch_alter_table("producers", schema=None) as batch_op:
        batch_op.drop_index("ix_producers_region")
        batch_op.drop_index("ix_producers_account_id")

    op.drop_table("producers")
    with op.batch_alter_table("reference_bands", schema=None) as batch_op:
        batch_op.drop_index("ix_reference_bands_kind_region")

    op.drop_table("reference_bands")
