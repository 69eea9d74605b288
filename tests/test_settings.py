"""Settings: one object, documented completely, refusing development secrets in production."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from sunlit.settings import Settings
from tests.support import ROOT


def test_every_setting_is_documented_and_nothing_else_is() -> None:
    text = (ROOT / "docs" / "settings.md").read_text("utf-8")
    documented = set(re.findall(r"^\| `(SUNLIT_[A-Z0-9_]+)` \|", text, flags=re.M))
    declared = {f"SUNLIT_{name.upper()}" for name in Settings.model_fields}
    assert documented == declared


def test_production_refuses_the_development_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUNLIT_ENV", "production")
    with pytest.raises(ValidationError, match="SUNLIT_SECRET_KEY"):
        Settings(_env_file=None)  # type: ignore[call-arg]
    monkeypatch.setenv("SUNLIT_SECRET_KEY", "k" * 40)
    with pytest.raises(ValidationError, match="SUNLIT_DEMO_PASSWORD"):
        Settings(_env_file=None)  # type: ignore[call-arg]
    monkeypatch.setenv("SUNLIT_DEMO_PASSWORD", "another-long-password")
    with pytest.raises(ValidationError, match="SUNLIT_STREAM_CALLBACK_SECRET"):
        Settings(_env_file=None)  # type: ignore[call-arg]
    monkeypatch.setenv("SUNLIT_STREAM_CALLBACK_SECRET", "c" * 40)
    monkeypatch.setenv("SUNLIT_COOKIE_SECURE", "false")
    with pytest.raises(ValidationError, match="SUNLIT_COOKIE_SECURE"):
        Settings(_env_file=None)  # type: ignore[call-arg]
    monkeypatch.delenv("SUNLIT_COOKIE_SECURE")
    monkeypatch.setenv("SUNLIT_ALLOW_SANDBOX_PAYMENTS", "true")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.secure_cookies is True


def test_production_refuses_the_sandbox_gateway_unless_staging(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SUNLIT_ENV", "production")
    monkeypatch.setenv("SUNLIT_SECRET_KEY", "k" * 40)
    monkeypatch.setenv("SUNLIT_DEMO_PASSWORD", "another-long-password")
    monkeypatch.setenv("SUNLIT_STREAM_CALLBACK_SECRET", "c" * 40)
    for flag in (None, "false"):
        if flag is not None:
            monkeypatch.setenv("SUNLIT_ALLOW_SANDBOX_PAYMENTS", flag)
        with pytest.raises(ValidationError, match="SUNLIT_ALLOW_SANDBOX_PAYMENTS=true") as refused:
            Settings(_env_file=None)  # type: ignore[call-arg]
        assert "SUNLIT_PAYMENT_GATEWAY=sandbox" in str(refused.value)
    monkeypatch.setenv("SUNLIT_ALLOW_SANDBOX_PAYMENTS", "true")
    staging = Settings(_env_file=None)  # type: ignore[call-arg]
    assert (staging.payment_gateway, staging.allow_sandbox_payments) == ("sandbox", True)
    monkeypatch.delenv("SUNLIT_ALLOW_SANDBOX_PAYMENTS")
    monkeypatch.setenv("SUNLIT_ENV", "development")
    assert Settings(_env_file=None).payment_gateway == "sandbox"  # type: ignore[call-arg]


def test_dotenv_file_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env = tmp_path / ".env"
    env.write_text("SUNLIT_PORT=8123\nSUNLIT_DEFAULT_LANGUAGE=en\n", "utf-8")
    settings = Settings(_env_file=env)  # type: ignore[call-arg]
    assert (settings.port, settings.default_language) == (8123, "en")


def test_only_settings_reads_the_environment() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "src" / "sunlit").rglob("*.py")
        if path.name != "settings.py"
        and re.search(r"os\.environ|os\.getenv|getenv\(", path.read_text("utf-8"))
    ]
    assert offenders == []
