"""Integrity cases, notes, imports and verified figures

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "integrity_imports",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("imported_by", sa.String(length=40), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("events", sa.Integer(), nullable=False),
        sa.Column("duplicates", sa.Integer(), nullable=False),
        sa.Column("skipped", sa.JSON(), nullable=False),
        sa.Column("skipped_count", sa.Integer(), nullable=False),
        sa.Column("sessions", sa.Integer(), nullable=False),
        sa.Column("findings", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["imported_by"], ["accounts.id"], name=op.f("fk_integrity_imports_imported_by_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_integrity_imports")),
    )
    op.create_table(
        "integrity_cases",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("session", sa.String(length=64), nullable=False),
        sa.Column("import_id", sa.String(length=40), nullable=True),
        sa.Column("source", sa.String(length=8), nullable=False),
        sa.Column("rule", sa.String(length=40), nullable=False),
        sa.Column("severity", sa.String(length=8), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("accounts", sa.JSON(), nullable=False),
        sa.Column("orders", sa.JSON(), nullable=False),
        sa.Column("products", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("assignee_id", sa.String(length=40), nullable=True),
        sa.Column("detected_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("evidence_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revisions", sa.Integer(), nullable=False),
        sa.Column("decided_by", sa.String(length=40), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("published_by", sa.String(length=40), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["assignee_id"], ["accounts.id"], name=op.f("fk_integrity_cases_assignee_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by"], ["accounts.id"], name=op.f("fk_integrity_cases_decided_by_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["import_id"],
            ["integrity_imports.id"],
            name=op.f("fk_integrity_cases_import_id_integrity_imports"),
        ),
        sa.ForeignKeyConstraint(
            ["published_by"], ["accounts.id"], name=op.f("fk_integrity_cases_published_by_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_integrity_cases")),
    )
    with op.batch_alter_table("integrity_cases", schema=None) as batch_op:
        batch_op.create_index("ix_integrity_cases_published_at", ["published_at"], unique=False)
        batch_op.create_index("ix_integrity_cases_session", ["session"], unique=False)
        batch_op.create_index("ix_integrity_cases_status", ["status"], unique=False)

    op.create_table(
        "integrity_figures",
        sa.Column("id", sa.String(length=120), nullable=False),
        sa.Column("session", sa.String(length=64), nullable=False),
        sa.Column("import_id", sa.String(length=40), nullable=True),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["import_id"],
            ["integrity_imports.id"],
            name=op.f("fk_integrity_figures_import_id_integrity_imports"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_integrity_figures")),
    )
    op.create_table(
        "integrity_case_notes",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("case_id", sa.String(length=40), nullable=False),
        sa.Column("author_id", sa.String(length=40), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["accounts.id"], name=op.f("fk_integrity_case_notes_author_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["integrity_cases.id"],
            name=op.f("fk_integrity_case_notes_case_id_integrity_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_integrity_case_notes")),
    )
    with op.batch_alter_table("integrity_case_notes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_integrity_case_notes_case_id"), ["case_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("integrity_case_notes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_integrity_case_notes_case_id"))

    op.drop_table("integrity_case_notes")
    op.drop_table("integrity_figures")
    with op.batch_alter_table("integrity_cases", schema=None) as batch_op:
        batch_op.drop_index("ix_integrity_cases_status")
        batch_op.drop_index("ix_integrity_cases_session")
        batch_op.drop_index("ix_integrity_cases_published_at")

    op.drop_table("integrity_cases")
    op.drop_table("integrity_imports")
