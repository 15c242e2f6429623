from __future__ import annotations

from datetime import UTC, datetime

import pytest

from models.errors import InputError
from models.types import parse_now


def test_a_naive_moment_is_read_as_utc_and_an_aware_one_keeps_its_instant() -> None:
    naive = parse_now("2026-12-20T09:00")
    aware = parse_now("2026-12-20T09:00+00:00")
    summer = parse_now("2026-07-01T10:00+01:00")
    assert naive == aware == datetime(2026, 12, 20, 9, 0, tzinfo=UTC)
    assert naive.tzinfo is UTC and aware.tzinfo is UTC
    assert summer == datetime(2026, 7, 1, 9, 0, tzinfo=UTC)


def test_no_moment_means_the_current_time_and_a_bad_one_names_the_field() -> None:
    before = datetime.now(UTC)
    assert before <= parse_now(None) <= datetime.now(UTC)
    with pytest.raises(InputError, match="--now 'next tuesday': expected an ISO 8601"):
        parse_now("next tuesday", field="--now")
