"""Quality documents (inspection reports, compliance certificates), photos, stored files.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

from alembic import op

from sunlit.migrations.columns import (
    bigint,
    check,
    create_index,
    create_table,
    created_at,
    day,
    drop_index,
    foreign_key,
    ident,
    key,
    string,
)

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_table(
        "stored_files",
        key("sha256", length=64),
        string("content_type", 64),
        bigint("size"),
        created_at(),
    )
    create_table(
        "inspections",
        key(),
        ident("product_id"),
        string("kind", 32),
        string("issuer", 120),
        day("issued_on"),
        day("expires_on"),
        string("sha256", 64),
        string("file_name", 200),
        ident("uploaded_by"),
        created_at(),
        check("expires_after_issue", "expires_on > issued_on"),
        foreign_key("product_id", "products"),
        foreign_key("sha256", "stored_files.sha256"),
    )
    create_index("inspections", "product_id")

    create_table(
        "product_photos",
        key(),
        ident("product_id"),
        string("sha256", 64),
        ident("uploaded_by"),
        created_at(),
        foreign_key("product_id", "products"),
        foreign_key("sha256", "stored_files.sha256"),
    )
    create_index("product_photos", "product_id")


def downgrade() -> None:
    drop_index("product_photos", "product_id")
    op.drop_table("product_photos")
    drop_index("inspections", "product_id")
    op.drop_table("inspections")
    op.drop_table("stored_files")
