from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlmodel import Session

from flows.action_plan.draft import draft_action_plan
from flows.action_plan.manage import (
    ActionView,
    approve_plan,
    edit_action,
    list_actions,
    mark_overdue_actions,
    merge_actions,
    update_action,
)
from flows.reconcile.run import reconcile_round
from flows.rounds.launch import launch_round
from models.action import ActionStatus
from models.errors import ConflictError, InputError
from models.round import AuditRound
from models.settings import Settings
from tests.builders import (
    NOW,
    import_register,
    launch_parameters,
    load_agencies,
    register_of,
    submit_answers,
)
from tests.cli import Run

SCRIPT = "<script>alert('x')</script> More joint visits"


@pytest.fixture
def round_id(session: Session, settings: Settings, tmp_path: Path) -> int:
    load_agencies(session=session, tmp_path=tmp_path)
    import_register(session=session, tmp_path=tmp_path, rows=register_of(counts={"CIN": 2}))
    result = launch_round(
        session=session,
        params=launch_parameters(sample_size=2),
        seed=1,
        idempotency_key="k",
        now=NOW,
        actor="c",
        settings=settings,
    )
    answers = {"C-0001": ("yes", "no", "yes"), "C-0002": ("no", "yes", "partly")}
    for case_ref, values in answers.items():
        for agency, value in zip(("csc", "health", "police"), values, strict=True):
            extra = {"areas_for_development": SCRIPT} if agency == "health" else {}
            submit_answers(
                session=session,
                round_id=result.round_id,
                agency=agency,
                case_ref=case_ref,
                answers={"info_sharing": value, **extra},
            )
    session.commit()
    reconcile_round(session=session, round_id=result.round_id, now=NOW, actor="c")
    session.commit()
    return result.round_id


def approved_plan(session: Session, round_id: int, *, owner: str) -> list[ActionView]:
    """Draft the plan, complete every action for `owner` (due 31 March 2027), approve it."""
    draft_action_plan(session=session, round_id=round_id, now=NOW, actor="c")
    actions = list_actions(session=session, round_id=round_id)
    for action in actions:
        edit_action(
            session=session,
            action_id=action.id,
            now=NOW,
            actor="c",
            how="h",
            owner=owner,
            due_date=date(2027, 3, 31),
            success_measure="m",
        )
    approve_plan(session=session, round_id=round_id, now=NOW, actor="c")
    return actions


def test_drafting_proposes_rule_discrepancy_and_agency_text_actions_once(
    session: Session, round_id: int
) -> None:
    added = draft_action_plan(session=session, round_id=round_id, now=NOW, actor="c")
    session.commit()
    actions = list_actions(session=session, round_id=round_id)
    assert added == len(actions)
    by_source = {a.source: a for a in actions}
    rule = by_source["rule"]
    assert rule.what.startswith("Review how domestic abuse notifications")
    assert rule.owner == "csc" and "threshold 80%" in (rule.quote or "")
    assert by_source["discrepancy"].what.startswith("Agree between agencies how to judge")
    texts = [a for a in actions if a.source == "agency_text"]
    assert len(texts) == 2 and texts[0].quote == SCRIPT and texts[0].owner == "health"
    assert draft_action_plan(session=session, round_id=round_id, now=NOW, actor="c") == 0


def test_the_plan_cannot_be_approved_while_an_action_lacks_an_owner_date_or_measure(
    session: Session, round_id: int
) -> None:
    draft_action_plan(session=session, round_id=round_id, now=NOW, actor="c")
    actions = list_actions(session=session, round_id=round_id)
    with pytest.raises(InputError, match=r"action \d+ lacks how, by when"):
        approve_plan(session=session, round_id=round_id, now=NOW, actor="c")
    first, *others = actions
    merge_actions(
        session=session, keep_id=first.id, merge_ids=[a.id for a in others[1:]], now=NOW, actor="c"
    )
    for action in (first, others[0]):
        edit_action(
            session=session,
            action_id=action.id,
            now=NOW,
            actor="c",
            how="Workshop",
            owner="police",
            due_date=date(2027, 3, 31),
            success_measure="info_sharing at least 80% at re-audit",
        )
    assert approve_plan(session=session, round_id=round_id, now=NOW, actor="c") == 2
    session.commit()
    round_ = session.get(AuditRound, round_id)
    assert round_ is not None and round_.status == "planning"
    assert {a.status for a in list_actions(session=session, round_id=round_id)} == {"approved"}


