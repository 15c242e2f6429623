"""Smaller hardening: ids out of range, the slash redirect, one CSV guard, sign-in timing."""

from __future__ import annotations

import asyncio
import csv
import io
import re
import statistics
import time
from typing import Any

import httpx
import pytest
from sqlmodel import Session, col, select

from agencies.app import create_app
from models.answers import Answer, AnswerSet
from models.settings import Settings
from tests.agencies.live import served
from tests.agencies.portal.conftest import Portal, complete_answers
from tests.notifications.loopback import SmtpSink, start_smtp

HUGE = "99999999999999999999"
COORDINATOR = "casey@testshire.example.org"
CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')


@pytest.mark.parametrize(
    "path",
    [
        f"/coordinator/rounds/{HUGE}",
        f"/coordinator/rounds/{HUGE}/overdue",
        f"/coordinator/rounds/{HUGE}/plan",
        f"/reports/{HUGE}",
        f"/reports/{HUGE}/report.html",
        f"/reports/{HUGE}/answers.csv",
        f"/rounds/{HUGE}/answers.csv",
        f"/cases/{HUGE}",
        "/coordinator/rounds/2147483648",
    ],
)
def test_an_id_beyond_any_row_is_not_found_not_a_server_error(portal: Portal, path: str) -> None:
    portal.sign_in(COORDINATOR)
    assert portal.client.get(path).status_code == 404


def test_an_id_beyond_any_row_is_not_found_through_the_api(portal: Portal) -> None:
    response = portal.client.get(f"/api/v1/assignments/{HUGE}")
    assert response.status_code in (401, 404)
    assert response.headers["content-type"].startswith("application/json")


def test_the_slash_redirect_uses_the_configured_address_never_the_host_header(
    portal: Portal, settings: Settings
) -> None:
    response = portal.client.get(
        "/tasks/?x=1", headers={"Host": "evil.example"}, follow_redirects=False
    )
    assert response.status_code == 307
    assert response.headers["location"] == f"{settings.portal_base_url}/tasks?x=1"
    assert "evil.example" not in response.text


def test_the_agency_csv_guards_cells_starting_with_tab_or_carriage_return(portal: Portal) -> None:
    portal.sign_in("lead@police.example.org")
    case = portal.assignments("police")[0]
    answers = complete_answers(portal, "police")
    portal.post(f"/cases/{case}", {"action": "submit", **answers})
    with Session(portal.engine) as session:
        texts = session.exec(
            select(Answer)
            .join(AnswerSet, col(AnswerSet.id) == col(Answer.answer_set_id))
            .where(col(AnswerSet.assignment_id) == case, col(Answer.text).is_not(None))
        ).all()
        assert len(texts) >= 2
        texts[0].text, texts[1].text = "\t=1+2", "\r@SUM(A1)"
        session.commit()
    response = portal.client.get(f"/rounds/{portal.round_id}/answers.csv")
    shown = {row["answer"] for row in csv.DictReader(io.StringIO(response.text))}
    assert {"'\t=1+2", "'\r@SUM(A1)"} <= shown


class SlowRelay(SmtpSink):
    """A mail relay that takes 60 ms to accept each message."""

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        await asyncio.sleep(0.06)
        return await super().handle_DATA(server, session, envelope)


def _median_seconds(client: httpx.Client, csrf: str, emails: list[str]) -> float:
    took = []
    for email in emails:
        started = time.perf_counter()
        response = client.post("/sign-in/request", data={"csrf_token": csrf, "email": email})
        took.append(time.perf_counter() - started)
        assert response.status_code == 303, response.text
        time.sleep(0.5)  # let any work after the answer finish before the next request
    return statistics.median(took)


def test_a_link_request_takes_the_same_time_for_known_and_unknown_addresses(
    portal: Portal,
) -> None:
    relay = SlowRelay()
    controller = start_smtp(relay)
    settings = Settings(
        email_channel="smtp", smtp_host="127.0.0.1", smtp_port=relay.port, smtp_security="none"
    )
    limits = {"link_per_ip": 10_000, "link_per_address": 10_000}
    app = create_app(settings, engine=portal.engine, limits=limits)  # a real clock: new links
    try:
        with served(app) as port, httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
            found = CSRF.search(client.get("/").text)
            assert found is not None
            csrf = found.group(1)
            _median_seconds(client, csrf, ["warm-up@example.org", "lead@csc.example.org"])
            known, unknown = [], []
            for round_ in range(4):  # blocks in turn, each first every other time
                blocks = [
                    (known, ["lead@police.example.org"] * 3),
                    (unknown, [f"nobody{round_}@example.org"] * 3),
                ]
                for times, emails in blocks[:: 1 if round_ % 2 else -1]:
                    times.append(_median_seconds(client, csrf, emails))
    finally:
        controller.stop()
    known_median, unknown_median = statistics.median(known), statistics.median(unknown)
    assert known_median <= unknown_median * 1.5 + 0.01, (known_median, unknown_median)
    assert unknown_median <= known_median * 1.5 + 0.01, (known_median, unknown_median)
    assert relay.count == 13  # every known request still sent its link, after answering
