"""The report's figures in plain words: the method, agreement and discrepancies (pure)."""

from __future__ import annotations

from collections import Counter

from flows.answers.concerns import concern_state_wording
from flows.reconcile.findings import Findings
from flows.report.model import AgreementRow, DiscrepancySummary, Method
from models.calendar import long_day


def percent(value: int | None) -> str:
    """75%, or "-" when nothing applied."""
    return "-" if value is None else f"{value}%"


def and_list(items: list[str]) -> str:
    """a, b and c; with semicolons when an item has a comma of its own (an agency named
    "Public Protection Unit, Probation Service"), so that every item reads as one."""
    if len(items) < 2:
        return "".join(items)
    if any("," in item for item in items):
        return "; ".join(items[:-1]) + "; and " + items[-1]
    return ", ".join(items[:-1]) + " and " + items[-1]


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _criteria_words(criteria: dict[str, str]) -> str:
    words = []
    for name, value in criteria.items():
        values = [v.strip().replace("_", " ") for v in value.split(",")]
        if name == "flags":
            words.append(f"with a {' or '.join(values)} flag")
        elif name == "categories":
            words.append(f"in the {' or '.join(values)} category")
        elif name == "min agencies involved":
            words.append(f"known to at least {value} of the agencies")
        elif name == "exclude audited within months":
            words.append(f"not audited in the last {value} months")
        else:
            words.append(f"{name} {' or '.join(values)}")
    return " ".join(words) if words else "on the register"


def method_sentences(
    m: Method, selection: dict[str, object], names: list[str], same_as: int | None
) -> list[str]:
    """How the cases were chosen and audited, as the seed report says it."""
    eligible = selection.get("eligible")
    balanced = selection.get("balanced_by")
    if m.named_cases:
        chosen = (
            f"The {m.cases} cases were named for an inspection, not chosen at random: the "
            "figures describe those cases, not the register as a whole."
        )
    elif same_as is not None:
        chosen = (
            f"The same {m.cases} cases as the baseline were audited again, so the two rounds "
            "can be compared case by case."
        )
    else:
        pool = f" from {eligible}" if isinstance(eligible, int) else ""
        balance = f", balanced by {str(balanced).replace('_', ' ')}" if balanced else ""
        chosen = (
            f"{m.cases} cases were chosen at random{pool} {_criteria_words(m.criteria)}"
            f"{balance}; the selection can be repeated exactly."
        )
    held = (
        f"The agencies' answers were compared at the moderation meeting on "
        f"{long_day(m.moderation_held_on)}."
        if m.moderation_held_on
        else "The moderation meeting has not been recorded yet."
    )
    return [
        chosen,
        f"Each of the {len(names)} agencies ({and_list(names)}) audited the same cases from "
        f"its own records, without seeing the others' answers, using the tool "
        f"“{m.tool_title or m.tool}”. "
        f"Answers were due by {long_day(m.due_date)}.",
        held,
    ]


def agreement_sentence(row: AgreementRow) -> str:
    """Agreement in words: the same answer on 74% of cases (14 of 19), and Landis and Koch's
    word for the coefficient beyond chance when it could be computed."""
    if not row.compared:
        return f"{row.question}: no case was answered by two or more agencies."
    share = round(100 * row.same_answer / row.compared)
    chance = f"; {row.beyond_chance}" if row.beyond_chance else ""
    return (
        f"{row.question}: agencies gave the same answer on {share}% of cases "
        f"({row.same_answer} of {row.compared}){chance}."
    )


def discrepancy_summary(findings: Findings, wording: dict[str, str]) -> DiscrepancySummary:
    """How many disagreements, how many resolved, and the questions they were about."""
    themes = Counter(d.question_id for d in findings.discrepancies)
    return DiscrepancySummary(
        total=len(findings.discrepancies),
        resolved=sum(d.resolved for d in findings.discrepancies),
        cases=len({d.case_ref for d in findings.discrepancies}),
        themes=[(wording.get(q, q), n) for q, n in themes.most_common()],
    )


def discrepancy_sentence(summary: DiscrepancySummary) -> str:
    """The discrepancies in one or two sentences for the body."""
    if not summary.total:
        return "Agencies did not disagree on any case of a shared question."
    themes = and_list([f"{q.rstrip('.')} ({_plural(n, 'time')})" for q, n in summary.themes[:3]])
    return (
        f"Agencies gave different answers {_plural(summary.total, 'time')} across "
        f"{_plural(summary.cases, 'case')}; the moderation meeting resolved {summary.resolved} "
        f"of the {summary.total}. They were about: {themes}. Appendix D lists every one."
    )


CONCERN_ORDER = ("raised", "acknowledged", "referred", "not_referred")


def concern_states(counts: dict[str, int]) -> str:
    """How many concerns are in each recorded state, in the states' own words ('' for none)."""
    wording = {state: concern_state_wording(state) for state in CONCERN_ORDER}
    return "; ".join(
        f"{counts[state]} {wording[state][0].lower()}{wording[state][1:]}"
        for state in CONCERN_ORDER
        if counts.get(state)
    )


def concerns_sentence(counts: dict[str, int]) -> str | None:
    """The round's immediate concerns as their recorded states say, never more (None: none)."""
    total = counts.get("total", 0)
    if not total:
        return None
    were = "were" if total != 1 else "was"
    return (
        f"{total} immediate concern{'s' if total != 1 else ''} for a child {were} raised while "
        f"auditing and sent to the front door at once, not held for the moderation meeting "
        f"({concern_states(counts)})."
    )
