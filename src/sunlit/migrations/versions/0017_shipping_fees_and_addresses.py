"""Shipping fees by destination zone and the buyers' address books (issue 17)

orders gains shipping_fee (fen, 0 for every order placed before), and the CHECK that an
order's amount is its goods, ck_orders_amount_is_qty_times_price, becomes
ck_orders_amount_is_goods_and_shipping (amount = qty * unit_price + shipping_fee). SQLite
cannot alter a CHECK: batch mode rebuilds the table, as in 0016. The downgrade refuses while
an order carries a fee: its amount would no longer be its goods.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

from sunlit.migrations.columns import (
    check,
    create_index,
    create_table,
    created_at,
    drop_index,
    fen,
    flag,
    foreign_key,
    ident,
    key,
    moment,
    region,
    string,
)

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

OLD_CHECK = "ck_orders_amount_is_qty_times_price"
NEW_CHECK = "ck_orders_amount_is_goods_and_shipping"
FEE_CHECK = "ck_orders_shipping_fee_not_negative"


def upgrade() -> None:
    with op.batch_alter_table("orders") as batch:
        batch.add_column(fen("shipping_fee", zero=True))
        batch.drop_constraint(op.f(OLD_CHECK), type_="check")
        batch.create_check_constraint(
            op.f(NEW_CHECK), sa.text("amount = qty * unit_price + shipping_fee")
        )
        batch.create_check_constraint(op.f(FEE_CHECK), sa.text("shipping_fee >= 0"))
    create_table(
        "shipping_fees",
        key("producer_id"),
        key("zone", length=16),
        fen("fee"),
        moment("updated_at"),
        ident("updated_by"),
        check("zone_known", "zone IN ('same_province', 'mainland', 'remote')"),
        check("fee_in_range", "fee >= 0 AND fee <= 100000"),
        foreign_key("producer_id", "producers"),
        foreign_key("updated_by", "accounts"),
    )
    create_table(
        "saved_addresses",
        key(),
        ident("account_id"),
        string("label", 20),
        region(),
        string("detail", 200),
        string("recipient", 40),
        string("phone", 16),
        flag("is_default", default=False),
        created_at(),
        foreign_key("account_id", "accounts"),
    )
    create_index("saved_addresses", "account_id")
    op.create_index(
        "ix_saved_addresses_one_default",
        "saved_addresses",
        ["account_id"],
        unique=True,
        sqlite_where=sa.text("is_default"),
        postgresql_where=sa.text("is_default"),
    )


def downgrade() -> None:
    charged = op.get_bind().scalar(sa.text("SELECT COUNT(*) FROM orders WHERE shipping_fee <> 0"))
    if charged:
        raise RuntimeError(
            f"{charged} order(s) carry a shipping fee: their amount is more than their goods, "
            "which the schema below 0017 cannot hold"
        )
    op.drop_index("ix_saved_addresses_one_default", table_name="saved_addresses")
    drop_index("saved_addresses", "account_id")
    op.drop_table("saved_addresses")
    op.drop_table("shipping_fees")
    with op.batch_alter_table("orders") as batch:
        batch.drop_constraint(op.f(FEE_CHECK), type_="check")
        batch.drop_constraint(op.f(NEW_CHECK), type_="check")
        batch.create_check_constraint(op.f(OLD_CHECK), sa.text("amount = qty * unit_price"))
        batch.drop_column("shipping_fee")
