"""Foundation: the event log (append-only), accounts, sessions, API tokens, served regions.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from alembic import op

from sunlit.migrations.columns import (
    check,
    create_index,
    create_table,
    created_at,
    flag,
    foreign_key,
    ident,
    json,
    key,
    moment,
    region,
    sequence,
    string,
    unique,
)

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_table(
        "event_log",
        sequence("seq"),
        string("id", 64),
        string("type", 64),
        moment("ts"),
        string("session", 64, null=True),
        string("actor", 64, null=True),
        json("data"),
        unique("id"),
    )
    create_index("event_log", "ts")
    create_index("event_log", "session")
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

    create_table(
        "accounts",
        key(),
        string("username", 32),
        string("display_name", 64),
        string("role", 16),
        string("password_hash", 255),
        string("phone", 16, null=True),
        string("org", 128, null=True),
        region("region", null=True),
        moment("verified_at", null=True),
        ident("verified_by", null=True),
        flag("disabled", default=False),
        string("language", 8, null=True),
        created_at(),
        unique("username"),
        # Named before names were pinned with op.f(): the naming convention prefixed this one
        # a second time, and ck_accounts_ck_accounts_role_known is what databases hold.
        check(
            "ck_accounts_role_known",
            "role IN ('consumer', 'farmer', 'official', 'supervisor', 'operator')",
        ),
    )
    create_table(
        "web_sessions",
        key("digest", length=64),
        ident("account_id"),
        created_at(),
        moment("last_seen_at"),
        foreign_key("account_id", "accounts", ondelete="CASCADE"),
    )
    create_table(
        "api_tokens",
        key(),
        string("digest", 64),
        ident("account_id"),
        string("name", 64),
        created_at(),
        moment("last_used_at", null=True),
        moment("revoked_at", null=True),
        unique("digest"),
        foreign_key("account_id", "accounts", ondelete="CASCADE"),
    )
    create_table(
        "served_regions",
        key("code", length=6),
        moment("since"),
        ident("added_by", null=True),
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
