"""Majiang's English name on its own code.

The shipped English names put "Majiang County" on 522636, which is 丹寨县 (Danzhai); 麻江县 is
522635. The regions table loaded by 0012 holds that pairing; this puts each English name on its
county. (On a database whose regions table is empty the official list is read as shipped.)

Revision ID: 0024
Revises: 0023
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None

regions = sa.table("regions", sa.column("code", sa.String), sa.column("name_en", sa.String))


def _name(code: str, name_en: str, wrong: str) -> None:
    op.execute(
        regions.update()
        .where(regions.c.code == code, regions.c.name_en == wrong)
        .values(name_en=name_en)
    )


def upgrade() -> None:
    _name("522636", "丹寨县", "Majiang County")
    _name("522635", "Majiang County", "麻江县")


def downgrade() -> None:
    _name("522635", "麻江县", "Majiang County")
    _name("522636", "Majiang County", "丹寨县")
