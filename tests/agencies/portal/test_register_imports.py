"""Large register uploads: run by a real `import-case-register` deployment when one is served,
imported in the request when none is; the progress page refreshes only when asked to."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
import pytest
from sqlmodel import Session, col, select

from agencies.app import create_app
from models.api_key import issue_coordinator_key
from models.case import Case
from models.crypto import load_cipher
from models.register_import import (
    ImportStatus,
    RegisterImport,
    queue_register_import,
    record_problems,
)
from models.settings import get_settings
from tests.agencies.live import served
from tests.agencies.portal.conftest import CSRF, Portal
from tests.agencies.portal.plan_helpers import BOARD, add_board_reader
from tests.builders import NOW, register_of, write_csv
from tests.flows.test_up import ROOT

COORDINATOR = "casey@testshire.example.org"
LEAD = "lead@police.example.org"
SERVE = (
    "from flows.register.flow import import_case_register; "
    "import_case_register.serve(name='import-case-register', limit=1)"
)


@pytest.fixture(scope="module")
def prefect_api() -> Iterator[str]:
    """A real Prefect server (Prefect's own temporary one) for this module's tests."""
    from prefect.server.api.server import SubprocessASGIServer

    server = SubprocessASGIServer()
    server.start(timeout=120)
    yield server.api_url
    server.stop()


@pytest.fixture
def deployment(prefect_api: str, portal: Portal, tmp_path: Path) -> Iterator[str]:
    """`import-case-register` served by a runner process on the test's database, until ready."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.objects import DeploymentStatus
    from prefect.settings import PREFECT_API_URL, temporary_settings

    env = {**os.environ, "PREFECT_API_URL": prefect_api, "PREFECT_RUNNER_POLL_FREQUENCY": "1"}
    log = tmp_path / "runner.log"
    with log.open("wb") as out:
        runner = subprocess.Popen(
            [sys.executable, "-c", SERVE], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        with temporary_settings({PREFECT_API_URL: prefect_api}):
            deadline = time.monotonic() + 90
            while True:
                assert runner.poll() is None, log.read_text()[-3000:]
                try:
                    with get_client(sync_client=True) as client:
                        found = client.read_deployment_by_name(
                            "import-case-register/import-case-register"
                        )
                    if found.status == DeploymentStatus.READY:
                        break
                except Exception:  # not registered yet
                    pass
                assert time.monotonic() < deadline, log.read_text()[-3000:]
                time.sleep(0.5)
            yield prefect_api
    finally:
        runner.terminate()
        runner.wait(timeout=30)


@contextmanager
def _signed_in(portal: Portal, base: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base, timeout=60, follow_redirects=True) as client:
        token = portal.token_for(COORDINATOR)
        found = CSRF.search(client.get(f"/sign-in/{token}").text)
        assert found
        client.post(f"/sign-in/{token}", data={"csrf_token": found.group(1)})
        yield client


def _upload(client: httpx.Client, path: Path) -> httpx.Response:
    found = CSRF.search(client.get("/coordinator/register").text)
    assert found
    return client.post(
        "/coordinator/register",
        data={"csrf_token": found.group(1)},
        files={"register_file": (path.name, path.read_bytes(), "text/csv")},
    )


def _until_finished(client: httpx.Client, where: str) -> str:
    deadline = time.monotonic() + 120
    while True:
        text = client.get(where).text
        if "Waiting to start" not in text and "Importing" not in text:
            return text
        assert time.monotonic() < deadline, text
        time.sleep(1)


def _coordinator_key(portal: Portal) -> str:
    with Session(portal.engine) as session:
        issued = issue_coordinator_key(
            session=session, email=COORDINATOR, name="script", actor="test", now=NOW
        )
        session.commit()
    return issued.secret


def _api_until_finished(client: httpx.Client, where: str, key: str) -> Any:
    deadline = time.monotonic() + 120
    while True:
        state = client.get(where, headers={"Authorization": f"Bearer {key}"}).json()
        if state["status"] in ("done", "failed"):
            return state
        assert time.monotonic() < deadline, state
        time.sleep(1)


def _served_portal(portal: Portal, settings: Any) -> Any:
    small = settings.model_copy(update={"register_deployment_rows": 5})
    return served(create_app(small, engine=portal.engine, clock=lambda: NOW))


@pytest.mark.prefect
def test_with_a_prefect_server_but_no_deployment_a_large_register_is_imported_in_the_request(
    prefect_api: str, portal: Portal, settings: Any, tmp_path: Path
) -> None:
    from prefect.settings import PREFECT_API_URL, temporary_settings

    rows = register_of(counts={"CP": 4, "CIN": 4, "EH": 2})
    with ExitStack() as stack:
        stack.enter_context(temporary_settings({PREFECT_API_URL: prefect_api}))
        port = stack.enter_context(_served_portal(portal, settings))
        client = stack.enter_context(_signed_in(portal, f"http://127.0.0.1:{port}"))
        response = _upload(client, write_csv(tmp_path / "large.csv", rows))
    assert response.url.path == "/coordinator/register"
    assert "The register was imported" in response.text
    with Session(portal.engine) as session:
        assert session.exec(select(RegisterImport)).all() == []


@pytest.mark.prefect
def test_a_large_register_is_imported_by_the_served_deployment_with_only_its_id_in_prefect(
    deployment: str, portal: Portal, settings: Any, tmp_path: Path
) -> None:
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL, temporary_settings

    rows = register_of(counts={"CP": 4, "CIN": 4, "EH": 2})
    for index, row in enumerate(rows):
        row["child_name"] = f"Findable Name {index}"
    bad = [dict(row) for row in rows]
    bad[3]["category"] = "SECRET-VALUE"
    with ExitStack() as stack:
        stack.enter_context(temporary_settings({PREFECT_API_URL: deployment}))
        port = stack.enter_context(_served_portal(portal, settings))
        client = stack.enter_context(_signed_in(portal, f"http://127.0.0.1:{port}"))
        response = _upload(client, write_csv(tmp_path / "large.csv", rows))
        assert "/coordinator/register/imports/" in str(response.url)
        assert "Check progress again" in response.text
        assert 'http-equiv="refresh"' not in response.text
        page = _until_finished(client, response.url.path)
        assert "The register was imported" in page
        assert '>New cases</dt><dd class="govuk-summary-list__value">2<' in page

        refused = _upload(client, write_csv(tmp_path / "bad.csv", bad))
        page = _until_finished(client, refused.url.path)
        assert "Not imported" in page and "nothing was imported" in page
        assert '>5</th><td class="govuk-table__cell">category</td>' in page
        assert "SECRET-VALUE" not in page

        sent = client.post(
            "/api/v1/register",
            headers={"Authorization": f"Bearer {_coordinator_key(portal)}"},
            files={"file": ("again.csv", write_csv(tmp_path / "again.csv", rows).read_bytes())},
        )
        assert sent.status_code == 202, sent.text
        assert sent.json()["status"] in ("queued", "running")
        assert sent.headers["location"] == f"/api/v1/register/imports/{sent.json()['import_id']}"
        state = _api_until_finished(client, sent.headers["location"], _coordinator_key(portal))
        assert state["status"] == "done" and state["counts"]["unchanged"] == 10
        with Session(portal.engine) as session:
            imports = session.exec(select(RegisterImport).order_by(col(RegisterImport.id))).all()
        with get_client(sync_client=True) as prefect:
            runs = [prefect.read_flow_run(UUID(i.flow_run_id or "")) for i in imports]
    assert [run.parameters for run in runs] == [{"import_id": i.id} for i in imports]
    assert all(run.state and run.state.is_final() for run in runs)
    with Session(portal.engine) as session:
        assert [(i.status, i.data) for i in imports] == [
            (ImportStatus.done, None),
            (ImportStatus.failed, None),
            (ImportStatus.done, None),
        ]
        assert imports[0].created == 2 and imports[1].problem_count == 1
        names = session.exec(select(Case.case_ref).where(col(Case.active))).all()
    assert len(names) == 10


def test_with_no_prefect_api_a_large_register_is_imported_in_the_request(
    portal: Portal, settings: Any, tmp_path: Path
) -> None:
    rows = register_of(counts={"CP": 4, "CIN": 4, "EH": 2})
    with (
        _served_portal(portal, settings) as port,
        _signed_in(portal, f"http://127.0.0.1:{port}") as client,
    ):
        response = _upload(client, write_csv(tmp_path / "large.csv", rows))
    assert response.url.path == "/coordinator/register"
    assert "The register was imported" in response.text
    with Session(portal.engine) as session:
        assert session.exec(select(RegisterImport)).all() == []


def _queued(portal: Portal, *, status: ImportStatus = ImportStatus.queued) -> int:
    with Session(portal.engine) as session:
        upload = queue_register_import(
            session=session,
            data=b"case_ref,category\n",
            source_name="extract.csv",
            rows_estimated=100_000,
            cipher=load_cipher(get_settings()),
            actor="person:1",
            now=NOW,
        )
        if status == ImportStatus.failed:
            record_problems(
                session=session,
                import_id=upload.id or 0,
                problems=[("7", "category", "Unknown category")],
            )
            upload.problem_count = 1
        upload.status = status
        session.add(upload)
        session.commit()
        return upload.id or 0


def test_the_progress_page_refreshes_only_when_the_coordinator_asks(portal: Portal) -> None:
    portal.sign_in(COORDINATOR)
    where = f"/coordinator/register/imports/{_queued(portal)}"
    page = portal.client.get(where).text
    assert "Waiting to start" in page and "Check progress again" in page
    assert 'http-equiv="refresh"' not in page
    assert f'href="{where}?refresh=5">Refresh this page every 5 seconds</a>' in page
    page = portal.client.get(f"{where}?refresh=5").text
    assert '<meta http-equiv="refresh" content="5">' in page
    assert f'href="{where}">Stop refreshing this page</a>' in page
    assert 'http-equiv="refresh"' not in portal.client.get(f"{where}?refresh=1").text
    register = portal.client.get("/coordinator/register").text
    assert f'href="{where}">See its progress</a>' in register


def test_a_finished_import_stops_refreshing_and_shows_its_outcome(portal: Portal) -> None:
    portal.sign_in(COORDINATOR)
    done = _queued(portal, status=ImportStatus.done)
    page = portal.client.get(f"/coordinator/register/imports/{done}?refresh=5").text
    assert "The register was imported" in page and 'http-equiv="refresh"' not in page
    failed = _queued(portal, status=ImportStatus.failed)
    page = portal.client.get(f"/coordinator/register/imports/{failed}?refresh=5").text
    assert "Not imported" in page and 'http-equiv="refresh"' not in page
    assert '>7</th><td class="govuk-table__cell">category</td>' in page


def test_only_a_coordinator_reaches_an_imports_progress_page(portal: Portal) -> None:
    where = f"/coordinator/register/imports/{_queued(portal)}"
    assert portal.client.get(where, follow_redirects=False).headers["location"] == "/"
    add_board_reader(portal)
    for email in (LEAD, BOARD):
        portal.sign_in(email)
        assert portal.client.get(where).status_code == 404
    portal.sign_in(COORDINATOR)
    assert portal.client.get("/coordinator/register/imports/999").status_code == 404
