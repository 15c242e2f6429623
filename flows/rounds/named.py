"""Named cases (inspection mode): the round audits a list of case references, not a sample."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session, col, select

from flows.rounds.eligibility import FunnelStep
from flows.rounds.selection import ALL, Pick, Selection, StratumReport, rank_of
from models.case import Case
from models.errors import ImportFileError, InputError, Problem

SOURCE = "the list of cases"
NAMED_RESPONSE_DAYS = 5  # working days: inspections give agencies about a week


def read_case_list(text: str) -> list[str]:
    """One reference per line (commas and tabs also separate; blank lines are skipped)."""
    refs = []
    for line in text.splitlines():
        for part in line.replace("\t", ",").split(","):
            if part.strip():
                refs.append(part.strip())
    return refs


def numbered_refs(text: str) -> list[tuple[int, str]]:
    """Each reference with the line it is on, for located errors."""
    return [
        (number, ref)
        for number, line in enumerate(text.splitlines(), start=1)
        for ref in read_case_list(line)
    ]


def named_selection(
    *, session: Session, case_refs: Sequence[str], seed: int, lines: Sequence[int] | None = None
) -> tuple[Selection, list[FunnelStep]]:
    """The named cases as a selection; every unknown, inactive or repeated reference is a
    located problem (by line, never repeating the reference) and nothing is selected."""
    if not case_refs:
        raise InputError("name at least one case: enter one case reference per line")
    where = list(lines) if lines is not None else list(range(1, len(case_refs) + 1))
    found = {
        ref: (case_id, active)
        for case_id, ref, active in session.exec(
            select(Case.id, Case.case_ref, Case.active).where(
                col(Case.case_ref).in_(list(set(case_refs)))
            )
        )
    }
    problems, seen = [], dict[str, int]()
    for line, ref in zip(where, case_refs, strict=True):
        if ref in seen:
            problems.append(Problem(f"line {line}", f"repeats the case on line {seen[ref]}"))
            continue
        seen[ref] = line
        if ref not in found:
            problems.append(Problem(f"line {line}", "no case with this reference in the register"))
        elif not found[ref][1]:
            problems.append(Problem(f"line {line}", "this case is inactive in the register"))
    if problems:
        raise ImportFileError(SOURCE, problems)
    picks = [Pick(found[ref][0] or 0, ref, ALL, rank_of(seed, ref)) for ref in seen]
    picks.sort(key=lambda pick: pick.rank)
    count = len(picks)
    strata = [StratumReport(ALL, count, count, count)]
    funnel = [FunnelStep("cases named", count)]
    return Selection(picks=picks, strata=strata, balanced_by=None), funnel
