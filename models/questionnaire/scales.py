"""Answer scales of audit questions, the N/A answer and the case-level roll-up rules."""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from enum import StrEnum
from typing import Literal

NA = "na"
"""The answer "not applicable": a distinct value, left out of compliance denominators."""

YesNo = Literal["yes", "no"]
YES_NO: tuple[str, ...] = ("yes", "no")
YES_PARTLY_NO: tuple[str, ...] = ("yes", "partly", "no")


class OfstedGrade(StrEnum):
    """Ofsted's four grades, an ordinal scale."""

    outstanding = "outstanding"
    good = "good"
    requires_improvement = "requires_improvement"
    inadequate = "inadequate"


class Rag(StrEnum):
    """Red, amber, green: an ordinal scale."""

    red = "red"
    amber = "amber"
    green = "green"


class PartlyCountsAs(StrEnum):
    """How a Partly answer counts towards "x% met the standard"."""

    met = "met"
    not_met = "not_met"
    half = "half"


class Rollup(StrEnum):
    """How agencies' judgements of a shared question give a provisional case answer."""

    all = "all"
    any = "any"
    majority = "majority"


PARTLY_SCORES: dict[PartlyCountsAs, float] = {
    PartlyCountsAs.met: 1.0,
    PartlyCountsAs.not_met: 0.0,
    PartlyCountsAs.half: 0.5,
}

OFSTED_DISPLAY: tuple[str, ...] = tuple(OfstedGrade)
RAG_DISPLAY: tuple[str, ...] = tuple(Rag)
SCALE_0_10: tuple[int, ...] = tuple(range(11))

LABELS: dict[str, str] = {
    "yes": "Yes",
    "partly": "Partly",
    "no": "No",
    NA: "Not applicable",
    "outstanding": "Outstanding",
    "good": "Good",
    "requires_improvement": "Requires improvement",
    "inadequate": "Inadequate",
    "red": "Red",
    "amber": "Amber",
    "green": "Green",
}


def roll_up(rule: Rollup, scores: Iterable[float | None]) -> float | None:
    """The provisional case score from agencies' scores (1, 0.5, 0); None when none apply.

    `all` takes the lowest score, `any` the highest, `majority` the lower median: a strict
    majority is needed to meet the standard, and a tie counts as the lower score.
    """
    known = sorted(score for score in scores if score is not None)
    if not known:
        return None
    if rule is Rollup.all:
        return known[0]
    if rule is Rollup.any:
        return known[-1]
    return statistics.median_low(known)
