"""Two `jointaudit serve` processes behind nginx, run from docs/deploy/nginx.conf."""

from __future__ import annotations

import os
import re
import shutil
import signal
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlmodel import col, select

from models.db import get_engine, session_scope, upgrade_database
from models.partnership import Person
from models.settings import Settings
from models.types import utcnow
from notifications.tokens import mint_sign_in_token
from tests.builders import NOW, import_register, launch_parameters, load_agencies, register_of
from tests.flows.test_up import ROOT, free_port

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')

pytestmark = pytest.mark.skipif(
    NGINX is None and os.environ.get("CI") is None, reason="nginx is not installed"
)


def wait_until_listening(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text(errors="replace")[-3000:]
        try:
            httpx.get(url, timeout=2)
            return
        except httpx.TransportError:
            time.sleep(0.3)
    pytest.fail(f"{url} did not answer:\n" + log.read_text(errors="replace")[-3000:])


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    cert, key = folder / "fullchain.pem", folder / "privkey.pem"
    names = "subjectAltName=DNS:localhost,IP:127.0.0.1"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-subj", "/CN=localhost", "-addext", names, "-keyout", str(key), "-out", str(cert)),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def nginx_config(folder: Path, *, portal_ports: list[int], http: int, https: int) -> Path:
    """The documented configuration with this test's ports, certificate and log paths."""
    text = (ROOT / "docs" / "deploy" / "nginx.conf").read_text()
    for old, new in (
        ("server 127.0.0.1:8001;", f"server 127.0.0.1:{portal_ports[0]};"),
        ("server 127.0.0.1:8002;", f"server 127.0.0.1:{portal_ports[1]};"),
        ("listen 80;", f"listen 127.0.0.1:{http};"),
        ("listen 443 ssl;", f"listen 127.0.0.1:{https} ssl;"),
        ("/etc/ssl/jointaudit/", f"{folder}/"),
        ("/var/log/nginx/", f"{folder}/"),
    ):
        assert old in text, f"docs/deploy/nginx.conf no longer holds {old!r}"
        text = text.replace(old, new)
    path = folder / "nginx.conf"
    path.write_text(text)
    return path


@pytest.fixture
def portals(settings: Settings, tmp_path: Path) -> Iterator[tuple[list[int], Path]]:
    """Two portal processes on one SQLite file, with a launched round."""
    upgrade_database(get_engine())
    with session_scope() as session:
        load_agencies(session=session, tmp_path=tmp_path, codes=("police", "csc", "health"))
        import_register(session=session, tmp_path=tmp_path, rows=register_of(counts={"CIN": 4}))
        from flows.rounds.launch import launch_round

        launch_round(
            session=session,
            params=launch_parameters(agencies=["police", "csc"], sample_size=3),
            seed=1,
            idempotency_key="proxy",
            now=NOW,
            actor="test",
            settings=settings,
        )
    get_engine().dispose()
    ports = [free_port(), free_port()]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env["JOINTAUDIT_DATA_DIR"] = str(settings.data_dir.resolve())
    env["JOINTAUDIT_PORTAL_BASE_URL"] = "https://localhost"
    processes, logs = [], []
    for port in ports:
        log = tmp_path / f"serve-{port}.log"
        logs.append(log)
        with log.open("wb") as out:
            processes.append(
                subprocess.Popen(
                    [sys.executable, "-m", "flows.cli", "serve", "--port", str(port)],
                    cwd=ROOT,
                    env=env,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            )
    try:
        for port, process, log in zip(ports, processes, logs, strict=True):
            wait_until_listening(f"http://127.0.0.1:{port}/accessibility", process, log)
        yield ports, tmp_path
    finally:
        for process in processes:
            process.send_signal(signal.SIGINT)
        for process in processes:
            process.wait(timeout=30)


@pytest.fixture
def proxy(portals: tuple[list[int], Path], tmp_path: Path) -> Iterator[tuple[int, int, Path]]:
    """nginx from docs/deploy/nginx.conf in front of the two portals."""
    assert NGINX is not None, "CI installs nginx-light (.ci/run)"
    ports, _ = portals
    folder = tmp_path / "nginx"
    folder.mkdir()
    self_signed_certificate(folder)
    http, https = free_port(), free_port()
    config = nginx_config(folder, portal_ports=ports, http=http, https=https)
    log = folder / "nginx.out"
    directives = f"daemon off; pid {folder}/nginx.pid; error_log {folder}/error.log;"
    with log.open("wb") as out:
        nginx = subprocess.Popen(
            [NGINX, "-c", str(config), "-p", str(folder), "-g", directives],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until_listening(f"http://127.0.0.1:{http}/", nginx, folder / "error.log")
        yield http, https, folder
    finally:
        nginx.send_signal(signal.SIGQUIT)
        nginx.wait(timeout=30)


def test_a_session_started_through_one_portal_process_holds_on_every_other_behind_nginx(
    proxy: tuple[int, int, Path], settings: Settings
) -> None:
    http, https, folder = proxy
    with session_scope() as session:
        lead = session.exec(select(Person).where(col(Person.email) == "lead@police.example.org"))
        person = lead.one()
        assert person.id is not None
        token = mint_sign_in_token(
            session=session,
            person_id=person.id,
            round_id=None,
            now=utcnow(),
            ttl=timedelta(hours=1),
        )
    context = ssl.create_default_context(cafile=str(folder / "fullchain.pem"))
    with httpx.Client(base_url=f"https://localhost:{https}", verify=context) as client:
        page = client.get(f"/sign-in/{token}")
        assert page.status_code == 200
        csrf = CSRF.search(page.text)
        assert csrf is not None
        signed_in = client.post(f"/sign-in/{token}", data={"csrf_token": csrf.group(1)})
        assert signed_in.status_code == 303, signed_in.text
        cookie = signed_in.headers["set-cookie"]
        assert "secure" in cookie.lower() and "httponly" in cookie.lower()
        for _ in range(6):
            tasks = client.get("/tasks")
            assert tasks.status_code == 200
            assert "Police" in tasks.text and "lead@police.example.org" not in tasks.text
    access = (folder / "jointaudit.log").read_text().splitlines()
    upstreams = {line.rsplit("upstream=", 1)[1] for line in access if '"GET /tasks' in line}
    assert upstreams == {f"127.0.0.1:{port}" for port in _portal_ports(folder)}
    plain = httpx.get(f"http://127.0.0.1:{http}/tasks", follow_redirects=False)
    assert plain.status_code == 301
    assert plain.headers["location"].startswith("https://")


def test_a_sign_in_token_is_in_no_access_log_and_signing_out_ends_the_session_everywhere(
    proxy: tuple[int, int, Path], portals: tuple[list[int], Path]
) -> None:
    _, https, folder = proxy
    ports, logs = portals
    token = _token_for("lead@police.example.org")
    context = ssl.create_default_context(cafile=str(folder / "fullchain.pem"))
    with httpx.Client(base_url=f"https://localhost:{https}", verify=context) as client:
        page = client.get(f"/sign-in/{token}")
        csrf = CSRF.search(page.text)
        assert csrf is not None
        assert client.post(f"/sign-in/{token}", data={"csrf_token": csrf.group(1)}).status_code
        cookie = client.cookies["jointaudit_session"]
        for port in ports:
            direct = httpx.get(
                f"http://127.0.0.1:{port}/tasks", cookies={"jointaudit_session": cookie}
            )
            assert direct.status_code == 200 and "Police" in direct.text
        tasks = client.get("/tasks")
        signed_out = client.post("/sign-out", data={"csrf_token": _csrf_of(tasks.text)})
        assert signed_out.status_code == 303
    for port in ports:
        after = httpx.get(
            f"http://127.0.0.1:{port}/tasks",
            cookies={"jointaudit_session": cookie},
            follow_redirects=False,
        )
        assert after.status_code == 303, f"the session still holds on port {port}"
    nginx_log = (folder / "jointaudit.log").read_text()
    assert '"GET /sign-in/[token] HTTP/1.1"' in nginx_log
    assert '"POST /sign-in/[token] HTTP/1.1"' in nginx_log
    served = "".join((logs / f"serve-{port}.log").read_text() for port in ports)
    assert "/sign-in/[token]" in served
    for log in (nginx_log, served):
        assert token not in log


def _token_for(email: str) -> str:
    with session_scope() as session:
        person = session.exec(select(Person).where(col(Person.email) == email)).one()
        assert person.id is not None
        return mint_sign_in_token(
            session=session,
            person_id=person.id,
            round_id=None,
            now=utcnow(),
            ttl=timedelta(hours=1),
        )


def _csrf_of(page: str) -> str:
    found = CSRF.search(page)
    assert found is not None
    return found.group(1)


def _portal_ports(folder: Path) -> list[int]:
    text = (folder / "nginx.conf").read_text()
    return [int(port) for port in re.findall(r"server 127\.0\.0\.1:(\d+);", text)]
