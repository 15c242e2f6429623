"""Sending a batch in lanes: large batches spread over threads, small ones stay in order."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import Connection, Engine

from notifications.dispatch_run import (
    LANE_MIN_MESSAGES,
    RECORD_GROUP,
    group_for,
    in_lanes,
    lanes_for,
)


def test_a_batch_takes_as_many_lanes_as_it_can_fill_up_to_the_concurrency() -> None:
    assert lanes_for(LANE_MIN_MESSAGES - 1, 4) == 1
    assert lanes_for(2 * LANE_MIN_MESSAGES, 4) == 2
    assert lanes_for(100, 4) == 4
    assert lanes_for(100, 1) == 1
    assert (group_for(LANE_MIN_MESSAGES - 1), group_for(100)) == (1, RECORD_GROUP)


def test_lanes_take_every_item_once_and_record_on_their_own_connections(engine: Engine) -> None:
    started = threading.Barrier(4, timeout=10)  # all four lanes hold an item at once
    recorded: list[tuple[list[tuple[int, int]], int]] = []
    lock = threading.Lock()

    def work(item: int) -> tuple[int, int] | None:
        if item < 4:
            started.wait()
        return None if item % 10 == 9 else (item, threading.get_ident())

    def record(outcomes: list[tuple[int, int]], connection: Connection) -> None:
        with lock:
            recorded.append((list(outcomes), id(connection)))

    in_lanes(engine=engine, items=list(range(100)), lanes=4, work=work, record=record, group=8)
    outcomes = [outcome for group, _ in recorded for outcome in group]
    assert sorted(item for item, _ in outcomes) == [n for n in range(100) if n % 10 != 9]
    assert len({thread for _, thread in outcomes}) == 4
    assert len({connection for _, connection in recorded}) == 4
    assert all(len(group) <= 8 for group, _ in recorded)
    # Each group is one lane's: recorded by the thread that sent it.
    assert all(len({thread for _, thread in group}) == 1 for group, _ in recorded)


def test_one_lane_keeps_queue_order_in_this_thread_and_records_each_outcome_at_once(
    engine: Engine,
) -> None:
    events: list[str] = []
    in_lanes(
        engine=engine,
        items=list(range(3)),
        lanes=1,
        work=lambda item: events.append(f"send {item}") or (item, threading.get_ident()),
        record=lambda outcomes, _: events.extend(f"record {n}" for n, _ in outcomes),
    )
    assert events == ["send 0", "record 0", "send 1", "record 1", "send 2", "record 2"]


def test_a_lane_that_fails_stops_the_others_but_records_what_was_sent_first(
    engine: Engine,
) -> None:
    recorded: list[int] = []
    lock = threading.Lock()

    def work(item: int) -> int:
        if item == 40:
            raise RuntimeError("lane failed")
        return item

    def record(outcomes: list[int], _: Connection) -> None:
        with lock:
            recorded.extend(outcomes)

    with pytest.raises(RuntimeError, match="lane failed"):
        in_lanes(
            engine=engine, items=list(range(1000)), lanes=2, work=work, record=record, group=32
        )
    assert 40 not in recorded and set(range(40)) <= set(recorded)
    assert len(recorded) < 999
