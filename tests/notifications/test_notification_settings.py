from __future__ import annotations

import pytest

from models.errors import ConfigurationError
from models.settings import get_settings
from tests.conftest import TEST_IDENTITY_KEY
from tests.notifications.fake_notify import API_KEY, TEMPLATE_ID


@pytest.fixture
def production(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    monkeypatch.setenv("JOINTAUDIT_ENV", "production")
    monkeypatch.setenv("JOINTAUDIT_IDENTITY_KEY", TEST_IDENTITY_KEY)
    monkeypatch.setenv("JOINTAUDIT_SECRET_KEY", "a-real-secret")
    get_settings.cache_clear()
    return monkeypatch


def test_production_refuses_the_notify_channel_without_a_key_and_template(
    production: pytest.MonkeyPatch,
) -> None:
    production.setenv("JOINTAUDIT_EMAIL_CHANNEL", "notify")
    with pytest.raises(ConfigurationError, match="JOINTAUDIT_NOTIFY_API_KEY"):
        get_settings()
    production.setenv("JOINTAUDIT_NOTIFY_API_KEY", API_KEY)
    production.setenv("JOINTAUDIT_NOTIFY_TEMPLATE_ID", TEMPLATE_ID)
    get_settings.cache_clear()
    assert get_settings().notify_api_key is not None


def test_production_refuses_an_smtp_username_without_a_password(
    production: pytest.MonkeyPatch,
) -> None:
    production.setenv("JOINTAUDIT_SMTP_USERNAME", "relay")
    with pytest.raises(ConfigurationError, match="SMTP_PASSWORD"):
        get_settings()


def test_the_defaults_need_no_mail_server_and_links_point_at_the_local_portal() -> None:
    settings = get_settings()
    assert settings.email_channel == "file"
    assert settings.portal_base_url == "http://127.0.0.1:8000"
    assert settings.sign_in_token_ttl.days == 7


def test_a_token_lifetime_can_be_set_as_an_iso_duration(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JOINTAUDIT_SIGN_IN_TOKEN_TTL", "P3D")
    get_settings.cache_clear()
    assert get_settings().sign_in_token_ttl.days == 3
