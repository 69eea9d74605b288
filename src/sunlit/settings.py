"""The one settings object. Read once at start (``Settings()``) and passed down; nothing else
reads the environment. Every field is documented in docs/settings.md (a test keeps it complete)."""

from __future__ import annotations

import hashlib
import hmac
from enum import StrEnum
from pathlib import Path
from typing import Annotated

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET = "dev-only-secret-change-me"  # noqa: S105 - the well-known development default


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class InsecureSettingsError(ValueError):
    """A production deployment still uses a development default."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="SUNLIT_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    env: Environment = Field(Environment.DEVELOPMENT, description="development, test or production")
    database_url: str = Field(
        "sqlite+aiosqlite:///var/sunlit.db",
        description="SQLAlchemy async URL: SQLite (embedded default) or postgresql+asyncpg://…",
    )
    redis_url: str | None = Field(
        None, description="Redis URL for rate limits and fan-out; in-process when unset"
    )
    secret_key: str = Field(
        DEV_SECRET, description="Signs CSRF tokens and salts hashes; must be set in production"
    )
    host: str = Field("127.0.0.1", description="Address `sunlit serve` binds")
    port: int = Field(8000, description="Port `sunlit serve` binds")
    workers: int = Field(1, ge=1, description="granian worker processes for `sunlit serve`")
    timezone: str = Field("Asia/Shanghai", description="Time zone of event timestamps and pages")
    default_language: Annotated[str, Field(pattern="^(zh|en)$")] = Field(
        "zh", description="Language for visitors who have not chosen one: zh or en"
    )
    session_idle_minutes: int = Field(
        120, ge=1, description="A signed-in session expires after this long without use"
    )
    session_max_hours: int = Field(
        24 * 7, ge=1, description="A signed-in session expires this long after sign-in, at most"
    )
    cookie_secure: bool | None = Field(
        None, description="Send cookies over HTTPS only; defaults to true in production"
    )
    login_max_failures: int = Field(
        5,
        ge=1,
        description="Sign-in attempts on one account from one address before each further "
        "attempt must wait (a success clears the count)",
    )
    login_delay_seconds: float = Field(
        1, gt=0, description="The first such wait, in seconds; each further one is twice as long"
    )
    login_max_delay_seconds: float = Field(
        60, gt=0, description="The longest wait between sign-in attempts on one account, seconds"
    )
    login_max_failures_per_ip: int = Field(
        100,
        ge=1,
        description="Failed sign-ins from one address (IPv6: its /64) on any accounts in the "
        "window; then the address is refused until the failures age out",
    )
    trusted_proxies: str = Field(
        "127.0.0.1,::1",
        description="Comma-separated addresses of reverse proxies whose X-Forwarded-For header "
        "names the client (empty: trust none)",
    )
    password_reset_link_hours: int = Field(
        24, ge=1, description="A password-reset link an operator issues works this long, once"
    )
    password_reset_code_minutes: int = Field(
        10, ge=1, description="A password-reset code sent to a consumer works this long, once"
    )
    password_reset_code_attempts: int = Field(
        5, ge=1, description="Tries of one reset code (right or wrong); then it is void"
    )
    password_reset_codes_per_hour: int = Field(
        3,
        ge=1,
        description="Reset codes sent to one account, and requested from one address, in an hour",
    )
    notifier: Annotated[str, Field(pattern="^log$")] = Field(
        "log",
        description="How reset codes (and notifications, when sent) reach people; `log` "
        "(development) writes them to the log",
    )
    notifications_outside: bool = Field(
        False,
        description="Also send each new notification through the notifier, in the reader's "
        "language (the site's list has them either way)",
    )
    max_request_bytes: int = Field(1_048_576, ge=1024, description="Largest request body")
    page_cache_seconds: int = Field(5, ge=0, le=300, description="Page cache lifetime; 0: off")
    page_cache_entries: int = Field(2000, ge=1, description="Most pages the page cache keeps")
    template_auto_reload: bool = Field(False, description="Check template files on every page")
    login_window_seconds: int = Field(
        900, ge=1, description="Window of the sign-in throttle, in seconds (older: forgotten)"
    )
    argon2_time_cost: int = Field(3, ge=1, description="argon2id passes over memory per hash")
    argon2_memory_kib: int = Field(
        65536, ge=1024, description="argon2id memory per password hash, in KiB"
    )
    node_modules_dir: Path = Field(
        Path("node_modules"), description="Where `npm ci` put the front-end packages (htmx)"
    )
    files_dir: Path = Field(
        Path("var/files"), description="Where uploaded files are kept, by their SHA-256"
    )
    open_log_key_file: Path | None = Field(
        None, description="The public log's Ed25519 signing key (PEM; made on first use; "
        "default: keys/open-log-ed25519.pem in the files store)")  # fmt: skip
    max_upload_bytes: int = Field(
        5 * 1024 * 1024, ge=1024, description="Largest uploaded file (photo, document, CSV)"
    )
    filing_min_hours_ahead: int = Field(
        72, ge=0, description="Boundary rule filed_ahead: hours between filing and the start"
    )
    filing_max_sessions_per_month: int = Field(
        4, ge=1, description="Boundary rule monthly_limit: sessions an official is on a month"
    )
    stream_grace_minutes: int = Field(
        15, ge=0, description="Minutes before and after a plan's window that it may stream"
    )
    stream_callback_hosts: str = Field(
        "127.0.0.1,::1", description="Addresses allowed to call the nginx-rtmp callbacks"
    )
    stream_callback_secret: str | None = Field(
        None,
        description="Shared secret in the nginx-rtmp callback URLs (?cb=…); derived from "
        "SUNLIT_SECRET_KEY when unset outside production; must be set in production",
    )
    stream_rtmp_url: str = Field(
        "rtmp://127.0.0.1:1935/live",
        description="The RTMP server address officials type into OBS or a phone app (the "
        "stream key goes separately)",
    )
    anonymous_reports_per_day: int = Field(
        5, ge=1, description="Anonymous reports one account may file a day"
    )
    concern_answer_working_days: int = Field(
        5,
        ge=1,
        le=60,
        description="Working days the named party has to answer a concern (关切), counted "
        "without weekends and the loaded holidays (sunlit calendar load)",
    )
    concerns_per_address_per_day: int = Field(
        5, ge=1, description="Concerns one address may raise a day without signing in"
    )
    concerns_per_session_per_day: int = Field(
        50,
        ge=1,
        description="Concerns about one session the public may raise a day without "
        "signing in (all addresses together)",
    )
    order_expiry_minutes: int = Field(
        15, ge=1, description="An unpaid order is cancelled and its stock released after this"
    )
    order_default_limit: int = Field(
        10, ge=1, description="Units of a product one buyer may order per session, by default"
    )
    platform_fee_bp: int = Field(
        100, ge=0, le=5000, description="Platform fee kept from each payment, in basis points"
    )
    guarantee_fund_bp: int = Field(
        200, ge=0, le=5000, description="Share of each payment put in the guarantee fund (bp)"
    )
    payout_hold_days: int = Field(
        7,
        ge=0,
        description="Days after receipt is confirmed before a payment is paid out to its producer",
    )
    auto_confirm_days: int = Field(
        7,
        ge=1,
        le=30,
        description="Days after the carrier's delivery before receipt confirms itself, unless "
        "the buyer opened after-sales",
    )
    carrier: Annotated[str, Field(pattern="^sandbox$")] = Field(
        "sandbox", description="Carrier adapter; `sandbox` is the built-in one"
    )
    sandbox_carrier_step_seconds: int = Field(
        3600,
        ge=1,
        description="The sandbox carrier moves a parcel one step (picked up, in transit, …) "
        "after a random delay of up to this many seconds",
    )
    sandbox_carrier_exceptions: bool = Field(
        True,
        description="The sandbox carrier ends about one parcel in twenty lost, damaged or "
        "returned, as real carriers do; off, every parcel is delivered (a rehearsal of the "
        "happy path)",
    )
    aftersales_answer_hours: int = Field(
        48,
        ge=1,
        le=720,
        description="Hours the producer has to answer an after-sales request; silence accepts it",
    )
    quality_claim_hours: int = Field(
        48,
        ge=1,
        le=720,
        description="Hours after delivery in which a quality claim on fresh produce, with "
        "photos, is refunded without sending the goods back",
    )
    no_reason_return_days: int = Field(
        7,
        ge=7,
        le=30,
        description="Days after delivery for a no-reason return of processed and dry goods "
        "(at least the law's seven)",
    )
    aftersales_days: int = Field(
        15,
        ge=7,
        le=90,
        description="Days after delivery in which a buyer may open any after-sales request",
    )
    payment_gateway: Annotated[str, Field(pattern="^sandbox$")] = Field(
        "sandbox", description="Payment gateway adapter; `sandbox` is the built-in one"
    )
    allow_sandbox_payments: bool = Field(
        False,
        description="Allow the sandbox gateway with SUNLIT_ENV=production: staging only",
    )
    sandbox_max_delay_ms: int = Field(
        3000, ge=0, description="Sandbox notifications arrive up to this late (and twice)"
    )
    sandbox_webhook_url: str | None = Field(
        None, description="Where the sandbox sends notifications; defaults to this server"
    )
    background_jobs: bool = Field(
        True,
        description="Run the order-expiry sweep, sandbox deliveries and the integrity monitor",
    )
    integrity_every_seconds: float = Field(
        2.0,
        ge=0.2,
        le=60,
        description="While a session is live, its detectors run again this often (seconds)",
    )
    integrity_late_minutes: float = Field(
        10,
        ge=0,
        description="After a session, its orders' refunds and complaints re-run it this often",
    )
    token_cache_seconds: float = Field(
        5, ge=0, description="How long a process remembers whose a token or session is (0: never)"
    )
    db_pool_size: int = Field(
        32, ge=1, description="Database connections each process may hold; more requests wait"
    )
    live_server: bool = Field(
        True, description="Serve the live rooms' WebSockets from `sunlit serve`"
    )
    live_port: int = Field(
        8001, ge=0, le=65535, description="Port of the live rooms' WebSocket server (0: any free)"
    )
    live_public_url: str | None = Field(
        None,
        description="WebSocket base URL pages use (e.g. wss://example.org); default: same host",
    )
    live_ticket_seconds: int = Field(
        60,
        ge=5,
        le=3600,
        description="A live-room ticket opens one connection within this many seconds",
    )
    live_frame_ms: int = Field(
        100, ge=10, le=2000, description="A room sends what happened at most this often (ms)"
    )
    live_heartbeat_seconds: int = Field(
        15, ge=1, description="Viewers send a heartbeat this often; silent for 3 times this: gone"
    )
    live_max_buffer_bytes: int = Field(
        262_144, ge=4096, description="A viewer whose unsent data passes this is dropped (bytes)"
    )
    live_chat_max_chars: int = Field(200, ge=1, description="Longest chat message, in characters")
    live_chat_messages: int = Field(
        5, ge=1, description="Chat messages one account may send in the chat window"
    )
    live_chat_window_seconds: int = Field(10, ge=1, description="The chat rate window, in seconds")
    live_blocked_words: str = Field(
        "加微信,加vx,加v信,私聊返现,刷单兼职,傻逼,操你",
        description="Comma-separated words a chat message may not contain (abuse and lures only)",
    )
    video_url: str = Field(
        "http://127.0.0.1:8080",
        description="Where nginx-rtmp serves /hls/ and /recordings/ to viewers",
    )
    log_level: str = Field("INFO", description="Log level: DEBUG, INFO, WARNING, ERROR")
    log_json: bool = Field(True, description="Write logs as JSON lines (false: console format)")
    demo_password: str = Field(
        "sunlit-demo-2026", description="Password of the demo accounts `sunlit demo` creates"
    )

    @model_validator(mode="after")
    def _refuse_development_secrets(self) -> Settings:
        if self.env is Environment.PRODUCTION:
            if self.secret_key == DEV_SECRET or len(self.secret_key) < 32:
                raise InsecureSettingsError(
                    "SUNLIT_SECRET_KEY still has its development default (or is shorter than 32 "
                    "characters); set a long random value before running in production"
                )
            if self.demo_password == "sunlit-demo-2026":  # noqa: S105
                raise InsecureSettingsError(
                    "SUNLIT_DEMO_PASSWORD still has its development default; set another value "
                    "before running in production"
                )
            if not self.stream_callback_secret or len(self.stream_callback_secret) < 32:
                raise InsecureSettingsError(
                    "SUNLIT_STREAM_CALLBACK_SECRET is not set (or is shorter than 32 characters); "
                    "set a long random value, then regenerate the nginx configuration"
                )
            if self.cookie_secure is False:
                raise InsecureSettingsError(
                    "SUNLIT_COOKIE_SECURE=false is not allowed in production"
                )
        return self

    @model_validator(mode="after")
    def _refuse_sandbox_payments_in_production(self) -> Settings:
        """The sandbox takes no money: a production deployment that runs it would mark orders
        paid that nobody paid, unless it says it is a staging deployment."""
        if (
            self.env is Environment.PRODUCTION
            and self.payment_gateway == "sandbox"
            and not self.allow_sandbox_payments
        ):
            raise InsecureSettingsError(
                "SUNLIT_PAYMENT_GATEWAY=sandbox moves no real money and lets any buyer mark an "
                "order paid; in production choose a real gateway, or set "
                "SUNLIT_ALLOW_SANDBOX_PAYMENTS=true if this is a staging deployment"
            )
        return self

    def filing_rule_settings(self) -> dict[str, int]:
        """The settings of the boundary rules (docs/boundary-rules.md), by rule setting name."""
        return {
            "min_hours_ahead": self.filing_min_hours_ahead,
            "max_sessions_per_month": self.filing_max_sessions_per_month,
        }

    def webhook_url(self) -> str:
        """Where the sandbox gateway posts its notifications."""
        if self.sandbox_webhook_url:
            return self.sandbox_webhook_url
        host = "127.0.0.1" if self.host in ("0.0.0.0", "::", "") else self.host  # noqa: S104
        return f"http://{host}:{self.port}/api/v1/payments/webhooks/sandbox"

    def carrier_notice_url(self) -> str:
        """Where the sandbox carrier posts its notices: beside the gateway's (this server)."""
        base = self.webhook_url().removesuffix("/api/v1/payments/webhooks/sandbox")
        if base == self.webhook_url():  # a gateway URL of another shape: this server
            host = "127.0.0.1" if self.host in ("0.0.0.0", "::", "") else self.host  # noqa: S104
            base = f"http://{host}:{self.port}"
        return f"{base}/api/v1/carrier/{self.carrier}/notices"

    def callback_secret(self) -> str:
        """The secret nginx-rtmp's callbacks carry (``?cb=…``): the setting, or outside production
        (where the setting is required) one derived from the secret key."""
        if self.stream_callback_secret:
            return self.stream_callback_secret
        key = self.secret_key.encode("utf-8")
        return hmac.new(key, b"sunlit stream callbacks", hashlib.sha256).hexdigest()

    @property
    def secure_cookies(self) -> bool:
        if self.cookie_secure is None:
            return self.env is Environment.PRODUCTION
        return self.cookie_secure

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def sqlite_path(self) -> Path | None:
        """The SQLite file, or None for PostgreSQL or an in-memory database."""
        if not self.is_sqlite:
            return None
        path = self.database_url.split(":///", 1)[1] if ":///" in self.database_url else ""
        return Path(path) if path and path != ":memory:" else None
