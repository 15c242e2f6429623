"""The demo's second half: answers, reconciliation, moderation and the action plan."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from sqlmodel import Session

from flows.action_plan.draft import draft_action_plan
from flows.action_plan.manage import approve_plan, edit_action, list_actions, merge_actions
from flows.cli_common import console, done, print_table
from flows.demo_answers import simulate_answers
from flows.reconcile.findings import Findings
from flows.reconcile.load import round_tool
from flows.reconcile.run import latest_findings, moderate_answer, record_meeting
from models.calendar import WorkingDayCalendar, london_date
from models.db import session_scope
from models.moderation import ModerationMeeting
from models.types import utcnow

ACTOR = "demo:coordinator"


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def findings_agencies(*, session: Session, round_id: int) -> list[str]:
    """The agencies that answered in the round (owners for actions without a hint)."""
    return list(latest_findings(session=session, round_id=round_id).responses)


def answer_round(round_id: int, *, seed: int, quality: float) -> None:
    """Every agency answers its cases (simulated), blind to the others."""
    with session_scope() as session:
        counts = simulate_answers(
            session=session,
            round_id=round_id,
            seed=seed,
            quality=quality,
            tool=round_tool(session=session, round_id=round_id),
            now=utcnow(),
        )
    done(
        f'{counts["submitted"]} reviews submitted, {counts["not_known"]} "not known to this '
        f'agency", {counts["concerns"]} immediate concern raised (alert sent at once)'
    )


def headline(findings: Findings, limit: int = 5) -> None:
    """Case-level figures of shared questions, as the board report will word them."""
    state = "provisional until moderation" if findings.provisional else "moderated"
    rows = [
        (
            _short(q.text, 48),
            q.case_level.label if q.case_level else "-",
            f"{q.agreement['gwet_ac1'].value:.2f}"
            if q.agreement.get("gwet_ac1") and q.agreement["gwet_ac1"].value is not None
            else "-",
        )
        for q in findings.questions
        if q.shared and q.case_level
    ][:limit]
    print_table(f"Case-level compliance ({state})", ("Shared question", "Cases", "Gwet AC1"), rows)
    console.print(
        f"  {len(findings.discrepancies)} discrepancies on the meeting's agenda; "
        f"immediate concerns: {findings.concerns.get('total', 0)}; not known: "
        + ", ".join(f"{a} {n}" for a, n in findings.not_known.items() if n)
    )


def moderate(round_id: int) -> int:
    """A simulated meeting: all agencies attend; where agencies differed on a graded question,
    the records shown at the meeting support the better-evidenced (higher) answer."""
    with session_scope() as session:
        if session.get(ModerationMeeting, round_id) is not None:
            return 0
        findings = latest_findings(session=session, round_id=round_id)
        tool = round_tool(session=session, round_id=round_id)
        resolved = 0
        for item in [d for d in findings.discrepancies if not d.resolved][:12]:
            question = tool.question(item.question_id)
            by_label = {label: value for value, label in question.choices()}
            answers = [by_label[a] for a in item.answers.values() if a in by_label]
            ranked = [str(v) for v in question.ordered_values or ()]
            value = (
                max(answers, key=ranked.index) if ranked else Counter(answers).most_common(1)[0][0]
            )
            moderate_answer(
                session=session,
                round_id=round_id,
                case_ref=item.case_ref,
                question_id=item.question_id,
                value=value,
                now=utcnow(),
                actor=ACTOR,
                resolution="Records compared at the meeting",
            )
            resolved += 1
        record_meeting(
            session=session,
            round_id=round_id,
            held_on=london_date(utcnow()),
            attendees=sorted(findings.responses),
            now=utcnow(),
            actor=ACTOR,
            notes="Each agency presented its perspective on the flagged cases.",
        )
    return resolved


def plan_actions(round_id: int) -> None:
    """Draft the plan, give every action an owner, a date and a measure, approve it."""
    calendar = WorkingDayCalendar()
    with session_scope() as session:
        added = draft_action_plan(session=session, round_id=round_id, now=utcnow(), actor=ACTOR)
        actions = list_actions(session=session, round_id=round_id)
        drafts = [a for a in actions if a.status == "draft"]
        texts = [a for a in drafts if a.source == "agency_text"]
        if len(texts) > 1:
            merge_actions(
                session=session,
                keep_id=texts[0].id,
                merge_ids=[a.id for a in texts[1:]],
                now=utcnow(),
                actor=ACTOR,
            )
        due = calendar.next_working_day(london_date(utcnow()) + timedelta(days=120))
        owners = sorted(latest_findings(session=session, round_id=round_id).responses)
        for n, action in enumerate([a for a in drafts if a not in texts[1:]]):
            edit_action(
                session=session,
                action_id=action.id,
                now=utcnow(),
                actor=ACTOR,
                how=action.how
                or "Agreed at the moderation meeting; progress reported "
                "to the quality assurance subgroup",
                owner=action.owner or owners[n % len(owners)],
                due_date=action.due_date or due,
                success_measure=action.success_measure or "Re-audit shows improvement",
            )
        approved = (
            approve_plan(session=session, round_id=round_id, now=utcnow(), actor=ACTOR)
            if drafts
            else 0
        )
        actions = list_actions(session=session, round_id=round_id)
    done(f"{added} candidate actions drafted; {approved} approved")
    print_table(
        "Joint action plan",
        ("#", "What", "Lead", "By", "Status"),
        [(a.id, _short(a.what, 50), a.owner, a.due_date, a.status) for a in actions],
    )
