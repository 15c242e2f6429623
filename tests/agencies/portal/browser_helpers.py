"""What the browser tests share: what they need, `jointaudit serve` on loopback, axe-core."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[3]
CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / "var" / "node" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def skip_unless_browser(*also: str | None) -> None:
    """Skip (fail under CI=true) when Chromium, axe-core, Playwright or `also` is missing."""
    problem = next((p for p in also if p), None)
    if not CHROMIUM.exists():
        problem = f"{CHROMIUM} is missing (apt-get install chromium)"
    elif not AXE.exists():
        problem = f"{AXE} is missing (npm install --prefix var/node axe-core)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        problem = "the playwright package is missing (pip install -e '.[dev]')"
    if problem is None:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true but the browser test cannot run: {problem}")
    pytest.skip(problem)


@contextmanager
def serving(port: int, env: dict[str, str], log_path: Path) -> Iterator[str]:
    """`jointaudit serve` on a loopback port with this environment; yields its address."""
    command = [str(Path(sys.executable).parent / "jointaudit"), "serve", "--port", str(port)]
    if not Path(command[0]).exists():
        command = [shutil.which("jointaudit") or "jointaudit", *command[1:]]
    base = f"http://127.0.0.1:{port}"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            command, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            for _ in range(150):
                try:
                    if httpx.get(base + "/", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.2)
            else:
                pytest.fail("the portal did not start: " + log_path.read_text())
            yield base
        finally:
            process.terminate()
            process.wait(timeout=20)


def screenshot_folder(tmp_path: Path) -> Path:
    """Where a browser test keeps its screenshots: JOINTAUDIT_SCREENSHOTS, else its tmp_path."""
    return Path(os.environ.get("JOINTAUDIT_SCREENSHOTS", str(tmp_path)))


def check_with_axe(page: Any, what: str) -> None:
    """axe-core, no rule disabled, finds no WCAG 2.2 A or AA violation on the page."""
    # evaluate() is not subject to the page's CSP, so the page keeps its real policy.
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
    )
    assert result["passes"], f"axe checked nothing on {what}"
    problems = [
        (v["id"], v["help"], [n["target"] for n in v["nodes"]]) for v in result["violations"]
    ]
    assert problems == [], f"axe found WCAG 2.2 A/AA violations on {what}: {problems}"


def signed_in_page(
    playwright: Any, base: str, token: str, *, lands_on: str, csp_errors: list[str] | None = None
) -> tuple[Any, Any]:
    """Chromium with a page signed in through an emailed link, on the page it lands on; the
    page's Content-Security-Policy reports kept in `csp_errors` when given."""
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    page = browser.new_page()
    if csp_errors is not None:
        page.on(
            "console",
            lambda m: csp_errors.append(m.text) if "Security Policy" in m.text else None,
        )
    page.goto(f"{base}/sign-in/{token}")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(base + lands_on)
    return browser, page


def seeded_portal_database(tmp_path: Path, settings: Any) -> tuple[str, int]:
    """A SQLite file for a served portal: the test agencies, six named cases, and a launched
    domestic abuse round; (its URL, the round's id)."""
    from sqlmodel import Session

    from flows.rounds.launch import launch_round
    from models.db import create_db_engine, upgrade_database
    from tests.builders import NOW, import_register, launch_parameters, load_agencies, register_of

    url = f"sqlite:///{tmp_path / 'portal.db'}"
    engine = create_db_engine(url)
    upgrade_database(engine)
    with Session(engine, expire_on_commit=False) as session:
        load_agencies(session=session, tmp_path=tmp_path)
        rows = register_of(counts={"CP": 2, "CIN": 2, "EH": 2})
        for index, row in enumerate(rows):
            row.update(child_name=f"Child {index}", ref_police=f"POL-{index}")
        import_register(session=session, tmp_path=tmp_path, rows=rows)
        launched = launch_round(
            session=session,
            params=launch_parameters(),
            seed=42,
            idempotency_key="browser",
            now=NOW,
            actor="test",
            settings=settings,
        )
        session.commit()
    engine.dispose()
    return url, launched.round_id


def reconcile_served_round(*, reconcile: bool = True) -> None:
    """Every agency answers round 1 of the served portal, which is then reconciled (or not)."""
    from sqlmodel import Session, col, select

    from flows.reconcile.run import reconcile_round
    from models.case import Case
    from models.db import create_db_engine
    from models.round import RoundCase
    from tests.agencies.portal.plan_helpers import ANSWERS
    from tests.builders import NOW, submit_answers

    engine = create_db_engine(os.environ["JOINTAUDIT_DATABASE_URL"])
    with Session(engine) as session:
        refs = session.exec(
            select(Case.case_ref)
            .join(RoundCase, col(RoundCase.case_id) == col(Case.id))
            .where(col(RoundCase.round_id) == 1)
            .order_by(col(Case.case_ref))
        ).all()
        for case_ref, values in zip(refs, ANSWERS, strict=True):
            for agency, value in zip(("csc", "health", "police"), values, strict=True):
                submit_answers(
                    session=session,
                    round_id=1,
                    agency=agency,
                    case_ref=case_ref,
                    answers={"info_sharing": value, "management_direction": "partly"},
                )
        session.commit()
        if reconcile:
            reconcile_round(session=session, round_id=1, now=NOW, actor="test")
            session.commit()
    engine.dispose()
