"""Integrity cases, notes, imports and verified figures

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

from sunlit.migrations.columns import (
    create_index,
    create_table,
    created_at,
    drop_index,
    foreign_key,
    ident,
    integer,
    json,
    key,
    moment,
    string,
    text,
    updated_at,
)

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_table(
        "integrity_imports",
        key(),
        ident("imported_by"),
        moment("imported_at"),
        string("filename", 200),
        string("sha256", 64),
        integer("size"),
        integer("events"),
        integer("duplicates"),
        json("skipped"),
        integer("skipped_count"),
        integer("sessions"),
        integer("findings"),
        foreign_key("imported_by", "accounts"),
    )
    create_table(
        "integrity_cases",
        key(),
        string("session", 64),
        ident("import_id", null=True),
        string("source", 8),
        string("rule", 40),
        string("severity", 8),
        sa.Column("score", sa.Float(), nullable=False),
        text("summary"),
        json("evidence"),
        json("accounts"),
        json("orders"),
        json("products"),
        string("status", 12),
        ident("assignee_id", null=True),
        moment("detected_at"),
        updated_at(),
        moment("evidence_until", null=True),
        integer("revisions"),
        ident("decided_by", null=True),
        moment("decided_at", null=True),
        text("reason", null=True),
        ident("published_by", null=True),
        moment("published_at", null=True),
        foreign_key("assignee_id", "accounts"),
        foreign_key("decided_by", "accounts"),
        foreign_key("import_id", "integrity_imports"),
        foreign_key("published_by", "accounts"),
    )
    create_index("integrity_cases", "published_at")
    create_index("integrity_cases", "session")
    create_index("integrity_cases", "status")

    create_table(
        "integrity_figures",
        key(length=120),
        string("session", 64),
        ident("import_id", null=True),
        moment("computed_at"),
        json("figures"),
        foreign_key("import_id", "integrity_imports"),
    )
    create_table(
        "integrity_case_notes",
        key(),
        ident("case_id"),
        ident("author_id"),
        text("text"),
        created_at(),
        foreign_key("author_id", "accounts"),
        foreign_key("case_id", "integrity_cases", ondelete="CASCADE"),
    )
    create_index("integrity_case_notes", "case_id")


def downgrade() -> None:
    drop_index("integrity_case_notes", "case_id")
    op.drop_table("integrity_case_notes")
    op.drop_table("integrity_figures")
    drop_index("integrity_cases", "status")
    drop_index("integrity_cases", "session")
    drop_index("integrity_cases", "published_at")
    op.drop_table("integrity_cases")
    op.drop_table("integrity_imports")
