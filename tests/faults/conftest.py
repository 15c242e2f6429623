"""Fault tests run against PostgreSQL through a loopback TCP proxy that they cut and restore.

`engine` here overrides the root one: the domain database of JOINTAUDIT_TEST_POSTGRES_URL,
reached through `db_proxy`, and configured as the database of the code under test (and of
any subprocess it starts). `postgres_engine` reaches the server directly, for checking.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from models.db import create_db_engine, dispose_engines
from models.settings import Settings, get_settings
from tests.conftest import POSTGRES_URL, _truncate_all
from tests.faults.tcp_proxy import TcpProxy
from tests.notifications.conftest import (
    Configure,
    configure,
    fake_notify,
    notify_settings,
    people,
    smtp_settings,
    smtp_sink,
)
from tests.notifications.loopback import SmtpSink

__all__ = ["configure", "fake_notify", "notify_settings", "people", "smtp_settings", "smtp_sink"]


@pytest.fixture
def db_proxy(postgres_engine: Engine) -> Iterator[TcpProxy]:
    """A proxy in front of the PostgreSQL server of the test database."""
    url = postgres_engine.url
    with TcpProxy(target_host=url.host or "127.0.0.1", target_port=url.port or 5432) as proxy:
        yield proxy


@pytest.fixture
def engine(
    postgres_engine: Engine, db_proxy: TcpProxy, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Engine]:
    """The empty domain database through the proxy; also the configured one for code under test."""
    assert POSTGRES_URL is not None
    _truncate_all(postgres_engine)
    url = make_url(POSTGRES_URL).set(host="127.0.0.1", port=db_proxy.port)
    rendered = url.render_as_string(hide_password=False)
    monkeypatch.setenv("JOINTAUDIT_DATABASE_URL", rendered)
    get_settings.cache_clear()
    dispose_engines()
    proxied = create_db_engine(rendered)
    yield proxied
    db_proxy.restore()
    proxied.dispose()
    dispose_engines()


@pytest.fixture
def smtp_proxy(smtp_sink: SmtpSink) -> Iterator[TcpProxy]:
    """A proxy in front of the loopback SMTP server."""
    with TcpProxy(target_port=smtp_sink.port) as proxy:
        yield proxy


@pytest.fixture
def smtp_via_proxy(smtp_settings: Settings, smtp_proxy: TcpProxy, configure: Configure) -> Settings:
    """Email goes to the loopback SMTP server through `smtp_proxy`."""
    return configure(smtp_port=smtp_proxy.port)
