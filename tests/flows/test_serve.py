"""`jointaudit serve`: safe by default off loopback, and no sign-in token in its access log."""

from __future__ import annotations

import logging
import os
import subprocess
import sys

import pytest

from flows.cli.serve import RedactSignInTokens
from models.settings import Settings, listen_problem
from tests.flows.test_up import ROOT, free_port

# A documentation address (TEST-NET-1): nothing on this machine can listen there, so the
# test never opens a port beyond loopback, whatever the code under test does.
BEYOND_LOOPBACK = "192.0.2.10"


def serve(*extra: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.pop("JOINTAUDIT_ENV", None)
    return subprocess.run(
        [sys.executable, "-m", "flows.cli", "serve", "--port", str(free_port()), *extra],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_serve_refuses_to_listen_beyond_loopback_with_development_settings() -> None:
    result = serve("--host", BEYOND_LOOPBACK)
    assert result.returncode != 0
    said = " ".join((result.stdout + result.stderr).split())
    assert f"refusing to listen on {BEYOND_LOOPBACK}" in said
    assert "JOINTAUDIT_ENV=production" in said and "--insecure-development" in said
    assert "Uvicorn running" not in said


def test_the_insecure_development_flag_lets_a_lab_listen_beyond_loopback() -> None:
    result = serve("--host", BEYOND_LOOPBACK, "--insecure-development")
    said = result.stdout + result.stderr
    assert "refusing to listen" not in said
    assert "address" in said.lower()  # uvicorn tried: this machine cannot hold the address


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "::1", "localhost", "[::1]"])
def test_loopback_addresses_need_no_production_settings(host: str) -> None:
    assert listen_problem(Settings(), host) is None


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "10.0.0.5", "audit.example.org"])
def test_every_other_address_needs_production_settings(
    host: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert listen_problem(Settings(), host) is not None
    monkeypatch.setenv("JOINTAUDIT_ENV", "production")
    monkeypatch.setenv("JOINTAUDIT_SECRET_KEY", "a-long-random-production-secret-key-0123")
    monkeypatch.setenv("JOINTAUDIT_IDENTITY_KEY", "x" * 44)
    assert listen_problem(Settings(), host) is None


@pytest.mark.parametrize(
    ("path", "logged"),
    [
        ("/sign-in/Zm9vYmFyYmF6cXV4cXV1eHF1dXhxdXV4", "/sign-in/[token]"),
        ("/sign-in/abc?x=1", "/sign-in/[token]"),
        ("/sign-in/request", "/sign-in/request"),
        ("/sign-in/check-email", "/sign-in/check-email"),
        ("/tasks/3", "/tasks/3"),
    ],
)
def test_the_access_log_shows_the_sign_in_route_without_its_token(path: str, logged: str) -> None:
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", path, "1.1", 200),
        None,
    )
    assert RedactSignInTokens().filter(record)
    assert record.getMessage() == f'127.0.0.1:5000 - "GET {logged} HTTP/1.1" 200'
