from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session

from notifications.rate_limit import acquire_permits, used_in_window
from tests.builders import NOW


def _acquire(session: Session, wanted: int, seconds: float, limit: int = 100) -> int:
    granted = acquire_permits(
        session=session,
        name="notify",
        wanted=wanted,
        limit_per_minute=limit,
        now=NOW + timedelta(seconds=seconds),
    )
    session.commit()
    return granted


def test_the_limiter_grants_up_to_the_limit_within_a_rolling_minute(session: Session) -> None:
    assert _acquire(session, 60, 0) == 60
    assert _acquire(session, 60, 10) == 40
    assert _acquire(session, 5, 59.9) == 0
    assert used_in_window(session=session, name="notify", now=NOW + timedelta(seconds=30)) == 100


def test_permits_come_back_only_once_a_whole_minute_has_passed(session: Session) -> None:
    assert _acquire(session, 100, 0.5) == 100
    assert _acquire(session, 1, 60.4) == 0  # only 59.9 s later: still in the window
    assert _acquire(session, 1, 61.0) == 1
    assert _acquire(session, 200, 100) == 99  # the first grants have left; one is still in


def test_the_window_never_lets_more_than_the_limit_through_in_any_60_seconds(
    session: Session,
) -> None:
    grants: list[tuple[float, int]] = []
    for step in range(0, 400):
        seconds = step * 0.7
        grants.append((seconds, _acquire(session, 3, seconds, limit=50)))
    for start, _ in grants:
        in_window = sum(n for t, n in grants if start <= t < start + 60)
        assert in_window <= 50
    assert sum(n for _, n in grants) > 50 * 4  # and it does keep granting


def test_limiters_with_different_names_do_not_share_permits(session: Session) -> None:
    assert acquire_permits(session=session, name="a", wanted=5, limit_per_minute=5, now=NOW) == 5
    assert acquire_permits(session=session, name="b", wanted=5, limit_per_minute=5, now=NOW) == 5