def test_owners_update_actions_and_late_ones_become_overdue(
    session: Session, round_id: int
) -> None:
    actions = approved_plan(session, round_id, owner="csc")
    update_action(
        session=session,
        action_id=actions[0].id,
        status=ActionStatus.done,
        note="Workshop held",
        now=NOW,
        actor="csc lead",
    )
    with pytest.raises(ConflictError, match="can no longer change"):
        edit_action(session=session, action_id=actions[0].id, now=NOW, actor="c", how="x")
    with pytest.raises(InputError, match="on_track, at_risk or done"):
        update_action(
            session=session,
            action_id=actions[1].id,
            status=ActionStatus.overdue,
            note="",
            now=NOW,
            actor="c",
        )
    assert mark_overdue_actions(session=session, now=datetime(2027, 3, 31, 20, tzinfo=UTC)) == []
    late = mark_overdue_actions(session=session, now=datetime(2027, 4, 1, 9, tzinfo=UTC))
    assert sorted(late) == sorted(a.id for a in actions[1:])


def test_the_plan_commands_draft_list_and_refuse_an_incomplete_plan(
    round_id: int, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    from flows.cli import main

    assert main(["round", "draft-actions", str(round_id)]) == 0
    assert main(["round", "actions", str(round_id), "--json"]) == 0
    out = capsys.readouterr().out
    actions = json.loads(out[out.index("[") :])
    assert "how" in actions[0]["missing"] and "by when" in actions[0]["missing"]
    assert main(["round", "approve-plan", str(round_id)]) == 1
    assert "the plan cannot be approved yet" in capsys.readouterr().err
    assert (
        main(
            [
                "action",
                "edit",
                str(actions[0]["id"]),
                "--owner",
                "police",
                "--how",
                "x",
                "--due",
                "2027-03-31",
                "--measure",
                "y",
            ]
        )
        == 0
    )
    assert main(["action", "edit", str(actions[0]["id"]), "--no-owner", "--no-due"]) == 0
    assert main(["round", "actions", str(round_id), "--json"]) == 0
    out = capsys.readouterr().out
    edited = next(a for a in json.loads(out[out.index("[") :]) if a["id"] == actions[0]["id"])
    assert edited["owner"] is None and edited["due_date"] is None and edited["how"] == "x"


def test_late_actions_are_chased_once_per_step_on_working_days(
    session: Session, round_id: int, settings: Settings
) -> None:
    from sqlmodel import col, select

    from flows.action_plan.chase import chase_actions
    from models.outbox import OutboxMessage

    count = len(approved_plan(session, round_id, owner="police"))

    def sent(step: str) -> list[OutboxMessage]:
        return list(
            session.exec(
                select(OutboxMessage).where(
                    col(OutboxMessage.template) == "action_due",
                    col(OutboxMessage.dedupe_key).like(f"%:{step}"),
                )
            )
        )

    assert (
        chase_actions(session=session, now=datetime(2027, 3, 1, 9, tzinfo=UTC), settings=settings)
        == 0
    )
    tuesday = datetime(2027, 3, 23, 9, tzinfo=UTC)  # five working days before 31 March
    assert chase_actions(session=session, now=tuesday, settings=settings) == count
    assert chase_actions(session=session, now=tuesday, settings=settings) == 0
    assert {m.context["rag_status"] for m in sent("reminder")} == {"amber"}
    saturday = datetime(2027, 4, 3, 9, tzinfo=UTC)
    assert chase_actions(session=session, now=saturday, settings=settings) == 0
    assert (
        chase_actions(session=session, now=datetime(2027, 4, 5, 9, tzinfo=UTC), settings=settings)
        == count
    )
    assert {m.context["rag_status"] for m in sent("overdue")} == {"red"}
    assert all(m.address == "lead@police.example.org" for m in sent("overdue"))


def test_the_chase_command_queues_exactly_what_the_scheduled_flow_queues(
    session: Session, round_id: int, settings: Settings, tmp_path: Path, run: Run
) -> None:
    import json

    from flows.chase.flow import sweep
    from tests.builders import launch_chase_round

    actions = len(approved_plan(session, round_id, owner="police"))
    launch_chase_round(
        session=session, settings=settings, tmp_path=tmp_path, due=date(2027, 3, 16), key="both"
    )
    session.close()
    now = "2027-03-23T09:00"  # the chase round is overdue; the actions are five days from due
    code, out, err = run("chase", "--now", now, "--dry-run", "--json")
    assert code == 0, err
    dry = json.loads(out)
    assert dry["queued"] > 0 and dry["action_messages"] == actions > 0
    flow_result = sweep.fn(now)
    assert (flow_result["queued"], flow_result["action_messages"]) == (
        dry["queued"],
        dry["action_messages"],
    )
    code, out, _ = run("chase", "--now", now, "--json")
    assert (json.loads(out)["queued"], json.loads(out)["action_messages"]) == (0, 0)
