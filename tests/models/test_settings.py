from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr

from models.errors import ConfigurationError
from models.settings import Settings, get_settings
from tests.conftest import TEST_IDENTITY_KEY


def test_the_default_database_is_a_sqlite_file_in_the_data_directory(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "var")
    assert (
        settings.resolved_database_url == f"sqlite:///{(tmp_path / 'var').resolve()}/jointaudit.db"
    )
    assert settings.prefect_home == tmp_path / "var" / "prefect"


def test_production_refuses_to_start_without_an_identity_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("JOINTAUDIT_ENV", "production")
    monkeypatch.delenv("JOINTAUDIT_IDENTITY_KEY")
    monkeypatch.setenv("JOINTAUDIT_SECRET_KEY", "a-real-secret")
    get_settings.cache_clear()
    with pytest.raises(ConfigurationError, match="JOINTAUDIT_IDENTITY_KEY is required"):
        get_settings()


def test_production_refuses_the_development_secret_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JOINTAUDIT_ENV", "production")
    monkeypatch.setenv("JOINTAUDIT_IDENTITY_KEY", TEST_IDENTITY_KEY)
    monkeypatch.delenv("JOINTAUDIT_SECRET_KEY", raising=False)
    get_settings.cache_clear()
    with pytest.raises(ConfigurationError, match="set JOINTAUDIT_SECRET_KEY"):
        get_settings()


def test_vocabularies_can_be_set_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JOINTAUDIT_CASE_FLAGS", '["domestic_abuse", "fgm"]')
    get_settings.cache_clear()
    assert get_settings().case_flags == ("domestic_abuse", "fgm")


def test_required_domains_and_providers_are_read_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("JOINTAUDIT_SSO_REQUIRED_DOMAINS", "Northbridge.gov.uk, @nhs.net")
    monkeypatch.setenv(
        "JOINTAUDIT_OIDC_PROVIDERS",
        '[{"key": "council", "name": "Northbridge Council", "client_id": "c",'
        ' "issuer": "https://login.microsoftonline.com/t/v2.0", "client_secret": "s",'
        ' "domains": ["Northbridge.gov.uk"], "email_claim": "upn"}]',
    )
    settings = Settings()
    assert settings.sso_required_domains == ("northbridge.gov.uk", "nhs.net")
    assert settings.sso_required_for("someone@NHS.net")
    assert not settings.sso_required_for("head@school.example.org")
    [provider] = settings.oidc_providers
    assert provider.domains == ("northbridge.gov.uk",) and provider.email_claim == "upn"
    assert provider.client_secret.get_secret_value() == "s" and "**********" in repr(provider)
    assert settings.fresh_sign_in_minutes == 15


def test_production_refuses_a_provider_that_is_not_https(monkeypatch: pytest.MonkeyPatch) -> None:
    provider = {
        "key": "p",
        "name": "P",
        "issuer": "http://login.example.org",
        "client_id": "c",
        "domains": ["example.org"],
    }
    with pytest.raises(ValueError, match="https"):
        Settings(
            env="production",
            identity_key=SecretStr(TEST_IDENTITY_KEY),
            secret_key=SecretStr("not-the-development-secret"),
            oidc_providers=({**provider, "client_secret": "s"},),  # type: ignore[arg-type]
        )


def test_docs_security_names_the_setting_of_every_limit() -> None:
    limits = {
        name
        for name in Settings.model_fields
        if ("max" in name.split("_") and not name.startswith("outbox_"))
        or name in {"sign_in_token_ttl", "fresh_sign_in_minutes", "register_deployment_rows"}
    }
    assert {"max_body_bytes", "max_yaml_bytes", "register_max_mb"} <= limits
    text = (Path(__file__).parents[2] / "docs" / "security.md").read_text()
    limits_table = text.split("## Limits and their settings", 1)[1].split("\n## ", 1)[0]
    assert [n for n in sorted(limits) if f"JOINTAUDIT_{n.upper()}" not in limits_table] == []
