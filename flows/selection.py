"""Case selection: a pure, reproducible function of the eligible cases, the seed and the plan.

Every case is ranked by SHA-256(seed ‖ ":" ‖ case_ref); the lowest hashes in each stratum are
picked. Nothing depends on Python's `random`, dict order or the machine, so a re-run with
the same seed and register picks the same cases anywhere.
"""

from __future__ import annotations

import hashlib
import heapq
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from models.errors import InputError

UNKNOWN = "unknown"
ALL = "all"


class Candidate(NamedTuple):
    """An eligible case: its id, reference and stratum (the balancing attribute's value)."""

    case_id: int
    case_ref: str
    stratum: str = ALL


@dataclass(frozen=True)
class Pick:
    """A selected case."""

    case_id: int
    case_ref: str
    stratum: str
    rank: str


@dataclass(frozen=True)
class StratumReport:
    """How one stratum was sampled."""

    stratum: str
    eligible: int
    wanted: int
    picked: int


@dataclass(frozen=True)
class Selection:
    """The picks and how they were made."""

    picks: list[Pick]
    strata: list[StratumReport]
    balanced_by: str | None

    @property
    def shortfall(self) -> int:
        """How many fewer cases were picked than wanted."""
        return sum(s.wanted - s.picked for s in self.strata)


def seed_from_key(key: str) -> int:
    """A seed derived from an idempotency key, so a retried launch picks the same cases."""
    return int(hashlib.sha256(key.encode()).hexdigest()[:15], 16)


def rank_of(seed: int, case_ref: str) -> str:
    """The case's rank for this seed: lower sorts first."""
    return hashlib.sha256(f"{seed}:{case_ref}".encode()).hexdigest()


def _ranked(seed: int, candidates: Sequence[Candidate]) -> list[tuple[bytes, str, Candidate]]:
    # The same order as rank_of's hex digests, without building 100,000 hex strings.
    prefix = hashlib.sha256(f"{seed}:".encode())
    ranked = []
    for candidate in candidates:
        digest = prefix.copy()
        digest.update(candidate.case_ref.encode())
        ranked.append((digest.digest(), candidate.case_ref, candidate))
    return ranked


def allocate(sizes: Mapping[str, int], sample: int) -> dict[str, int]:
    """Proportional allocation by largest remainder, at least one per non-empty stratum
    when the sample allows, never more than a stratum holds."""
    names = sorted(name for name, size in sizes.items() if size > 0)
    total = sum(sizes[name] for name in names)
    sample = min(sample, total)
    if not names or sample == 0:
        return dict.fromkeys(sizes, 0)
    exact = {name: sample * sizes[name] / total for name in names}
    shares = {name: int(exact[name]) for name in names}
    by_remainder = sorted(names, key=lambda n: (-(exact[n] - shares[n]), n))
    for name in by_remainder[: sample - sum(shares.values())]:
        shares[name] += 1
    if sample >= len(names):
        for name in names:
            if shares[name] == 0:
                donor = max(names, key=lambda n: (shares[n], -exact[n] + shares[n], n))
                shares[donor] -= 1
                shares[name] = 1
    return {name: shares.get(name, 0) for name in sizes}


def select_cases(
    candidates: Sequence[Candidate],
    *,
    seed: int,
    sample_size: int,
    balance_by: str | None = None,
    quotas: Mapping[str, int] | None = None,
    allow_fewer: bool = False,
) -> Selection:
    """Pick `sample_size` cases: by quotas, proportionally to strata, or simply by rank."""
    balanced = balance_by is not None or quotas is not None
    strata: dict[str, list[tuple[bytes, str, Candidate]]] = {}
    for entry in _ranked(seed, candidates):
        strata.setdefault(entry[2].stratum if balanced else ALL, []).append(entry)
    sizes = {name: len(members) for name, members in strata.items()}
    if quotas is not None:
        wanted = {name: quotas.get(name, 0) for name in sorted({*sizes, *quotas})}
    elif balanced:
        wanted = allocate(sizes, sample_size)
    else:
        wanted = {ALL: sample_size}
    short = {name: (n, sizes.get(name, 0)) for name, n in wanted.items() if n > sizes.get(name, 0)}
    if short and not allow_fewer:
        detail = "; ".join(
            f"{name}: {have} eligible, {n} wanted" for name, (n, have) in sorted(short.items())
        )
        raise InputError(
            f"not enough eligible cases ({detail}): widen the criteria, lower the sample, "
            "or pass --allow-fewer to proceed with what there is"
        )
    if balanced and quotas is None and sum(sizes.values()) < sample_size:
        if not allow_fewer:
            raise InputError(
                f"not enough eligible cases: {sum(sizes.values())} eligible, {sample_size} "
                "wanted: widen the criteria, lower the sample, or pass --allow-fewer"
            )
        wanted = {name: sizes[name] for name in sizes}
    picks: list[Pick] = []
    reports: list[StratumReport] = []
    for name in sorted(wanted):
        chosen = heapq.nsmallest(wanted[name], strata.get(name, []))
        picks += [Pick(c.case_id, c.case_ref, name, rank.hex()) for rank, _ref, c in chosen]
        reports.append(StratumReport(name, sizes.get(name, 0), wanted[name], len(chosen)))
    return Selection(picks=picks, strata=reports, balanced_by=balance_by)


def next_in_rank(
    candidates: Sequence[Candidate], *, seed: int, stratum: str, exclude: set[int]
) -> Pick | None:
    """The best-ranked eligible case of a stratum that the round does not hold yet."""
    ranked = [
        (rank_of(seed, c.case_ref), c.case_ref, c)
        for c in candidates
        if c.case_id not in exclude and (c.stratum == stratum or stratum == ALL)
    ]
    if not ranked:
        return None
    rank, _ref, best = min(ranked)
    return Pick(best.case_id, best.case_ref, stratum, rank)
