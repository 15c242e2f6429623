"""The demo's second half: answers, reconciliation, moderation and the action plan."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timedelta
from pathlib import Path

import yaml

from flows.action_plan.draft import draft_action_plan
from flows.action_plan.manage import approve_plan, edit_action, list_actions, merge_actions
from flows.cli.common import console, done, print_table
from flows.cli.demo.answers import simulate_answers
from flows.reconcile.findings import Findings
from flows.reconcile.load import round_tool
from flows.reconcile.run import latest_findings, moderate_answer, record_meeting
from models.calendar import LONDON, WorkingDayCalendar, london_date
from models.db import session_scope
from models.moderation import ModerationMeeting
from models.types import utcnow

ACTOR = "demo:coordinator"


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


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
        f'agency", {counts["concerns"]} immediate concern raised'
    )
    if counts["alerts"]:
        from notifications.dispatcher import send_now

        report = send_now(message_ids=counts["alerts"])
        done(
            f"Its alerts went out at once, not on a schedule: {report.sent} sent (coordinator, "
            "the agency's escalation contact, the front door)"
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
    print_table(
        f"Case-level compliance ({state})", ("Shared question", "Cases", "Gwet's AC1 or AC2"), rows
    )
    console.print(
        f"  {len(findings.discrepancies)} discrepancies on the meeting's agenda; "
        f"immediate concerns: {findings.concerns.get('total', 0)}; not known: "
        + ", ".join(f"{a} {n}" for a, n in findings.not_known.items() if n)
    )


def moderate(round_id: int, *, now: datetime | None = None) -> int:
    """A simulated meeting: all agencies attend; where agencies differed on a graded question,
    the records shown at the meeting support the better-evidenced (higher) answer."""
    now = now or utcnow()  # the demo's time travel moves it
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
                now=now,
                actor=ACTOR,
                resolution="Records compared at the meeting",
            )
            resolved += 1
        record_meeting(
            session=session,
            round_id=round_id,
            held_on=london_date(now),
            attendees=sorted(findings.responses),
            now=now,
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


def plan_the_year(data_dir: Path, today: date) -> None:
    """Write and load a programme of three rounds, then let the schedule launch the first by
    time travel: the `launch-due-rounds` flow runs as if it were 08:00 on its launch day."""
    from flows.orchestration import run_flow
    from flows.programme.flow import launch_due_rounds_flow
    from flows.programme.store import load_programme, programme_status
    from models.settings import get_settings

    calendar = WorkingDayCalendar()
    dates = [calendar.next_working_day(today + timedelta(days=d)) for d in (14, 42, 70)]
    # Each theme with the built-in tool that fits it: exploitation cases are audited through
    # their strategy discussions and s.47 enquiries (a partnership adds its own tools).
    themes = (
        ("neglect", "neglect", 6, "neglect"),
        ("s47", "s47", 5, "s47-strategy"),
        ("exploitation", "exploitation", 4, "s47-strategy"),
    )
    plan = {
        "year": today.year,
        "start_month": today.month,
        "rounds": [
            {
                "key": f"demo-{flag}",
                "theme": theme,
                "launch": day.isoformat(),
                "tool": tool,
                "sample": sample,
                "agencies": ["police", "csc", "nhs-trust"],
                "where": {"flags": [flag]},
            }
            for (flag, theme, sample, tool), day in zip(themes, dates, strict=True)
        ],
    }
    path = data_dir / "demo" / "programme.yaml"
    path.write_text(yaml.safe_dump(plan, sort_keys=False), encoding="utf-8")
    with session_scope() as session:
        load_programme(
            session=session, path=path, settings=get_settings(), now=utcnow(), actor=ACTOR
        )
    first_launch = datetime.combine(dates[0], time(8, 0), tzinfo=LONDON)
    launched = run_flow(launch_due_rounds_flow(now=first_launch.isoformat()))
    done(
        f"{path}: 3 planned rounds; on {dates[0]:%A %d %B} at 08:00 the schedule launched "
        f"round {', '.join(map(str, launched)) or '(already launched)'}"
    )
    with session_scope() as session:
        rows = programme_status(session=session, now=first_launch)
    print_table(
        "Audit programme",
        ("Key", "Theme", "Launch", "Status", "Round"),
        [(r.key, r.theme, r.launch_date, r.status, r.round_id) for r in rows],
    )


def reaudit_later(round_id: int, *, seed: int, months: int = 6) -> int:
    """Time travel: the re-audit "using the same parameters", with practice improved."""
    from flows.reconcile.run import reconcile_round
    from flows.rounds.launch import launch_round
    from flows.rounds.reaudit import reaudit_parameters
    from models.settings import get_settings

    later = utcnow() + timedelta(days=30 * months)
    calendar = WorkingDayCalendar()
    due = calendar.add_working_days(london_date(later), 15)
    with session_scope() as session:
        params = reaudit_parameters(
            session=session,
            baseline_id=round_id,
            due=due,
            seed=seed + 1,
            same_cases=False,
            same_tool_version=True,
        )
        result = launch_round(
            session=session,
            params=params,
            seed=seed + 1,
            idempotency_key=f"demo:reaudit:{round_id}",
            now=later,
            actor=ACTOR,
            settings=get_settings(),
        )
        simulate_answers(
            session=session,
            round_id=result.round_id,
            seed=seed + 1,
            quality=0.86,
            tool=round_tool(session=session, round_id=result.round_id),
            now=later,
        )
        fresh = session.get(ModerationMeeting, result.round_id) is None
        if fresh:
            reconcile_round(session=session, round_id=result.round_id, now=later, actor=ACTOR)
    if fresh:  # the meeting, three weeks on: the re-audit's discrepancies are moderated too
        met = later + timedelta(days=21)
        moderate(result.round_id, now=met)
        with session_scope() as session:
            reconcile_round(session=session, round_id=result.round_id, now=met, actor=ACTOR)
    done(
        f"Round {result.round_id} re-audited round {round_id} on {london_date(later):%d %B %Y}"
        f" with {len(result.case_refs)} fresh cases and the same criteria and quotas"
    )
    return result.round_id


def board_report(round_id: int, out_dir: Path) -> list[Path]:
    """Write the board report in every format and show the re-audit comparison."""
    from flows.report.data import build_report
    from flows.report.write import write_report

    with session_scope() as session:
        report = build_report(session=session, round_id=round_id, today=london_date(utcnow()))
    files = write_report(report, out_dir, ["html", "md", "docx", "pdf"])
    if report.comparison is not None:
        print_table(
            "Re-audit against baseline (case level)",
            ("Question", "Baseline", "Re-audit", "Change", ""),
            [
                (
                    _short(row.text, 26),
                    row.baseline.label,
                    row.current.label,
                    f"{row.change_points:+d}",
                    row.direction,
                )
                for row in report.comparison.rows[:8]
            ],
        )
    for path in files:
        console.print(f"  {path}")
    return files
