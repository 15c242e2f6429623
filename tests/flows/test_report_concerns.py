"""The board report says of immediate concerns only what their recorded states say."""

from __future__ import annotations

import pytest

from flows.report.highlights import highlights
from flows.report.words import concerns_sentence


def counts(**states: int) -> dict[str, int]:
    return {
        "raised": 0,
        "acknowledged": 0,
        "referred": 0,
        "not_referred": 0,
        **states,
        "total": sum(states.values()),
    }


@pytest.mark.parametrize(
    ("state", "words"),
    [
        ("raised", "1 raised, not yet acknowledged"),
        ("acknowledged", "1 acknowledged, no decision on a referral yet"),
        ("referred", "1 referred to children's social care"),
        ("not_referred", "1 looked at, no referral needed"),
    ],
)
def test_each_recorded_state_is_reported_in_its_own_words(state: str, words: str) -> None:
    sentence = concerns_sentence(counts(**{state: 1}))
    assert sentence is not None and f"({words})." in sentence
    assert "1 immediate concern for a child was raised" in sentence
    assert "acted on" not in sentence  # nothing claims more than the state says


def test_a_round_with_concerns_in_several_states_counts_each_and_none_says_nothing() -> None:
    sentence = concerns_sentence(counts(raised=1, referred=2))
    assert sentence is not None
    assert "3 immediate concerns for a child were raised" in sentence
    assert "(1 raised, not yet acknowledged; 2 referred to children's social care)" in sentence
    assert concerns_sentence(counts()) is None


def test_the_highlights_use_the_same_words_as_the_findings_section() -> None:
    given = counts(raised=1)
    assert highlights([], [], given) == [str(concerns_sentence(given)).removesuffix(".")]
