from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import Session, col, select

from flows.rounds.launch import LaunchResult, launch_round, plan_launch
from flows.rounds.reaudit import reaudit_parameters
from models.audit_log import list_events
from models.errors import InputError, NotFoundError
from models.outbox import OutboxMessage
from models.round import AccessGrant, Assignment, AuditRound, RoundAgency, RoundCase
from models.round_parameters import ChaseOverrides, LaunchParameters, SelectionCriteria
from models.settings import Settings
from models.tool_version import ToolVersion
from tests.builders import NOW, import_register, launch_parameters, load_agencies, register_of


@pytest.fixture
def register(session: Session, tmp_path: Path) -> None:
    load_agencies(session=session, tmp_path=tmp_path)
    import_register(
        session=session,
        tmp_path=tmp_path,
        rows=register_of(counts={"CP": 6, "CIN": 10, "EH": 8, "LAC": 2}),
    )


def launch(
    session: Session, settings: Settings, params: LaunchParameters, key: str = "key-1"
) -> LaunchResult:
    result = launch_round(
        session=session,
        params=params,
        seed=params.seed or 1,
        idempotency_key=key,
        now=NOW,
        actor="coordinator",
        settings=settings,
    )
    session.commit()
    return result


def count(session: Session, model: type, *where: object) -> int:
    return int(session.execute(select(func.count()).select_from(model).where(*where)).scalar_one())


def cases_by_agency(session: Session, round_id: int) -> dict[int, set[int]]:
    rows = session.execute(
        select(Assignment.agency_id, Assignment.case_id).where(
            col(Assignment.round_id) == round_id, col(Assignment.status) != "withdrawn"
        )
    )
    found: dict[int, set[int]] = {}
    for agency_id, case_id in rows:
        found.setdefault(agency_id, set()).add(case_id)
    return found


@pytest.mark.usefixtures("register")
def test_a_launch_gives_every_agency_the_same_cases_and_invites_each_person_once(
    session: Session, settings: Settings
) -> None:
    result = launch(session, settings, launch_parameters())
    assert result.created and len(result.case_refs) == 6
    per_agency = cases_by_agency(session, result.round_id)
    assert len(per_agency) == 3 and len({frozenset(c) for c in per_agency.values()}) == 1
    assert count(session, Assignment) == 18
    assert count(session, AccessGrant) == 6  # lead and deputy of three agencies
    invitations = session.exec(
        select(OutboxMessage).where(col(OutboxMessage.template) == "invitation")
    ).all()
    assert len(invitations) == 6 == result.invitations
    assert len({m.person_id for m in invitations}) == 6
    for message in invitations:
        assert message.context["case_count"] == 6
        assert not any(ref in str(message.context) for ref in result.case_refs)
    round_ = session.get(AuditRound, result.round_id)
    assert round_ is not None and round_.register_counts == {"CP": 6, "CIN": 10, "EH": 8, "LAC": 2}
    tool = session.get(ToolVersion, round_.tool_version_id)
    assert tool is not None and round_.parameters["tool_version"] == tool.version
    [event] = list_events(session=session, action="round.launched")
    assert event.details["cases"] == 6


@pytest.mark.usefixtures("register")
def test_relaunching_with_the_same_key_returns_the_same_round_and_sends_nothing_new(
    session: Session, settings: Settings
) -> None:
    first = launch(session, settings, launch_parameters())
    messages = count(session, OutboxMessage)
    again = launch(session, settings, launch_parameters(seed=999))
    assert (again.round_id, again.created, again.case_refs) == (
        first.round_id,
        False,
        first.case_refs,
    )
    assert count(session, AuditRound) == 1 and count(session, OutboxMessage) == messages
    other = launch(session, settings, launch_parameters(), key="key-2")
    assert other.round_id != first.round_id


@pytest.mark.usefixtures("register")
def test_quotas_and_proportional_strata_are_honoured(session: Session, settings: Settings) -> None:
    result = launch(
        session,
        settings,
        launch_parameters(sample_size=9, quota_by="category", quotas={"CP": 4, "CIN": 3, "EH": 2}),
    )
    strata = dict(
        session.execute(
            select(RoundCase.stratum, func.count())
            .where(col(RoundCase.round_id) == result.round_id)
            .group_by(col(RoundCase.stratum))
        ).all()
    )
    assert strata == {"CP": 4, "CIN": 3, "EH": 2}
    result = launch(
        session, settings, launch_parameters(sample_size=13, stratify_by="category"), key="key-2"
    )
    strata = dict(
        session.execute(
            select(RoundCase.stratum, func.count())
            .where(col(RoundCase.round_id) == result.round_id)
            .group_by(col(RoundCase.stratum))
        ).all()
    )
    assert strata == {"CP": 3, "CIN": 5, "EH": 4, "LAC": 1}


