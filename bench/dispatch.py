"""Outbox dispatch: our dispatcher against a bare loop sending the same messages directly.

Both send BENCH_DISPATCH_MESSAGES messages (default 10,000) to servers on loopback, run in
their own processes: an aiosmtpd SMTP server, and the fake GOV.UK Notify of the tests (the
shared rate limiter is raised for the bench). Ours claims, renders (minting a sign-in token
per message), sends and records each message in the database; the baseline is one smtplib
connection or one httpx client in a loop over pre-rendered messages, recording nothing. Each
is timed three times, alternating, and the best of each counts (the machine is shared).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from bench import Goal, Result

MESSAGES = int(os.environ.get("BENCH_DISPATCH_MESSAGES", "10000"))
ROOT = Path(__file__).parents[1]
ROUNDS = 3
GOAL = Goal(">=", 0.80)


@contextmanager
def _server(module: str, *args: str) -> Iterator[str]:
    """Start a loopback server module in its own process; yield the address it prints."""
    process = subprocess.Popen(
        [sys.executable, "-m", module, *args], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        yield process.stdout.readline().strip()
    finally:
        process.terminate()
        process.wait(timeout=10)


def _configure(workdir: Path, **values: str) -> None:
    from models.db import dispose_engines
    from models.settings import get_settings

    os.environ["JOINTAUDIT_DATA_DIR"] = str(workdir / "var")
    os.environ.pop("JOINTAUDIT_DATABASE_URL", None)
    for name, value in values.items():
        os.environ[f"JOINTAUDIT_{name.upper()}"] = value
    get_settings.cache_clear()
    dispose_engines()


def _queue(round_: int) -> None:
    from sqlalchemy import insert
    from sqlmodel import select

    from agencies.registry import load_registry_file
    from models.db import get_engine, session_scope, upgrade_database
    from models.outbox import OutboxMessage
    from models.partnership import Person
    from models.types import utcnow
    from notifications.outbox import queue_message
    from tests.notifications.messages import invitation

    if round_ == 0:
        upgrade_database(get_engine())
        example = ROOT / "agencies" / "example" / "agencies.yaml"
        with session_scope() as session:
            load_registry_file(session=session, path=example, actor="bench", now=utcnow())
    with session_scope() as session:
        people = [p.id for p in session.exec(select(Person))]
        context, now = invitation(), utcnow()
        # One message through the API; the rest copied from it in bulk (queueing is not timed).
        first = queue_message(
            session=session,
            dedupe_key=f"bench:{round_}:0",
            context=context,
            person_id=people[0],
            now=now,
        )
        assert first is not None
        row = first.model_dump(exclude={"id"}, warnings=False)
        session.execute(
            insert(OutboxMessage),
            [
                {**row, "dedupe_key": f"bench:{round_}:{n}", "person_id": people[n % len(people)]}
                for n in range(1, MESSAGES)
            ],
        )


def _ours() -> float:
    from notifications.dispatcher import dispatch_due

    started = time.perf_counter()
    report = dispatch_due()
    elapsed = time.perf_counter() - started
    assert report.sent == MESSAGES, report
    return elapsed


def _sample() -> tuple[str, str, str]:
    from models.settings import get_settings
    from notifications.render import MessageRenderer
    from tests.notifications.messages import invitation

    settings = get_settings()
    renderer = MessageRenderer(settings.templates_dir, settings.timezone, settings.portal_base_url)
    subject, text, html = renderer.render(
        invitation(), sign_in_url=f"{settings.portal_base_url}/sign-in/" + "x" * 43, with_html=True
    )
    return subject, text, html or ""


def _bare_smtplib(host: str, port: int) -> float:
    import smtplib
    from email.header import Header
    from email.mime.multipart import MIMEMultipart
    from email.mime.text import MIMEText

    subject, text, html = _sample()
    started = time.perf_counter()
    with smtplib.SMTP(host, port) as smtp:
        for n in range(MESSAGES):
            email = MIMEMultipart("alternative")
            email.attach(MIMEText(text, "plain", "utf-8"))
            email.attach(MIMEText(html, "html", "utf-8"))
            email["From"], email["To"] = "a@example.org", f"{n}@x.org"
            email["Subject"] = Header(subject, "utf-8")
            smtp.send_message(email)
    return time.perf_counter() - started


def _bare_httpx(url: str) -> float:
    import httpx
    import jwt

    from tests.notifications.fake_notify import SECRET, SERVICE_ID, TEMPLATE_ID

    subject, text, _ = _sample()
    started = time.perf_counter()
    with httpx.Client(base_url=url) as client:
        for n in range(MESSAGES):
            token = jwt.encode(
                {"iss": SERVICE_ID, "iat": int(time.time())}, SECRET, algorithm="HS256"
            )
            response = client.post(
                "/v2/notifications/email",
                headers={"Authorization": f"Bearer {token}"},
                json={
                    "email_address": f"{n}@x.org",
                    "template_id": TEMPLATE_ID,
                    "personalisation": {"subject": subject, "body": text},
                    "reference": str(n),
                },
            )
            assert response.status_code == 201
    return time.perf_counter() - started


def _best(ours: Callable[[], float], bare: Callable[[], float]) -> tuple[float, float]:
    """The best of ROUNDS timings of each, alternating (queueing is not timed)."""
    ours_times, bare_times = [], []
    for round_ in range(ROUNDS):
        _queue(round_)
        ours_times.append(ours())
        bare_times.append(bare())
    return min(ours_times), min(bare_times)


def _result(channel: str, baseline: str, ours: float, bare: float) -> Result:
    ours_rate, bare_rate = MESSAGES / ours, MESSAGES / bare
    ratio = ours_rate / bare_rate
    detail = (
        f"dispatch, {channel}: {MESSAGES} messages in {ours:.2f} s ({ours_rate:,.0f}/s); "
        f"{baseline}: {bare:.2f} s ({bare_rate:,.0f}/s); ratio {ratio:.2f} (best of {ROUNDS})"
    )
    print(detail, file=sys.stderr)
    return Result(
        name=f"dispatch {MESSAGES:,}, {channel}",
        database="sqlite",
        figure=f"{ours_rate:,.0f} msg/s",
        baseline=f"{bare_rate:,.0f} msg/s",
        ratio=ratio,
        goal=GOAL,
        detail=detail,
        figures={"messages": MESSAGES, "seconds": ours, "baseline_seconds": bare},
    )


def run() -> list[Result]:
    """Dispatch to the loopback SMTP server and the loopback Notify; ratio = ours / bare."""
    results: list[Result] = []
    with (
        tempfile.TemporaryDirectory() as name,
        _server("tests.notifications.loopback", "smtp") as address,
    ):
        host, port = address.rsplit(":", 1)
        _configure(
            Path(name), email_channel="smtp", smtp_host=host, smtp_port=port, smtp_security="none"
        )
        ours, bare = _best(_ours, lambda: _bare_smtplib(host, int(port)))
        results.append(_result("SMTP", "bare smtplib", ours, bare))
    with tempfile.TemporaryDirectory() as name, _server("tests.notifications.fake_notify") as url:
        from tests.notifications.fake_notify import API_KEY, TEMPLATE_ID

        _configure(
            Path(name),
            email_channel="notify",
            notify_api_key=API_KEY,
            notify_base_url=url,
            notify_template_id=TEMPLATE_ID,
            notify_rate_limit_per_minute=str(10**9),
        )
        ours, bare = _best(_ours, lambda: _bare_httpx(url))
        results.append(_result("Notify", "bare httpx", ours, bare))
    return results
