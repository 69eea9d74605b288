"""Shipments and their tracking events, the carrier notices applied, and the sandbox carrier's
parcels, planned scans and queued notices (issue 17)

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-05
"""

import sqlalchemy as sa
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
    region,
    string,
    unique,
)

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

STATUSES = (
    "status IN ('booked', 'picked_up', 'in_transit', 'out_for_delivery', 'delivered', 'lost', "
    "'damaged', 'returned')"
)


def upgrade() -> None:
    create_table(
        "shipments",
        key(),
        ident("order_id"),
        string("carrier", 16),
        string("tracking_no", 40),
        string("status", 24),
        moment("status_at"),
        ident("booked_by"),
        moment("booked_at"),
        moment("delivered_at", null=True),
        moment("confirms_at", null=True),
        moment("closed_at", null=True),
        check("status_known", STATUSES),
        foreign_key("order_id", "orders"),
        unique("order_id"),
        sa.UniqueConstraint("carrier", "tracking_no", name=op.f("tracking_once")),
    )
    create_index("shipments", "delivered_at")
    create_table(
        "tracking_events",
        key("notice_id", length=64),
        ident("shipment_id"),
        string("status", 24),
        moment("at"),
        string("place", 80),
        moment("received_at"),
        check("status_known", STATUSES),
        foreign_key("shipment_id", "shipments"),
    )
    create_index("tracking_events", "shipment_id", "at")
    create_table(
        "carrier_notices",
        key("notice_id", length=64),
        string("carrier", 16),
        string("tracking_no", 40),
        moment("received_at"),
    )
    create_table(
        "sandbox_parcels",
        key("tracking_no"),
        ident("reference"),
        region("origin"),
        region("destination"),
        moment("booked_at"),
    )
    create_table(
        "sandbox_scans",
        key("tracking_no"),
        sa.Column("seq", sa.Integer(), primary_key=True, autoincrement=False, nullable=False),
        string("status", 24),
        string("place", 80),
        moment("at"),
        moment("queued_at", null=True),
        check("status_known", STATUSES),
        foreign_key("tracking_no", "sandbox_parcels.tracking_no"),
    )
    create_index("sandbox_scans", "at")
    create_table(
        "sandbox_carrier_notices",
        key(),
        string("notice_id", 64),
        ident("tracking_no"),
        integer("seq"),
        string("body", 1000),
        moment("deliver_at"),
        integer("attempts", zero=True),
        moment("delivered_at", null=True),
        integer("last_status", null=True),
        foreign_key("tracking_no", "sandbox_parcels.tracking_no"),
    )
    create_index("sandbox_carrier_notices", "deliver_at")
    create_index("sandbox_carrier_notices", "tracking_no")


def downgrade() -> None:
    # A write first: SQLite's driver opens the transaction at the first write, not at DDL, so
    # without it these drops would stick if a later step of the same downgrade failed.
    op.execute("DELETE FROM sandbox_carrier_notices")
    drop_index("sandbox_carrier_notices", "tracking_no")
    drop_index("sandbox_carrier_notices", "deliver_at")
    op.drop_table("sandbox_carrier_notices")
    drop_index("sandbox_scans", "at")
    op.drop_table("sandbox_scans")
    op.drop_table("sandbox_parcels")
    op.drop_table("carrier_notices")
    drop_index("tracking_events", "shipment_id", "at")
    op.drop_table("tracking_events")
    drop_index("shipments", "delivered_at")
    op.drop_table("shipments")
