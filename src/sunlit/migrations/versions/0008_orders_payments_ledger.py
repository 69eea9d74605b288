"""Orders, payments, the double-entry ledger, payouts and the sandbox gateway

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23
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
    fen,
    flag,
    foreign_key,
    ident,
    integer,
    key,
    moment,
    one_of,
    positive,
    refund_within_amount,
    region,
    sequence,
    string,
    unique,
)

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_table(
        "ledger_transactions",
        key(),
        string("kind", 24),
        ident("reference", null=True),
        string("memo", 200),
        created_at(),
    )
    create_index("ledger_transactions", "reference")

    create_table(
        "sandbox_charges",
        key("ref", length=64),
        fen("amount"),
        string("description", 200),
        string("return_url", 300),
        choice("state", "pending", "succeeded", "failed"),
        fen("refunded", zero=True),
        created_at(),
        moment("decided_at", null=True),
        refund_within_amount(),
    )
    create_table(
        "sandbox_webhooks",
        key(),
        string("event_id", 64),
        string("body", 2000),
        moment("deliver_at"),
        integer("attempts", zero=True),
        moment("delivered_at", null=True),
        integer("last_status", null=True),
    )
    create_index("sandbox_webhooks", "deliver_at")

    create_table(
        "webhook_receipts",
        key("event_id", length=64),
        string("gateway", 16),
        string("type", 32),
        moment("received_at"),
    )
    # The target of the ledger's (owner, role) key: it must exist before ledger_accounts.
    create_index("accounts", "id", "role", unique=True)
    create_table(
        "ledger_accounts",
        key(length=80),
        string("kind", 24),
        ident("producer_id", null=True),
        ident("owner_account", null=True),
        string("owner_role", 16, null=True),
        created_at(),
        check(
            "producer_accounts_name_producer",
            "(kind IN ('producer_payable', 'payee')) = (producer_id IS NOT NULL)",
        ),
        # one_of, not choice(): this CHECK comes second, after producer_accounts_name_producer.
        one_of(
            "kind",
            "consumer_payments",
            "producer_payable",
            "platform_fee",
            "guarantee_fund",
            "refunds",
            "payee",
        ),
        check("never_official", "owner_role IS NULL OR owner_role <> 'official'"),
        check("owner_has_role", "(owner_account IS NULL) = (owner_role IS NULL)"),
        sa.ForeignKeyConstraint(
            ["owner_account", "owner_role"],
            ["accounts.id", "accounts.role"],
            name="fk_ledger_accounts_owner_role_accounts",
            onupdate="CASCADE",
        ),
        foreign_key("producer_id", "producers"),
    )
    create_table(
        "payments",
        key(),
        ident("reference"),
        ident("payer_id"),
        ident("producer_id"),
        fen("amount"),
        string("gateway", 16),
        string("gateway_ref", 64),
        string("pay_url", 300),
        choice("state", "pending", "captured", "failed", "voided"),
        fen("fee", zero=True),
        fen("fund", zero=True),
        fen("refunded", zero=True),
        moment("release_at", null=True),
        ident("payout_id", null=True),
        created_at(),
        moment("captured_at", null=True),
        positive("amount"),
        refund_within_amount(),
        foreign_key("payer_id", "accounts"),
        foreign_key("producer_id", "producers"),
        unique("gateway_ref"),
    )
    create_index("payments", "reference")
    create_index("payments", "release_at")

    create_table(
        "payout_shares",
        key("cooperative_id"),
        key("member_id"),
        integer("share_bp"),
        check("share_range", "share_bp > 0 AND share_bp <= 10000"),
        foreign_key("cooperative_id", "producers"),
        foreign_key("member_id", "producers"),
    )
    create_table(
        "payouts",
        key(),
        ident("producer_id"),
        fen("amount"),
        integer("payments"),
        ident("created_by", null=True),
        created_at(),
        positive("amount"),
        foreign_key("producer_id", "producers"),
    )
    create_index("payouts", "producer_id")

    create_table(
        "ledger_entries",
        sequence("seq"),
        ident("transaction_id"),
        string("account_id", 80),
        fen("amount"),
        check("amount_not_zero", "amount <> 0"),
        foreign_key("account_id", "ledger_accounts"),
        foreign_key("transaction_id", "ledger_transactions", deferrable=True, initially="DEFERRED"),
    )
    create_index("ledger_entries", "account_id")
    create_index("ledger_entries", "transaction_id")

    create_table(
        "payout_lines",
        key("payout_id"),
        key("payee_id"),
        fen("amount"),
        positive("amount"),
        foreign_key("payee_id", "producers"),
        foreign_key("payout_id", "payouts"),
    )
    create_table(
        "refunds",
        key(),
        ident("payment_id"),
        fen("amount"),
        string("reason", 200),
        string("gateway_ref", 64),
        choice("state", "pending", "succeeded"),
        ident("requested_by", null=True),
        created_at(),
        moment("settled_at", null=True),
        positive("amount"),
        foreign_key("payment_id", "payments"),
        unique("gateway_ref"),
    )
    create_index("refunds", "payment_id")

    create_table(
        "orders",
        key(),
        ident("buyer_id"),
        ident("product_id"),
        ident("producer_id"),
        ident("session_id", null=True),
        integer("qty"),
        fen("unit_price"),
        fen("amount"),
        choice(
            "state", "placed", "paid", "shipped", "delivered", "completed", "cancelled", "refunded"
        ),
        string("payment_method", 16),
        region("address_region"),
        string("address_detail", 200),
        string("recipient", 40),
        string("phone", 16),
        string("idempotency_key", 64),
        string("request_digest", 64),
        fen("refunded", zero=True),
        string("carrier", 40, null=True),
        string("tracking_no", 40, null=True),
        string("cancel_reason", 200, null=True),
        moment("placed_at"),
        moment("expires_at"),
        moment("paid_at", null=True),
        moment("shipped_at", null=True),
        moment("delivered_at", null=True),
        moment("closed_at", null=True),
        check("amount_is_qty_times_price", "amount = qty * unit_price"),
        positive("qty"),
        refund_within_amount(),
        foreign_key("buyer_id", "accounts"),
        foreign_key("producer_id", "producers"),
        foreign_key("product_id", "products"),
        foreign_key("session_id", "session_plans"),
        sa.UniqueConstraint("buyer_id", "idempotency_key", name="buyer_key_once"),
    )
    create_index("orders", "producer_id")
    create_index("orders", "product_id", "buyer_id")
    create_index("orders", "state", "expires_at")

    # A batch block: on SQLite, adding on_sale with its SQL-expression default recreates products.
    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.add_column(flag("on_sale", default=True))
        batch_op.add_column(integer("per_buyer_limit", null=True))

    _ledger_rules()


#: The ledger's rules, in the database itself so that no code path can skip them.
BALANCED = (
    "(SELECT COUNT(*) FROM ledger_entries WHERE transaction_id = NEW.id) < 2 "
    "OR (SELECT SUM(amount) FROM ledger_entries WHERE transaction_id = NEW.id) <> 0"
)
SEALED = "EXISTS (SELECT 1 FROM ledger_transactions WHERE id = NEW.transaction_id)"


def _ledger_rules() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for table in ("ledger_entries", "ledger_transactions"):
            for action in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
                )
        op.execute(
            "CREATE TRIGGER ledger_transactions_balanced AFTER INSERT ON ledger_transactions "
            f"WHEN {BALANCED} "
            "BEGIN SELECT RAISE(ABORT, 'ledger transaction does not balance'); END"
        )
        op.execute(
            "CREATE TRIGGER ledger_entries_sealed BEFORE INSERT ON ledger_entries "
            f"WHEN {SEALED} "
            "BEGIN SELECT RAISE(ABORT, 'ledger transaction is already posted'); END"
        )
        return
    op.execute(
        "CREATE FUNCTION ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$"
    )
    for table in ("ledger_entries", "ledger_transactions"):
        op.execute(
            f"CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION ledger_append_only()"
        )
        op.execute(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only()"
        )
    op.execute(
        "CREATE FUNCTION ledger_balanced() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN IF {BALANCED} THEN "
        "RAISE EXCEPTION 'ledger transaction does not balance'; END IF; RETURN NEW; END $$"
    )
    op.execute(
        "CREATE TRIGGER ledger_transactions_balanced AFTER INSERT ON ledger_transactions "
        "FOR EACH ROW EXECUTE FUNCTION ledger_balanced()"
    )
    op.execute(
        "CREATE FUNCTION ledger_sealed() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN IF {SEALED} THEN "
        "RAISE EXCEPTION 'ledger transaction is already posted'; END IF; RETURN NEW; END $$"
    )
    op.execute(
        "CREATE TRIGGER ledger_entries_sealed BEFORE INSERT ON ledger_entries "
        "FOR EACH ROW EXECUTE FUNCTION ledger_sealed()"
    )


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        for table in ("ledger_entries", "ledger_transactions"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
    # ### commands auto generated by Alembic - please adjust! ###
    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.drop_column("per_buyer_limit")
        batch_op.drop_column("on_sale")

    drop_index("orders", "state", "expires_at")
    drop_index("orders", "product_id", "buyer_id")
    drop_index("orders", "producer_id")
    op.drop_table("orders")
    drop_index("refunds", "payment_id")
    op.drop_table("refunds")
    op.drop_table("payout_lines")
    drop_index("ledger_entries", "transaction_id")
    drop_index("ledger_entries", "account_id")
    op.drop_table("ledger_entries")
    drop_index("payouts", "producer_id")
    op.drop_table("payouts")
    op.drop_table("payout_shares")
    drop_index("payments", "release_at")
    drop_index("payments", "reference")
    op.drop_table("payments")
    op.drop_table("ledger_accounts")
    drop_index("accounts", "id", "role")
    op.drop_table("webhook_receipts")
    drop_index("sandbox_webhooks", "deliver_at")
    op.drop_table("sandbox_webhooks")
    op.drop_table("sandbox_charges")
    drop_index("ledger_transactions", "reference")
    op.drop_table("ledger_transactions")
    if bind.dialect.name == "postgresql":
        for function in ("ledger_append_only", "ledger_balanced", "ledger_sealed"):
            op.execute(f"DROP FUNCTION IF EXISTS {function}()")
    # ### end Alembic commands ###
