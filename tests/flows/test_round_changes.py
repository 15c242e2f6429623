from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from sqlmodel import Session, col, select

from flows.rounds.changes import cancel_round, extend_due_date, replace_case
from flows.rounds.launch import launch_round
from flows.rounds.membership import add_agency, change_lead, withdraw_agency
from flows.rounds.views import round_detail
from models.audit_log import list_events
from models.errors import ConflictError, InputError, NotFoundError
from models.outbox import OutboxMessage
from models.round import AccessGrant, Assignment, AuditRound, MemberStatus, RoundCase
from models.settings import Settings
from tests.builders import NOW, import_register, launch_parameters, load_agencies, register_of

AGENCIES = ("police", "csc", "health", "education", "probation")


@pytest.fixture
def round_id(session: Session, settings: Settings, tmp_path: Path) -> int:
    load_agencies(session=session, tmp_path=tmp_path, codes=AGENCIES)
    import_register(
        session=session, tmp_path=tmp_path, rows=register_of(counts={"CP": 6, "CIN": 10, "EH": 8})
    )
    result = launch_round(
        session=session,
        params=launch_parameters(stratify_by="category"),
        seed=42,
        idempotency_key="k",
        now=NOW,
        actor="c",
        settings=settings,
    )
    session.commit()
    return result.round_id


def same_cases_for_every_agency(session: Session, round_id: int) -> set[int]:
    """The rule: every participating agency has exactly the round's active cases."""
    active_cases = set(
        session.exec(
            select(RoundCase.case_id).where(
                col(RoundCase.round_id) == round_id, col(RoundCase.status) == MemberStatus.active
            )
        )
    )
    detail = round_detail(session=session, round_id=round_id, now=NOW)
    active_agencies = {p.agency for p in detail.progress if p.status == "active"}
    by_agency: dict[str, set[str]] = {code: set() for code in active_agencies}
    for view in detail.assignments:
        assert view.agency in active_agencies
        by_agency[view.agency].add(view.case_ref)
    case_sets = {frozenset(refs) for refs in by_agency.values()}
    assert len(case_sets) == 1 and len(next(iter(case_sets))) == len(active_cases)
    return active_cases


def messages(session: Session, template: str | None = None) -> list[OutboxMessage]:
    query = select(OutboxMessage)
    if template:
        query = query.where(col(OutboxMessage.template) == template)
    return list(session.exec(query))


def test_replacing_a_case_replaces_it_for_every_agency_with_the_next_in_rank(
    session: Session, round_id: int
) -> None:
    before = same_cases_for_every_agency(session, round_id)
    detail = round_detail(session=session, round_id=round_id, now=NOW)
    victim = detail.assignments[0].case_ref
    new_ref = replace_case(
        session=session,
        round_id=round_id,
        case_ref=victim,
        reason="moved out of area",
        now=NOW,
        actor="c",
    )
    session.commit()
    after = same_cases_for_every_agency(session, round_id)
    assert len(after) == len(before) and after != before
    assert new_ref not in {a.case_ref for a in detail.assignments}
    assert list_events(session=session, action="round.case_replaced")[0].details["by"] == new_ref
    with pytest.raises(NotFoundError, match="is not an active case"):
        replace_case(
            session=session, round_id=round_id, case_ref=victim, reason="again", now=NOW, actor="c"
        )


def test_adding_an_agency_assigns_it_every_case_and_invites_its_people(
    session: Session, round_id: int
) -> None:
    sent = add_agency(session=session, round_id=round_id, code="education", now=NOW, actor="c")
    session.commit()
    assert sent == 2
    assert len(same_cases_for_every_agency(session, round_id)) == 6
    with pytest.raises(ConflictError, match="already takes part"):
        add_agency(session=session, round_id=round_id, code="education", now=NOW, actor="c")


def test_withdrawing_an_agency_ends_its_access_and_its_pending_messages(
    session: Session, round_id: int
) -> None:
    withdraw_agency(
        session=session, round_id=round_id, code="health", reason="no records", now=NOW, actor="c"
    )
    session.commit()
    same_cases_for_every_agency(session, round_id)
    live = session.exec(select(AccessGrant).where(col(AccessGrant.revoked_at).is_(None))).all()
    assert len(live) == 4
    health_people = {
        g.person_id
        for g in session.exec(select(AccessGrant).where(col(AccessGrant.revoked_at).is_not(None)))
    }
    invitations = [m for m in messages(session, "invitation") if m.person_id in health_people]
    assert invitations and all(m.status == "cancelled" for m in invitations)
    add_agency(session=session, round_id=round_id, code="health", now=NOW, actor="c")
    session.commit()
    assert len(same_cases_for_every_agency(session, round_id)) == 6


