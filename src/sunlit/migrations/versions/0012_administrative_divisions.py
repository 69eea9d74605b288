"""Every province, prefecture and county of China (GB/T 2260), docs/adr/0008

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

from sunlit.core.regions.sources import official_regions

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    regions = op.create_table(
        "regions",
        sa.Column("code", sa.String(length=6), nullable=False),
        sa.Column("name_zh", sa.String(length=64), nullable=False),
        sa.Column("name_en", sa.String(length=128), nullable=False),
        sa.Column("parent", sa.String(length=6), nullable=True),
        sa.Column("retired_on", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("code", name="pk_regions"),
    )
    # One multi-row INSERT per thousand rows: the whole list loads in a fraction of a second.
    rows = [
        {"code": r.code, "name_zh": r.name_zh, "name_en": r.name_en, "parent": r.parent}
        for r in official_regions().regions()
    ]
    op.bulk_insert(regions, rows, multiinsert=True)


def downgrade() -> None:
    op.drop_table("regions")
