"""The real provider (oidc-provider on Node.js) as a subprocess, and a browser-like login."""

from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from html import unescape
from pathlib import Path
from urllib.parse import urljoin

import httpx

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[3]
NODE_MODULES = ROOT / "var" / "node" / "node_modules"
CLIENT_ID = "jointaudit-portal"
CLIENT_SECRET = "test-client-secret"
FORM = re.compile(r'<form[^>]*action="([^"]+)"[^>]*>(.*?)</form>', re.S)
HIDDEN = re.compile(r'<input[^>]*type="hidden"[^>]*name="([^"]+)"[^>]*value="([^"]*)"')

ACCOUNTS = {
    "lead": {"email": "lead@police.example.org", "email_verified": True, "name": "Police Lead"},
    "coordinator": {"email": "Casey@Testshire.example.org", "email_verified": True},
    "stranger": {"email": "nobody@police.example.org", "email_verified": True},
    "unverified": {"email": "lead@police.example.org", "email_verified": False},
    "health-lead": {"email": "lead@health.example.org", "email_verified": True},
}


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def available() -> bool:
    """Whether Node.js and oidc-provider are installed (make test installs them)."""
    return shutil.which("node") is not None and (NODE_MODULES / "oidc-provider").is_dir()


@contextmanager
def running_provider(tmp: Path, *, redirect_base: str) -> Iterator[str]:
    """Run the provider on loopback with the test client and accounts; yields its issuer."""
    port = free_port()
    config = {
        "port": port,
        "accounts": ACCOUNTS,
        "clients": [
            {
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "redirect_uris": [f"{redirect_base}/sign-in/provider/council/callback"],
                "post_logout_redirect_uris": [f"{redirect_base}/"],
                "response_types": ["code"],
                "grant_types": ["authorization_code"],
                # Every ID token says when the person proved who they are: without it a
                # sign-in never counts as recent (docs/sign-in.md).
                "require_auth_time": True,
            }
        ],
    }
    path = tmp / "provider.json"
    path.write_text(json.dumps(config))
    process = subprocess.Popen(
        ["node", str(HERE / "provider.mjs"), str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith("listening "), f"the provider did not start: {line!r}"
        yield line.split(" ", 1)[1].strip()
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()


def log_in(browser: httpx.Client, url: str, *, login: str, back_to: str) -> str:
    """Follow an authorization URL through the provider's own login form, as a browser would;
    returns the address the provider sends the browser back to (our callback)."""
    for _ in range(12):
        if url.startswith(back_to):
            return url
        response = browser.get(url)
        if response.is_redirect:
            url = urljoin(url, response.headers["location"])
            continue
        form = FORM.search(response.text)
        assert form, f"no form on the provider's page {url}: {response.text[:300]}"
        fields = {name: unescape(value) for name, value in HIDDEN.findall(form.group(2))}
        if 'name="login"' in form.group(2):
            fields.update(login=login, password="any")
        response = browser.post(urljoin(url, unescape(form.group(1))), data=fields)
        assert response.is_redirect, response.text[:300]
        url = urljoin(url, response.headers["location"])
    raise AssertionError("the provider never sent the browser back")