def test_changing_a_lead_moves_access_to_the_new_person(session: Session, round_id: int) -> None:
    change_lead(
        session=session,
        round_id=round_id,
        code="police",
        name="New Sergeant",
        email="New.Sergeant@Police.example.org",
        now=NOW,
        actor="c",
    )
    session.commit()
    leads = session.exec(
        select(AccessGrant).where(
            col(AccessGrant.role) == "lead", col(AccessGrant.revoked_at).is_(None)
        )
    ).all()
    assert len(leads) == 3
    invited = [
        m for m in messages(session, "invitation") if m.address == "new.sergeant@police.example.org"
    ]
    assert len(invited) == 1 and invited[0].status == "pending"
    with pytest.raises(InputError, match="is not an email address"):
        change_lead(
            session=session,
            round_id=round_id,
            code="police",
            name="X",
            email="x",
            now=NOW,
            actor="c",
        )


def test_extending_the_due_date_for_one_agency_or_everyone(
    session: Session, round_id: int, settings: Settings
) -> None:
    extend_due_date(
        session=session,
        round_id=round_id,
        due=date(2027, 1, 8),
        code="police",
        now=NOW,
        actor="c",
        settings=settings,
    )
    session.commit()
    progress = {
        p.agency: p.due_date
        for p in round_detail(session=session, round_id=round_id, now=NOW).progress
    }
    assert progress == {
        "csc": date(2026, 12, 16),
        "health": date(2026, 12, 16),
        "police": date(2027, 1, 8),
    }
    extend_due_date(
        session=session,
        round_id=round_id,
        due=date(2027, 1, 6),
        now=NOW,
        actor="c",
        settings=settings,
    )
    session.commit()
    round_ = session.get(AuditRound, round_id)
    assert round_ is not None and round_.due_date == date(2027, 1, 6)
    with pytest.raises(InputError, match="weekend day"):
        extend_due_date(
            session=session,
            round_id=round_id,
            due=date(2027, 1, 9),
            now=NOW,
            actor="c",
            settings=settings,
        )
    assert len(messages(session, "round_update")) == 2 + 6


def test_cancelling_a_round_cancels_its_pending_messages_and_stops_changes(
    session: Session, round_id: int
) -> None:
    cancel_round(session=session, round_id=round_id, reason="inspection", now=NOW, actor="c")
    session.commit()
    assert all(m.status == "cancelled" for m in messages(session, "invitation"))
    assert {m.status for m in messages(session, "round_update")} == {"pending"}
    with pytest.raises(ConflictError, match="only a round that is collecting"):
        add_agency(session=session, round_id=round_id, code="education", now=NOW, actor="c")
    with pytest.raises(ConflictError, match="already cancelled"):
        cancel_round(session=session, round_id=round_id, reason="x", now=NOW, actor="c")


changes = st.lists(
    st.tuples(st.sampled_from(["replace", "add", "withdraw"]), st.integers(0, 4)),
    min_size=1,
    max_size=6,
)


@hypothesis_settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=changes)
def test_every_agency_keeps_exactly_the_same_cases_through_any_changes(
    session: Session, round_id: int, steps: list[tuple[str, int]]
) -> None:
    savepoint = session.begin_nested()
    for kind, index in steps:
        try:
            if kind == "replace":
                refs = sorted(
                    {
                        a.case_ref
                        for a in round_detail(
                            session=session, round_id=round_id, now=NOW
                        ).assignments
                    }
                )
                replace_case(
                    session=session,
                    round_id=round_id,
                    case_ref=refs[index % len(refs)],
                    reason="r",
                    now=NOW,
                    actor="c",
                )
            elif kind == "add":
                add_agency(
                    session=session, round_id=round_id, code=AGENCIES[index], now=NOW, actor="c"
                )
            else:
                withdraw_agency(
                    session=session,
                    round_id=round_id,
                    code=AGENCIES[index],
                    reason="r",
                    now=NOW,
                    actor="c",
                )
        except ConflictError:
            pass
        same_cases_for_every_agency(session, round_id)
    savepoint.rollback()
    assert session.exec(select(Assignment)).first() is not None


def test_extending_the_due_date_cancels_chasers_queued_for_the_old_one(
    session: Session, round_id: int, settings: Settings
) -> None:
    from datetime import UTC, datetime

    from flows.chase.sweep import chase_sweep

    chase_sweep(session=session, now=datetime(2026, 12, 11, 9, 0, tzinfo=UTC), settings=settings)
    session.commit()
    reminders = messages(session, "reminder")
    assert reminders and {m.status for m in reminders} == {"pending"}
    extend_due_date(
        session=session,
        round_id=round_id,
        due=date(2027, 1, 8),
        now=NOW,
        actor="c",
        settings=settings,
    )
    session.commit()
    assert {m.status for m in messages(session, "reminder")} == {"cancelled"}