@pytest.mark.usefixtures("register")
@pytest.mark.parametrize(
    ("overrides", "error", "message"),
    [
        ({"tool": "no-such-tool"}, NotFoundError, "no audit tool named 'no-such-tool'"),
        ({"agencies": ["police", "fire"]}, InputError, "unknown agency fire; known agencies:"),
        ({"due_date": date(2026, 11, 20)}, InputError, "is not in the future"),
        (
            {"due_date": date(2026, 12, 19)},
            InputError,
            "Saturday 19 December 2026 is a weekend day; the next working day is Monday 21 "
            "December",
        ),
        ({"due_date": date(2026, 12, 25)}, InputError, "is a bank holiday (Christmas Day)"),
        ({"sample_size": 40}, InputError, "26 eligible, 40 wanted"),
        (
            {"chase": ChaseOverrides(reconcile_grace_days=2)},
            InputError,
            "grace (2 working days) is shorter than the escalation delay (5)",
        ),
        (
            {"criteria": SelectionCriteria(flags=["neglect"])},
            InputError,
            "all: 0 eligible, 6 wanted",
        ),
    ],
)
def test_bad_launches_are_clear_errors_that_create_nothing(
    session: Session,
    settings: Settings,
    overrides: dict[str, object],
    error: type,
    message: str,
) -> None:
    with pytest.raises(error) as caught:
        launch(session, settings, launch_parameters(**overrides))
    assert message in str(caught.value)
    session.rollback()
    for model in (AuditRound, RoundCase, Assignment, AccessGrant, OutboxMessage):
        assert count(session, model) == 0


@pytest.mark.usefixtures("register")
def test_a_closure_day_is_not_a_working_day(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    from models.settings import get_settings

    monkeypatch.setenv("JOINTAUDIT_CLOSURE_DAYS", '["2026-12-16"]')
    get_settings.cache_clear()
    with pytest.raises(InputError, match="is a closure day of the partnership"):
        launch(session, get_settings(), launch_parameters())


@pytest.mark.usefixtures("register")
def test_the_selection_explanation_counts_the_exclusions(
    session: Session, settings: Settings
) -> None:
    plan = plan_launch(
        session=session,
        settings=settings,
        now=NOW,
        seed=1,
        params=launch_parameters(
            criteria=SelectionCriteria(
                flags=["domestic_abuse"], categories=["CP", "CIN"], min_agencies_involved=3
            )
        ),
    )
    explanation = plan.explanation()
    assert [step["remaining"] for step in explanation["funnel"]] == [26, 26, 26, 16, 16]  # type: ignore[index]
    assert explanation["eligible"] == 16


@pytest.mark.usefixtures("register")
def test_cases_audited_recently_can_be_excluded(session: Session, settings: Settings) -> None:
    first = launch(session, settings, launch_parameters(sample_size=20))
    plan = plan_launch(
        session=session,
        settings=settings,
        now=NOW,
        seed=1,
        params=launch_parameters(
            criteria=SelectionCriteria(flags=["domestic_abuse"], exclude_audited_within_months=6)
        ),
    )
    assert plan.funnel[-1].remaining == 26 - 20
    assert not {p.case_ref for p in plan.selection.picks} & set(first.case_refs)


@pytest.mark.usefixtures("register")
def test_a_reaudit_repeats_the_parameters_with_a_fresh_seed_and_links_its_baseline(
    session: Session, settings: Settings
) -> None:
    baseline = launch(
        session,
        settings,
        launch_parameters(sample_size=9, quota_by="category", quotas={"CP": 4, "CIN": 3, "EH": 2}),
    )
    params = reaudit_parameters(
        session=session,
        baseline_id=baseline.round_id,
        due=date(2027, 6, 16),
        seed=7,
        same_cases=False,
        same_tool_version=True,
    )
    assert (params.quotas, params.agencies, params.criteria, params.sample_size) == (
        {"CP": 4, "CIN": 3, "EH": 2},
        ["police", "csc", "health"],
        SelectionCriteria(flags=["domestic_abuse"]),
        9,
    )
    assert params.baseline_round_id == baseline.round_id and params.seed == 7
    reaudit = launch(session, settings, params, key="reaudit")
    round_ = session.get(AuditRound, reaudit.round_id)
    first = session.get(AuditRound, baseline.round_id)
    assert round_ is not None and first is not None
    assert round_.baseline_round_id == baseline.round_id
    assert round_.tool_version_id == first.tool_version_id
    same = reaudit_parameters(
        session=session,
        baseline_id=baseline.round_id,
        due=date(2027, 6, 16),
        seed=8,
        same_cases=True,
        same_tool_version=False,
    )
    again = launch(session, settings, same, key="same-cases")
    assert again.case_refs == baseline.case_refs


@pytest.mark.usefixtures("register")
def test_a_round_records_its_agencies(session: Session, settings: Settings) -> None:
    result = launch(session, settings, launch_parameters())
    assert count(session, RoundAgency, col(RoundAgency.round_id) == result.round_id) == 3
