"""The press role: a newsroom or a propaganda office registers claims (issue 16)

The CHECK on accounts.role gains 'press'. Migration 0001 created it as
ck_accounts_ck_accounts_role_known (the naming convention prefixed the name a second time);
the new one takes the name the model gives it, ck_accounts_role_known, and the downgrade
puts back the old one, under its old name. SQLite cannot alter a CHECK: batch mode rebuilds
the table (the environment turns foreign keys off around a SQLite run, so that rebuilding a
table that others refer to neither cascades nor fails).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

# Written as 0014 on 0013; renumbered to follow 0015 (concerns), merged first, so that a
# database already at 0015 still gets the role.
revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

OLD_NAME = "ck_accounts_ck_accounts_role_known"
NEW_NAME = "ck_accounts_role_known"
OLD_ROLES = "role IN ('consumer', 'farmer', 'official', 'supervisor', 'operator')"
NEW_ROLES = "role IN ('consumer', 'farmer', 'official', 'supervisor', 'operator', 'press')"


def upgrade() -> None:
    with op.batch_alter_table("accounts") as batch:
        batch.drop_constraint(op.f(OLD_NAME), type_="check")
        batch.create_check_constraint(op.f(NEW_NAME), sa.text(NEW_ROLES))


def downgrade() -> None:
    press = op.get_bind().scalar(sa.text("SELECT COUNT(*) FROM accounts WHERE role = 'press'"))
    if press:
        raise RuntimeError(
            f"{press} press account(s) exist: give them another role (or delete them) before "
            "downgrading below 0016"
        )
    with op.batch_alter_table("accounts") as batch:
        batch.drop_constraint(op.f(NEW_NAME), type_="check")
        batch.create_check_constraint(op.f(OLD_NAME), sa.text(OLD_ROLES))
