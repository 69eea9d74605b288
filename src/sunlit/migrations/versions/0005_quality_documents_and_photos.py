"""Quality documents (inspection reports, compliance certificates), photos, stored files.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "stored_files",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content_type", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_stored_files")),
    )
    op.create_table(
        "inspections",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("product_id", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("issuer", sa.String(length=120), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("file_name", sa.String(length=200), nullable=False),
        sa.Column("uploaded_by", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "expires_on > issued_on", name=op.f("ck_inspections_expires_after_issue")
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_inspections_product_id_products")
        ),
        sa.ForeignKeyConstraint(
            ["sha256"], ["stored_files.sha256"], name=op.f("fk_inspections_sha256_stored_files")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspections")),
    )
    with op.batch_alter_table("inspections", schema=None) as batch_op:
        batch_op.create_index("ix_inspections_product_id", ["product_id"], unique=False)

    op.create_table(
        "product_photos",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("product_id", sa.String(length=40), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("uploaded_by", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_product_photos_product_id_products")
        ),
        sa.ForeignKeyConstraint(
            ["sha256"], ["stored_files.sha256"], name=op.f("fk_product_photos_sha256_stored_files")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_product_photos")),
    )
    with op.batch_alter_table("product_photos", schema=None) as batch_op:
        batch_op.create_index("ix_product_photos_product_id", ["product_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("product_photos", schema=None) as batch_op:
        batch_op.drop_index("ix_product_photos_product_id")

    op.drop_table("product_photos")
    with op.batch_alter_table("inspections", schema=None) as batch_op:
        batch_op.drop_index("ix_inspections_product_id")

    op.drop_table("inspections")
    op.drop_table("stored_files")
