"""The register at a glance: active cases by category, the most common flags, the last import."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from flows.rounds.eligibility import register_counts
from models.case import Case, CaseFlag, ImportBatch, ImportKind

TOP_FLAGS = 5


@dataclass(frozen=True)
class RegisterSummary:
    """Counts only: nothing here identifies a child."""

    active: int
    inactive: int
    by_category: list[tuple[str, int]]
    top_flags: list[tuple[str, int]]
    last_import: ImportBatch | None


def register_summary(*, session: Session) -> RegisterSummary:
    """Active and inactive cases, active ones by category, the commonest flags, the last import."""
    counts = dict(session.exec(select(Case.active, func.count()).group_by(col(Case.active))).all())
    flags = session.exec(
        select(CaseFlag.flag, func.count())
        .join(Case, col(Case.id) == col(CaseFlag.case_id))
        .where(col(Case.active))
        .group_by(col(CaseFlag.flag))
        .order_by(func.count().desc(), col(CaseFlag.flag))
        .limit(TOP_FLAGS)
    ).all()
    last = session.exec(
        select(ImportBatch)
        .where(col(ImportBatch.kind) == ImportKind.cases)
        .order_by(col(ImportBatch.id).desc())
    ).first()
    return RegisterSummary(
        active=int(counts.get(True, 0)),
        inactive=int(counts.get(False, 0)),
        by_category=sorted(register_counts(session=session).items()),
        top_flags=[(flag, int(n)) for flag, n in flags],
        last_import=last,
    )
