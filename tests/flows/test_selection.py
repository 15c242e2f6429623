from __future__ import annotations

import hashlib
import random
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flows.rounds.selection import Candidate, allocate, next_in_rank, rank_of, select_cases
from models.errors import InputError

CATEGORIES = ("CP", "CIN", "EH", "LAC")


def candidates_from(categories: list[str]) -> list[Candidate]:
    return [
        Candidate(case_id=n, case_ref=f"C-{n:05d}", stratum=category)
        for n, category in enumerate(categories, start=1)
    ]


registers = st.lists(st.sampled_from(CATEGORIES), min_size=1, max_size=120).map(candidates_from)


def test_the_rank_is_sha256_of_the_seed_and_the_case_ref() -> None:
    assert rank_of(2026, "NB-000001") == hashlib.sha256(b"2026:NB-000001").hexdigest()


@given(registers, st.integers(0, 2**63 - 1), st.integers(1, 40), st.randoms())
@settings(max_examples=150, deadline=None)
def test_selection_is_reproducible_whatever_the_input_order(
    register: list[Candidate], seed: int, sample: int, shuffler: random.Random
) -> None:
    sample = min(sample, len(register))
    first = select_cases(register, seed=seed, sample_size=sample, balance_by="category")
    shuffled = list(register)
    shuffler.shuffle(shuffled)
    again = select_cases(shuffled, seed=seed, sample_size=sample, balance_by="category")
    assert first == again


@given(registers, st.integers(0, 2**32), st.integers(1, 40))
@settings(max_examples=150, deadline=None)
def test_picks_are_eligible_distinct_and_strata_are_proportional(
    register: list[Candidate], seed: int, sample: int
) -> None:
    sample = min(sample, len(register))
    selection = select_cases(register, seed=seed, sample_size=sample, balance_by="category")
    ids = [p.case_id for p in selection.picks]
    assert len(ids) == len(set(ids)) == sample
    assert set(ids) <= {c.case_id for c in register}
    sizes = Counter(c.stratum for c in register)
    picked = Counter(p.stratum for p in selection.picks)
    for stratum, size in sizes.items():
        assert picked[stratum] <= size
        if sample >= len(sizes):
            assert picked[stratum] >= 1
        # Largest remainder keeps every stratum within one of its exact share, except where
        # the at-least-one rule moved a case.
        exact = sample * size / len(register)
        assert abs(picked[stratum] - exact) < 1 + len(sizes)


@given(st.integers(0, 2**32), st.integers(0, 6), st.integers(0, 6), st.integers(0, 6))
@settings(max_examples=100, deadline=None)
def test_quotas_are_honoured_exactly(seed: int, cp: int, cin: int, eh: int) -> None:
    register = candidates_from(["CP"] * 6 + ["CIN"] * 8 + ["EH"] * 7 + ["LAC"] * 3)
    quotas = {"CP": cp, "CIN": cin, "EH": eh}
    if cp + cin + eh == 0:
        return
    selection = select_cases(
        register, seed=seed, sample_size=cp + cin + eh, balance_by="category", quotas=quotas
    )
    assert Counter(p.stratum for p in selection.picks) == +Counter(quotas)
    assert all(p.stratum != "LAC" for p in selection.picks)


def test_largest_remainder_allocation_on_a_hand_computed_example() -> None:
    # exact shares 9, 5.4, 3.6 -> floors 9, 5, 3; the one left goes to the largest remainder
    assert allocate({"CP": 50, "CIN": 30, "EH": 20}, 18) == {"CP": 9, "CIN": 5, "EH": 4}
    # a stratum too small for a whole share still gets one case when the sample allows
    assert allocate({"CP": 97, "CIN": 2, "EH": 1}, 10) == {"CP": 8, "CIN": 1, "EH": 1}
    assert allocate({"CP": 97, "CIN": 2, "EH": 1}, 2) == {"CP": 2, "CIN": 0, "EH": 0}


