"""Every command and flow reads a time-travel `now` the same way: naive means UTC."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlmodel import Session

from flows.chase.flow import sweep
from flows.dispatch.flow import send_due_messages
from flows.orchestration import run_flow
from flows.programme.flow import launch_planned
from flows.reconcile.flow import reconcile_due_rounds
from models.settings import Settings
from tests.builders import launch_chase_round

NAIVE = "2026-12-30T09:00"
AWARE = "2026-12-30T09:00:00+00:00"


@pytest.fixture
def launched(session: Session, settings: Settings, tmp_path: Path) -> int:
    round_id = launch_chase_round(
        session=session, settings=settings, tmp_path=tmp_path, due=date(2026, 12, 24), key="now"
    )
    session.commit()
    session.close()
    return round_id


@pytest.mark.usefixtures("launched")
def test_the_chase_reads_a_naive_and_an_aware_moment_as_the_same_instant() -> None:
    first = sweep.fn(NAIVE)
    assert first["queued"] > 0
    assert sweep.fn(AWARE)["queued"] == 0  # the same moment: everything due was already queued


@pytest.mark.usefixtures("launched")
def test_dispatch_and_the_programme_accept_a_naive_moment_like_an_aware_one() -> None:
    sweep.fn(NAIVE)
    first = send_due_messages.fn(now=NAIVE)
    assert first["sent"] > 0
    assert send_due_messages.fn(now=AWARE)["sent"] == 0  # all sent at the same moment already
    assert launch_planned.fn(NAIVE) == launch_planned.fn(AWARE) == []


@pytest.mark.prefect
def test_reconcile_due_rounds_accepts_a_naive_moment(launched: int) -> None:
    assert run_flow(reconcile_due_rounds(now="2027-02-01T09:00")) == [launched]
    # Reconciled now, so no longer collecting: the aware moment finds nothing left to do.
    assert run_flow(reconcile_due_rounds(now="2027-02-01T09:00:00+00:00")) == []
