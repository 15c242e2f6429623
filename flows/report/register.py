"""The register's context for a round: its counts at launch, the trend since the previous
round of the same tool, and the sample against the register (small numbers suppressed)."""

from __future__ import annotations

from collections import Counter

from pydantic import BaseModel
from sqlmodel import Session, col, select

from models.case import Case
from models.round import AuditRound, MemberStatus, RoundCase, RoundStatus

SUPPRESS_BELOW = 5
FEWER = "fewer than 5"


class RegisterRow(BaseModel):
    """One category of the register as the board sees it."""

    category: str
    at_launch: str
    previous: str | None
    change: str | None
    in_sample: str


def shown(count: int) -> str:
    """A count as official statistics print it: under 5 is "fewer than 5"."""
    return FEWER if 0 < count < SUPPRESS_BELOW else str(count)


def _change(now: int, before: int | None) -> str | None:
    if before is None:
        return None
    if 0 < now < SUPPRESS_BELOW or 0 < before < SUPPRESS_BELOW:
        return "not shown (small numbers)"
    return f"{now - before:+d}"


def register_context(*, session: Session, round_: AuditRound) -> list[RegisterRow]:
    """Register counts by category at launch, the previous comparable round's, the sample."""
    previous = session.exec(
        select(AuditRound)
        .where(col(AuditRound.id) < round_.id, col(AuditRound.status) != RoundStatus.cancelled)
        .order_by(col(AuditRound.id).desc())
    ).all()
    before = next(
        (
            r.register_counts
            for r in previous
            if r.parameters.get("tool") == round_.parameters.get("tool")
        ),
        None,
    )
    sample = Counter(
        session.exec(
            select(Case.category)
            .join(RoundCase, col(RoundCase.case_id) == col(Case.id))
            .where(
                col(RoundCase.round_id) == round_.id, col(RoundCase.status) == MemberStatus.active
            )
        ).all()
    )
    counts: dict[str, int] = {str(k): int(v) for k, v in round_.register_counts.items()}
    rows = []
    for category in sorted(set(counts) | {str(c or "unknown") for c in sample}):
        earlier = None if before is None else int(before.get(category, 0))
        rows.append(
            RegisterRow(
                category=category,
                at_launch=shown(counts.get(category, 0)),
                previous=None if earlier is None else shown(earlier),
                change=_change(counts.get(category, 0), earlier),
                in_sample=shown(sample.get(None if category == "unknown" else category, 0)),
            )
        )
    return rows
