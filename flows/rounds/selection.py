"""Case selection: a pure, reproducible function of the eligible cases, the seed and the plan.

Every case is ranked by SHA-256(seed ‖ ":" ‖ case_ref); the lowest hashes in each stratum are
picked. Nothing depends on Python's `random`, dict order or the machine, so a re-run with
the same seed and register picks the same cases anywhere.
"""

from __future__ import annotations

import hashlib
import heapq
import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import NamedTuple

from models.errors import InputError

UNKNOWN = "unknown"
ALL = "all"


# An eligible case: (case_id, case_ref, stratum), the stratum being the balancing attribute's
# value. Plain tuples, as the register's query returns them: 100,000 of them are ranked.
CandidateRow = tuple[int, str, str]


class Candidate(NamedTuple):
    """An eligible case, named: its id, reference and stratum."""

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


def _ranked_strata(
    seed: int, candidates: Sequence[CandidateRow], *, balanced: bool, below: bytes | None
) -> dict[str, list[tuple[bytes, CandidateRow]]]:
    """(rank digest, candidate) pairs by stratum, keeping only digests below `below` (all when
    None). Digests sort as rank_of's hex digests do, and distinct refs never tie."""
    prefix = hashlib.sha256(f"{seed}:".encode())
    strata: dict[str, list[tuple[bytes, CandidateRow]]] = {}
    for candidate in candidates:
        digest = prefix.copy()
        digest.update(candidate[1].encode())
        rank = digest.digest()
        if below is None or rank < below:
            strata.setdefault(candidate[2] if balanced else ALL, []).append((rank, candidate))
    return strata


def _cut_off(wanted: Mapping[str, int], sizes: Mapping[str, int]) -> bytes | None:
    """A rank below which each stratum almost surely holds the cases it needs (with a margin of
    four standard deviations and ten), so only those few are kept and compared; None when that
    would keep most of them anyway."""
    share = max(
        (
            (n + 4 * math.sqrt(n) + 10) / sizes[name]
            for name, n in wanted.items()
            if sizes.get(name)
        ),
        default=1.0,
    )
    return None if share >= 0.5 else int(share * 2**64).to_bytes(8, "big")


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
    candidates: Sequence[CandidateRow],
    *,
    seed: int,
    sample_size: int,
    balance_by: str | None = None,
    quotas: Mapping[str, int] | None = None,
    allow_fewer: bool = False,
) -> Selection:
    """Pick `sample_size` cases: by quotas, proportionally to strata, or simply by rank."""
    balanced = balance_by is not None or quotas is not None
    sizes = dict(Counter(map(itemgetter(2), candidates))) if balanced else {}
    if not balanced and candidates:
        sizes[ALL] = len(candidates)
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
    strata = _ranked_strata(seed, candidates, balanced=balanced, below=_cut_off(wanted, sizes))
    if any(len(strata.get(name, ())) < min(n, sizes.get(name, 0)) for name, n in wanted.items()):
        strata = _ranked_strata(seed, candidates, balanced=balanced, below=None)
    picks: list[Pick] = []
    reports: list[StratumReport] = []
    for name in sorted(wanted):
        chosen = heapq.nsmallest(wanted[name], strata.get(name, []))
        picks += [Pick(case_id, ref, name, rank.hex()) for rank, (case_id, ref, _) in chosen]
        reports.append(StratumReport(name, sizes.get(name, 0), wanted[name], len(chosen)))
    return Selection(picks=picks, strata=reports, balanced_by=balance_by)


def next_in_rank(
    candidates: Sequence[CandidateRow], *, seed: int, stratum: str, exclude: set[int]
) -> Pick | None:
    """The best-ranked eligible case of a stratum that the round does not hold yet."""
    ranked = [
        (rank_of(seed, case_ref), case_id, case_ref)
        for case_id, case_ref, its_stratum in candidates
        if case_id not in exclude and (its_stratum == stratum or stratum == ALL)
    ]
    if not ranked:
        return None
    rank, case_id, case_ref = min(ranked)
    return Pick(case_id, case_ref, stratum, rank)