def test_asking_for_more_than_is_eligible_is_a_clear_error_unless_fewer_are_allowed() -> None:
    register = candidates_from(["CP"] * 3 + ["CIN"] * 10)
    with pytest.raises(InputError, match=r"CP: 3 eligible, 4 wanted.*--allow-fewer"):
        select_cases(
            register, seed=1, sample_size=8, balance_by="category", quotas={"CP": 4, "CIN": 4}
        )
    selection = select_cases(
        register,
        seed=1,
        sample_size=8,
        balance_by="category",
        quotas={"CP": 4, "CIN": 4},
        allow_fewer=True,
    )
    assert len(selection.picks) == 7 and selection.shortfall == 1
    with pytest.raises(InputError, match="13 eligible, 20 wanted"):
        select_cases(register, seed=1, sample_size=20)
    assert len(select_cases(register, seed=1, sample_size=20, allow_fewer=True).picks) == 13


def test_a_different_seed_picks_a_different_sample() -> None:
    register = candidates_from(["CP"] * 200)
    first = {p.case_id for p in select_cases(register, seed=1, sample_size=10).picks}
    second = {p.case_id for p in select_cases(register, seed=2, sample_size=10).picks}
    assert first != second


def test_the_replacement_is_the_next_case_in_rank_of_the_same_stratum() -> None:
    register = candidates_from(["CP"] * 10 + ["CIN"] * 10)
    selection = select_cases(register, seed=7, sample_size=4, balance_by="category")
    held = {p.case_id for p in selection.picks}
    replacement = next_in_rank(register, seed=7, stratum="CP", exclude=held)
    assert replacement is not None and replacement.case_id not in held
    remaining_cp = [c for c in register if c.stratum == "CP" and c.case_id not in held]
    assert replacement.rank == min(rank_of(7, c.case_ref) for c in remaining_cp)


@given(
    st.integers(2_000, 6_000),
    st.integers(0, 2**63 - 1),
    st.integers(1, 400),
    st.sampled_from(["category", None]),
)
@settings(max_examples=25, deadline=None)
def test_each_stratum_picks_its_best_ranked_cases_in_a_large_register(
    size: int, seed: int, sample: int, balance_by: str | None
) -> None:
    # Large enough that only the cases under a rank cut-off are compared: the picks must be
    # exactly what ranking every case would give.
    shuffler = random.Random(seed)
    register = candidates_from([shuffler.choice(CATEGORIES[:3]) for _ in range(size)])
    register.append(Candidate(size + 1, "C-RARE", "LAC"))
    selection = select_cases(register, seed=seed, sample_size=sample, balance_by=balance_by)
    for report in selection.strata:
        members = [c for c in register if balance_by is None or c.stratum == report.stratum]
        best = sorted(members, key=lambda c: rank_of(seed, c.case_ref))[: report.picked]
        picked = [p for p in selection.picks if p.stratum == report.stratum]
        assert sorted(p.case_ref for p in picked) == sorted(c.case_ref for c in best)
        assert all(p.rank == rank_of(seed, p.case_ref) for p in picked)


def test_quotas_far_above_the_proportional_share_still_pick_the_best_ranked() -> None:
    register = candidates_from(["CP"] * 3_000 + ["CIN"] * 50)
    selection = select_cases(register, seed=7, sample_size=0, quotas={"CP": 2, "CIN": 50})
    cin = [c for c in register if c.stratum == "CIN"]
    assert {p.case_ref for p in selection.picks if p.stratum == "CIN"} == {c.case_ref for c in cin}
    best_cp = sorted((rank_of(7, c.case_ref), c.case_ref) for c in register if c.stratum == "CP")
    assert [p.case_ref for p in selection.picks if p.stratum == "CP"] == [
        ref for _rank, ref in best_cp[:2]
    ]


def test_a_cut_off_that_keeps_too_few_falls_back_to_ranking_every_case(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    register = candidates_from([CATEGORIES[n % 3] for n in range(3_000)])
    expected = select_cases(register, seed=5, sample_size=300, balance_by="category")
    monkeypatch.setattr("flows.rounds.selection._cut_off", lambda wanted, sizes: b"\x00\x01")
    assert select_cases(register, seed=5, sample_size=300, balance_by="category") == expected
