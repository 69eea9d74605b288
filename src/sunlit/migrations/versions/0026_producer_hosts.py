"""Producers host their own sessions, with an official as a guest (issue 21)

A plan says who hosts it (``host_kind``: 'official' or 'producer'; every plan filed before
was an official's) and which official, if any, joins a producer's session as a guest. SQLite
cannot add a CHECK or a foreign key to a table in place: batch mode rebuilds the table.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("session_plans") as batch:
        batch.add_column(
            sa.Column("host_kind", sa.String(16), nullable=False, server_default="official")
        )
        batch.add_column(sa.Column("guest_official_id", sa.String(40), nullable=True))
        batch.create_check_constraint(
            op.f("ck_session_plans_host_kind_known"),
            sa.text("host_kind IN ('official', 'producer')"),
        )
        batch.create_foreign_key(
            op.f("fk_session_plans_guest_official_id_accounts"),
            "accounts",
            ["guest_official_id"],
            ["id"],
        )


def downgrade() -> None:
    producers = op.get_bind().scalar(
        sa.text("SELECT COUNT(*) FROM session_plans WHERE host_kind = 'producer'")
    )
    if producers:
        raise RuntimeError(
            f"{producers} plan(s) hosted by producers exist: delete them before downgrading "
            "below 0026"
        )
    with op.batch_alter_table("session_plans") as batch:
        batch.drop_constraint(
            op.f("fk_session_plans_guest_official_id_accounts"), type_="foreignkey"
        )
        batch.drop_constraint(op.f("ck_session_plans_host_kind_known"), type_="check")
        batch.drop_column("guest_official_id")
        batch.drop_column("host_kind")
