"""After-sales requests and their photos, one open request per order (issue 17)

Revision ID: 0021
Revises: 0020
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
    fen,
    foreign_key,
    ident,
    key,
    moment,
    string,
    text,
    updated_at,
)

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

OPEN = sa.text("status <> 'closed'")


def upgrade() -> None:
    create_table(
        "aftersales_requests",
        key(),
        ident("order_id"),
        ident("buyer_id"),
        ident("producer_id"),
        choice("kind", "refund_only", "return_refund"),
        choice(
            "reason",
            "quality",
            "not_as_described",
            "damaged",
            "late",
            "packaging",
            "not_received",
            "no_reason",
            length=24,
        ),
        string("rule", 40),
        fen("amount"),
        text("text"),
        choice(
            "status",
            "open",
            "offered",
            "refused",
            "returning",
            "returned",
            "escalated",
            "closed",
        ),
        string("outcome", 16, null=True),
        moment("deadline", null=True),
        string("answer", 16, null=True),
        fen("offer", null=True),
        text("answer_text", null=True),
        ident("answered_by", null=True),
        moment("answered_at", null=True),
        string("return_carrier", 40, null=True),
        string("return_tracking_no", 40, null=True),
        moment("returned_at", null=True),
        text("escalation_text", null=True),
        moment("escalated_at", null=True),
        string("ruling", 16, null=True),
        text("ruling_text", null=True),
        ident("decided_by", null=True),
        moment("decided_at", null=True),
        string("refund_id", 40, null=True),
        fen("refunded", zero=True),
        moment("opened_at"),
        updated_at(),
        moment("closed_at", null=True),
        check("outcome_known", "outcome IN ('refunded', 'withdrawn', 'refused_final')"),
        check("answer_known", "answer IN ('accepted', 'partial', 'refused')"),
        check("ruling_known", "ruling IN ('buyer', 'producer')"),
        check("amount_positive", "amount > 0"),
        check("refunded_within_amount", "refunded >= 0 AND refunded <= amount"),
        foreign_key("order_id", "orders"),
        foreign_key("buyer_id", "accounts"),
        foreign_key("producer_id", "producers"),
        foreign_key("answered_by", "accounts"),
        foreign_key("decided_by", "accounts"),
    )
    create_index("aftersales_requests", "order_id")
    create_index("aftersales_requests", "producer_id")
    create_index("aftersales_requests", "status")
    op.create_index(
        "uq_aftersales_requests_open_order",
        "aftersales_requests",
        ["order_id"],
        unique=True,
        sqlite_where=OPEN,
        postgresql_where=OPEN,
    )
    create_table(
        "aftersales_photos",
        key("request_id"),
        key("side", length=8),
        key("sha256", length=64),
        created_at(),
        check("side_known", "side IN ('buyer', 'producer')"),
        foreign_key("request_id", "aftersales_requests"),
        foreign_key("sha256", "stored_files.sha256"),
    )


def downgrade() -> None:
    # A statement that writes rows first: SQLite's driver opens the transaction at the first
    # one, and DDL before it would be kept even when a later revision's downgrade fails.
    op.execute("DELETE FROM aftersales_photos")
    op.drop_table("aftersales_photos")
    op.drop_index("uq_aftersales_requests_open_order", table_name="aftersales_requests")
    drop_index("aftersales_requests", "status")
    drop_index("aftersales_requests", "producer_id")
    drop_index("aftersales_requests", "order_id")
    op.drop_table("aftersales_requests")
