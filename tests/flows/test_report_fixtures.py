"""A hand-computed baseline and re-audit (4 cases, 3 agencies) for the board report tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from flows.reconcile.run import moderate_answer, reconcile_round
from flows.rounds.launch import launch_round
from models.settings import Settings
from tests.builders import (
    NOW,
    import_register,
    launch_parameters,
    load_agencies,
    register_of,
    submit_answers,
)

SCRIPT = "<script>alert('x')</script>"
NASTY = f"{SCRIPT} *bold* [link](http://evil.example) | =SUM(A1) & <b>tag</b>"
TITLE = "Domestic abuse <em>re-audit</em> & <script>t()</script>"

# case -> agency -> (info_sharing, chronology, voice_of_child); police did not know C-0003.
BASELINE = {
    "C-0001": {"csc": ("yes", "yes", "yes"), "health": ("yes", "yes", "yes"),
               "police": ("yes", "yes", "yes")},
    "C-0002": {"csc": ("yes", "yes", "yes"), "health": ("partly", "yes", "no"),
               "police": ("no", "yes", "no")},
    "C-0003": {"csc": ("yes", "yes", "yes"), "health": ("na", "yes", "yes")},
    "C-0004": {"csc": ("no", "yes", "no"), "health": ("no", "yes", "yes"),
               "police": ("yes", "yes", "no")},
}  # fmt: skip
# Case level (majority; chronology: any): info 2:4, chronology 4:4, voice 2:4.
REAUDIT = {
    "C-0001": ("yes", "no", "yes"),
    "C-0002": ("yes", "yes", "no"),
    "C-0003": ("yes", "yes", "yes"),
    "C-0004": ("yes", "yes", "no"),
}  # every agency gives the same answers: info 4:4, chronology 3:4, voice 2:4.
QUESTIONS = ("info_sharing", "chronology", "voice_of_child")


def _launch(session: Session, settings: Settings, key: str, **params: Any) -> int:
    result = launch_round(
        session=session,
        params=launch_parameters(sample_size=4, **params),
        seed=1,
        idempotency_key=key,
        now=NOW,
        actor="c",
        settings=settings,
    )
    session.commit()
    return result.round_id


def _submit(session: Session, round_id: int, case_ref: str, agency: str, values: Any) -> None:
    answers: dict[str, str | int] = dict(zip(QUESTIONS, values, strict=True))
    if agency == "health":
        answers["good_practice"] = NASTY
    submit_answers(
        session=session, round_id=round_id, agency=agency, case_ref=case_ref, answers=answers
    )


def baseline_and_reaudit(session: Session, settings: Settings, tmp_path: Path) -> tuple[int, int]:
    """Both rounds answered and reconciled; the baseline's C-0002 info_sharing moderated."""
    load_agencies(session=session, tmp_path=tmp_path)
    import_register(session=session, tmp_path=tmp_path, rows=register_of(counts={"CIN": 4}))
    base = _launch(session, settings, "base")
    for case_ref, by_agency in BASELINE.items():
        for agency, values in by_agency.items():
            _submit(session, base, case_ref, agency, values)
    submit_answers(
        session=session, round_id=base, agency="police", case_ref="C-0003", answers={},
        not_known=True,
    )  # fmt: skip
    session.commit()
    reconcile_round(session=session, round_id=base, now=NOW, actor="c")
    moderate_answer(
        session=session,
        round_id=base,
        case_ref="C-0002",
        question_id="info_sharing",
        value="no",
        resolution=NASTY,
        now=NOW,
        actor="c",
    )
    reconcile_round(session=session, round_id=base, now=NOW, actor="c")
    again = _launch(session, settings, "again", title=TITLE, baseline_round_id=base)
    for case_ref, values in REAUDIT.items():
        for agency in ("csc", "health", "police"):
            _submit(session, again, case_ref, agency, values)
    session.commit()
    reconcile_round(session=session, round_id=again, now=NOW, actor="c")
    session.commit()
    return base, again


MEASURES = {
    "rule:info_sharing": "Re-audit finds good information sharing on at least 80% of cases",
    "rule:voice_of_child": "At least 75% of cases at re-audit",
    "discrepancy:info_sharing": "Agencies agree on this question in the re-audit",
    "discrepancy:voice_of_child": "Agencies agree on this question in the re-audit",
}
CHRONOLOGY_ACTION = "Keep one shared record of events on every open case"


def baseline_plan(session: Session, base: int) -> None:
    """The baseline's plan: two rule actions (information sharing, the child's voice), two
    discrepancy actions (the same questions) and a coordinator's action measured by "Q2 at
    least 90%"; information sharing done, the child's voice on track, the rest approved."""
    from datetime import date, timedelta

    from flows.action_plan.draft import draft_action_plan
    from flows.action_plan.manage import add_action, approve_plan, edit_action, update_action
    from models.action import Action, ActionStatus

    draft_action_plan(session=session, round_id=base, now=NOW, actor="c")
    extra = add_action(session=session, round_id=base, what=CHRONOLOGY_ACTION, now=NOW, actor="c")
    actions = {a.source_key: a for a in session.exec(select(Action).where(Action.round_id == base))}
    for key, action in actions.items():
        edit_action(
            session=session, action_id=action.id or 0, now=NOW, actor="c", how="Workshop",
            owner="csc", due_date=date(2027, 3, 31),
            success_measure=MEASURES.get(key, "Q2 at least 90% of cases"),
        )  # fmt: skip
    approve_plan(session=session, round_id=base, now=NOW, actor="c")
    later = NOW + timedelta(days=30)
    update_action(
        session=session, action_id=actions["rule:info_sharing"].id or 0,
        status=ActionStatus.done, note="Front door protocol agreed", now=later, actor="c",
    )  # fmt: skip
    update_action(
        session=session, action_id=actions["rule:voice_of_child"].id or 0,
        status=ActionStatus.on_track, note="Training booked", now=later, actor="c",
    )  # fmt: skip
    assert extra
    session.commit()
