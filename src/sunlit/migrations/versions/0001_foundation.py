"""Foundation: the event log (append-only), accounts, sessions, API tokens, served regions.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "event_log",
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("type", sa.String(64), nullable=False),
        sa.Column("ts", TZ, nullable=False),
        sa.Column("session", sa.String(64)),
        sa.Column("actor", sa.String(64)),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_event_log"),
        sa.UniqueConstraint("id", name="uq_event_log_id"),
    )
    op.create_index("ix_event_log_ts", "event_log", ["ts"])
    op.create_index("ix_event_log_session", "event_log", ["session"])
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER event_log_no_{action.lower()} BEFORE {action} ON event_log "
                "BEGIN SELECT RAISE(ABORT, 'event_log is append-only'); END"
            )
    else:
        op.execute(
            "CREATE FUNCTION event_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN RAISE EXCEPTION 'event_log is append-only'; END $$"
        )
        op.execute(
            "CREATE TRIGGER event_log_no_change BEFORE UPDATE OR DELETE ON event_log "
            "FOR EACH ROW EXECUTE FUNCTION event_log_append_only()"
        )
        op.execute(
            "CREATE TRIGGER event_log_no_truncate BEFORE TRUNCATE ON event_log "
            "FOR EACH STATEMENT EXECUTE FUNCTION event_log_append_only()"
        )

    op.create_table(
        "accounts",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("username", sa.String(32), nullable=False),
        sa.Column("display_name", sa.String(64), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("phone", sa.String(16)),
        sa.Column("org", sa.String(128)),
        sa.Column("region", sa.String(6)),
        sa.Column("verified_at", TZ),
        sa.Column("verified_by", sa.String(40)),
        sa.Column("disabled", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("language", sa.String(8)),
        sa.Column("created_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_accounts"),
        sa.UniqueConstraint("username", name="uq_accounts_username"),
        sa.CheckConstraint(
            "role IN ('consumer', 'farmer', 'official', 'supervisor', 'operator')",
            name="ck_accounts_role_known",
        ),
    )
    op.create_table(
        "web_sessions",
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("account_id", sa.String(40), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("last_seen_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("digest", name="pk_web_sessions"),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            ondelete="CASCADE",
            name="fk_web_sessions_account_id_accounts",
        ),
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("account_id", sa.String(40), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("last_used_at", TZ),
        sa.Column("revoked_at", TZ),
        sa.PrimaryKeyConstraint("id", name="pk_api_tokens"),
        sa.UniqueConstraint("digest", name="uq_api_tokens_digest"),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            ondelete="CASCADE",
            name="fk_api_tokens_account_id_accounts",
        ),
    )
    op.create_table(
        "served_regions",
        sa.Column("code", sa.String(6), nullable=False),
        sa.Column("since", TZ, nullable=False),
        sa.Column("added_by", sa.String(40)),
        sa.PrimaryKeyConstraint("code", name="pk_served_regions"),
    )


def downgrade() -> None:
    op.drop_table("served_regions")
    op.drop_table("api_tokens")
    op.drop_table("web_sessions")
    op.drop_table("accounts")
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        op.execute("DROP TRIGGER IF EXISTS event_log_no_truncate ON event_log")
        op.execute("DROP TRIGGER IF EXISTS event_log_no_change ON event_log")
        op.execute("DROP FUNCTION IF EXISTS event_log_append_only()")
    op.drop_table("event_log")
