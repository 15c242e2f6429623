"""Which register cases a round may select, and why the others were left out (a funnel)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import ColumnElement, and_, case, exists, func, literal, select
from sqlmodel import Session, col

from flows.rounds.selection import (
    ALL,
    UNKNOWN,
    CandidateRow,
    Pick,
    Selection,
    StratumReport,
    rank_of,
)
from models.agency import Agency
from models.case import Case, CaseAgency, CaseFlag
from models.errors import NotFoundError
from models.round import AuditRound, RoundCase, RoundStatus
from models.round_parameters import LaunchParameters, SelectionCriteria


@dataclass(frozen=True)
class FunnelStep:
    """How many cases remained after one criterion."""

    criterion: str
    remaining: int


def _conditions(
    criteria: SelectionCriteria, agencies: Sequence[str], now: datetime
) -> list[tuple[str, ColumnElement[bool]]]:
    steps: list[tuple[str, ColumnElement[bool]]] = [
        ("active in the register", col(Case.active).is_(True))
    ]
    if criteria.flags:
        steps.append(
            (
                f"flagged {' or '.join(criteria.flags)}",
                # IN (subquery) lets SQLite read the flag index once instead of probing it
                # for every register row (a third faster on 200,000 cases).
                col(Case.id).in_(
                    select(col(CaseFlag.case_id)).where(col(CaseFlag.flag).in_(criteria.flags))
                ),
            )
        )
    for label, column, values in (
        ("category", Case.category, [v.upper() for v in criteria.categories]),
        ("age band", Case.age_band, criteria.age_bands),
        ("gender", Case.gender, criteria.genders),
        ("ethnicity", Case.ethnicity, criteria.ethnicities),
    ):
        if values:
            expression = func.upper(col(column)) if label == "category" else col(column)
            steps.append((f"{label} {', '.join(values)}", expression.in_(values)))
    if criteria.referral_from:
        steps.append(
            (
                f"referred on or after {criteria.referral_from}",
                col(Case.referral_date) >= criteria.referral_from,
            )
        )
    if criteria.referral_to:
        steps.append(
            (
                f"referred on or before {criteria.referral_to}",
                col(Case.referral_date) <= criteria.referral_to,
            )
        )
    if criteria.min_agencies_involved:
        involved = (
            select(func.count())
            .select_from(CaseAgency)
            .join(Agency, col(Agency.id) == col(CaseAgency.agency_id))
            .where(col(CaseAgency.case_id) == col(Case.id), col(Agency.code).in_(agencies))
            .scalar_subquery()
        )
        steps.append(
            (
                f"at least {criteria.min_agencies_involved} participating agencies "
                "known to be involved",
                involved >= criteria.min_agencies_involved,
            )
        )
    if criteria.exclude_audited_within_months:
        since = now - timedelta(days=round(30.44 * criteria.exclude_audited_within_months))
        recent = exists().where(
            col(RoundCase.case_id) == col(Case.id),
            col(RoundCase.round_id) == col(AuditRound.id),
            col(AuditRound.created_at) >= since,
            col(AuditRound.status) != RoundStatus.cancelled,
        )
        steps.append(
            (f"not audited in the last {criteria.exclude_audited_within_months} months", ~recent)
        )
    return steps


@dataclass(frozen=True)
class Eligibility:
    """The eligible candidates, the funnel that led to them and the register's active cases
    by category (the round keeps those as the register's context)."""

    candidates: Sequence[CandidateRow]
    funnel: list[FunnelStep]
    register_counts: dict[str, int]


def eligible_cases(
    *,
    session: Session,
    criteria: SelectionCriteria,
    agencies: Sequence[str],
    now: datetime,
    balance_by: str | None = None,
) -> Eligibility:
    """The eligible candidates (with their stratum), and the count left after each criterion."""
    steps = _conditions(criteria, agencies, now)
    conditions = [condition for _label, condition in steps]
    stratum: ColumnElement[str] = (
        func.coalesce(getattr(Case, balance_by), UNKNOWN) if balance_by else literal(ALL)
    )
    # Core rather than ORM execution, plain rows rather than objects: half the cost for
    # 100,000 candidates. A stored case always has its id.
    query = select(col(Case.id), col(Case.case_ref), stratum).where(and_(*conditions))
    candidates = cast("Sequence[CandidateRow]", session.connection().execute(query).all())
    # One pass over the register counts every earlier stage of the funnel, by category; the
    # last stage is the candidates themselves. The first step ("active") is always counted
    # here, as the round keeps the active cases by category.
    counted = steps[: max(1, len(steps) - 1)]
    stages: list[Any] = [func.count()]
    for index in range(1, len(counted) + 1):
        passed = and_(*conditions[:index])
        stages.append(func.coalesce(func.sum(case((passed, 1), else_=0)), 0))
    by_category = session.execute(
        select(col(Case.category), *stages).select_from(Case).group_by(col(Case.category))
    ).all()
    totals = [sum(int(row[index]) for row in by_category) for index in range(1, len(stages) + 1)]
    totals += [len(candidates)] * (len(steps) + 1 - len(totals))
    funnel = [FunnelStep("cases in the register", totals[0])]
    funnel += [FunnelStep(label, n) for (label, _), n in zip(steps, totals[1:], strict=True)]
    active = {row[0] or "unknown": int(row[2]) for row in by_category if row[2]}
    return Eligibility(candidates, funnel, active)


def eligible_for(*, session: Session, params: LaunchParameters, now: datetime) -> Eligibility:
    """The eligible candidates of a round's parameters, in the strata it balances by."""
    balance_by, _quotas = params.balancing()
    return eligible_cases(
        session=session,
        criteria=params.criteria,
        agencies=params.agencies,
        now=now,
        balance_by=balance_by,
    )


def register_counts(*, session: Session) -> dict[str, Any]:
    """Active cases by category now (kept with a round as the register's context)."""
    rows = session.execute(
        select(col(Case.category), func.count())
        .where(col(Case.active))
        .group_by(col(Case.category))
    )
    return {category or "unknown": count for category, count in rows}


def same_cases_as(
    *, session: Session, round_id: int, seed: int
) -> tuple[Selection, list[FunnelStep]]:
    """A re-audit of exactly the cases an earlier round audited (its active ones)."""
    rows = session.execute(
        select(col(Case.id), col(Case.case_ref), col(RoundCase.stratum))
        .join(RoundCase, col(RoundCase.case_id) == col(Case.id))
        .where(col(RoundCase.round_id) == round_id, col(RoundCase.status) == "active")
        .order_by(col(Case.case_ref))
    ).all()
    if not rows:
        raise NotFoundError(f"round {round_id} has no cases to re-audit")
    picks = [Pick(case_id, ref, stratum, rank_of(seed, ref)) for case_id, ref, stratum in rows]
    sizes = Counter(stratum for _, _, stratum in rows)
    strata = [StratumReport(name, n, n, n) for name, n in sorted(sizes.items())]
    funnel = [FunnelStep(f"the cases of round {round_id}", len(rows))]
    return Selection(picks=picks, strata=strata, balanced_by=None), funnel
