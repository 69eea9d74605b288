"""The guarantee fund pays first and recovers from the producer (先行赔付, ADR 0011)

- ``fund_recoveries``: one row per refund the fund paid after the producer was paid out, with
  what the producer owes back and what its later payouts have recovered.
- ``payouts.recovered``: what a payout returned to the fund. ``amount`` stays what reached the
  payees (the net) and may now be 0 when a payout only recovers: its CHECK ``amount > 0``
  becomes ``amount >= 0``, ``recovered >= 0`` and ``amount + recovered > 0``.
- ``payments.refund_pending`` (refunds asked and not yet settled, backfilled from ``refunds``)
  with the CHECK ``refunded + refund_pending <= amount``; ``payments.held`` keeps a payment out
  of payouts while after-sales has a request open.

SQLite cannot alter a CHECK: batch mode rebuilds ``payouts`` and ``payments`` (the environment
turns foreign keys off around a SQLite run, as for 0016).

Revision ID: 0020
Revises: 0019
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
    unique,
)

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def _begin() -> None:
    """Begin the transaction now. pysqlite runs DDL outside a transaction until a DML statement
    begins one, so without this a later revision's failure would roll back this one's table
    rebuilds only in part, leaving batch mode's _alembic_tmp_ tables behind."""
    op.execute("UPDATE payments SET refunded = refunded WHERE 0 = 1")


def upgrade() -> None:
    _begin()
    create_table(
        "fund_recoveries",
        key(),
        ident("producer_id"),
        ident("payment_id"),
        ident("refund_id"),
        fen("compensated"),
        fen("amount"),
        fen("recovered", zero=True),
        created_at(),
        moment("closed_at", null=True),
        check("compensated_positive", "compensated > 0"),
        check("owed_within_compensated", "amount >= 0 AND amount <= compensated"),
        check("recovered_within_owed", "recovered >= 0 AND recovered <= amount"),
        check("closed_when_recovered", "(closed_at IS NULL) = (recovered < amount)"),
        foreign_key("producer_id", "producers"),
        foreign_key("payment_id", "payments"),
        foreign_key("refund_id", "refunds"),
        unique("refund_id"),
    )
    create_index("fund_recoveries", "producer_id")

    with op.batch_alter_table("payouts") as batch:
        batch.add_column(fen("recovered", zero=True))
        batch.drop_constraint(op.f("ck_payouts_amount_positive"), type_="check")
        batch.create_check_constraint(
            op.f("ck_payouts_amount_not_negative"), sa.text("amount >= 0")
        )
        batch.create_check_constraint(
            op.f("ck_payouts_recovered_not_negative"), sa.text("recovered >= 0")
        )
        batch.create_check_constraint(
            op.f("ck_payouts_gross_positive"), sa.text("amount + recovered > 0")
        )

    with op.batch_alter_table("payments") as batch:
        batch.add_column(fen("refund_pending", zero=True))
        batch.add_column(flag("held", default=False))
    op.execute(
        "UPDATE payments SET refund_pending = (SELECT COALESCE(SUM(amount), 0) FROM refunds "
        "WHERE refunds.payment_id = payments.id AND refunds.state = 'pending')"
    )
    with op.batch_alter_table("payments") as batch:
        batch.create_check_constraint(
            op.f("ck_payments_pending_within_amount"),
            sa.text("refund_pending >= 0 AND refunded + refund_pending <= amount"),
        )


def downgrade() -> None:
    _begin()
    bind = op.get_bind()
    recovered = bind.scalar(sa.text("SELECT COUNT(*) FROM payouts WHERE recovered > 0"))
    if recovered:
        raise RuntimeError(
            f"{recovered} payout(s) recovered money for the guarantee fund: the schema below "
            "0020 cannot record that, so downgrading would lose it"
        )
    with op.batch_alter_table("payments") as batch:
        batch.drop_constraint(op.f("ck_payments_pending_within_amount"), type_="check")
        batch.drop_column("held")
        batch.drop_column("refund_pending")
    with op.batch_alter_table("payouts") as batch:
        batch.drop_constraint(op.f("ck_payouts_gross_positive"), type_="check")
        batch.drop_constraint(op.f("ck_payouts_recovered_not_negative"), type_="check")
        batch.drop_constraint(op.f("ck_payouts_amount_not_negative"), type_="check")
        batch.create_check_constraint(op.f("ck_payouts_amount_positive"), sa.text("amount > 0"))
        batch.drop_column("recovered")
    drop_index("fund_recoveries", "producer_id")
    op.drop_table("fund_recoveries")
