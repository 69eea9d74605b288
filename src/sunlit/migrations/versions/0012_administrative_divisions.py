"""Every province, prefecture and county of China (GB/T 2260), docs/adr/0008

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05
"""

from alembic import op

from sunlit.core.regions.sources import official_regions
from sunlit.migrations.columns import (
    create_table,
    day,
    key,
    region,
    string,
)

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    regions = create_table(
        "regions",
        key("code", length=6),
        string("name_zh", 64),
        string("name_en", 128),
        region("parent", null=True),
        day("retired_on", null=True),
    )
    # One multi-row INSERT per thousand rows: the whole list loads in a fraction of a second.
    rows = [
        {"code": r.code, "name_zh": r.name_zh, "name_en": r.name_en, "parent": r.parent}
        for r in official_regions().regions()
    ]
    op.bulk_insert(regions, rows, multiinsert=True)


def downgrade() -> None:
    op.drop_table("regions")
