"""Open data and the public log (issue 22)

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

from sunlit.migrations.columns import (
    bigint,
    create_index,
    create_table,
    drop_index,
    integer,
    key,
    moment,
    string,
    text,
)

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_table(
        "open_records",
        sa.Column("seq", sa.BigInteger(), primary_key=True, autoincrement=False, nullable=False),
        string("kind", 16),
        string("key", 64),
        integer("revision"),
        sa.Column("replaces", sa.BigInteger(), nullable=True),
        string("reason", 500),
        moment("published_at"),
        string("digest", 64),
        string("leaf_hash", 64),
        text("line"),
        sa.UniqueConstraint("kind", "key", "revision", name="uq_open_records_kind"),
    )
    create_index("open_records", "published_at")
    create_table(
        "open_latest",
        key("kind", length=16),
        key("key", length=64),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        integer("revision"),
        string("digest", 64),
    )
    create_table(
        "open_tree_heads",
        sa.Column(
            "tree_size", sa.BigInteger(), primary_key=True, autoincrement=False, nullable=False
        ),
        string("root_hash", 64),
        bigint("timestamp_ms"),
        string("key_id", 16),
        string("signature", 128),
    )
    create_table("open_cursor", key("name", length=16), bigint("seq"))
    create_table(
        "open_bulk_files",
        sa.Column("day", sa.Date(), primary_key=True, nullable=False),
        key("format", length=8),
        integer("records"),
        bigint("bytes"),
        string("sha256", 64),
        moment("made_at"),
    )


def downgrade() -> None:
    op.drop_table("open_bulk_files")
    op.drop_table("open_cursor")
    op.drop_table("open_tree_heads")
    op.drop_table("open_latest")
    drop_index("open_records", "published_at")
    op.drop_table("open_records")
