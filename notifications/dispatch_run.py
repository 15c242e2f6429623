"""What one dispatch run keeps across its batches, and sending a batch in lanes.

A channel that can look a message up (Notify) may send a large batch in up to
`channel.concurrency` lanes at once: each lane a thread with its own database connection,
taking the next message in queue order. Exactly-once still holds (a message whose lane died
is looked up by reference), and the rate limit too (the permits were taken at claim). A small
batch (an urgent send, retries) goes one message at a time in queue order, so that a crash
leaves at most the one message in flight.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from typing import TypeVar

from sqlalchemy import Connection, Engine

from models.settings import Settings
from notifications.channels import MessageChannel, open_channel
from notifications.render_batch import BatchRenderer

T = TypeVar("T")
R = TypeVar("R")
LANE_MIN_MESSAGES = 8
"""A batch is split into lanes, and its outcomes grouped, only from this many messages a lane."""
RECORD_GROUP = 32
"""Outcomes a lane of a large batch records in one statement: SMTP's at-least-once window."""


@dataclass
class DispatchReport:
    """What one dispatch did, in counts (never recipients or content)."""

    claimed: int = 0
    sent: int = 0
    found_sent: int = 0
    retrying: int = 0
    failed: int = 0
    rate_limited: int = 0

    def as_dict(self) -> dict[str, int]:
        """The counts as a plain dict (for Prefect and `--json`)."""
        return asdict(self)


@dataclass
class Run:
    """A dispatch run: its renderings, its open channels and its counts (lanes share them)."""

    engine: Engine
    settings: Settings
    claimer: str
    report: DispatchReport
    renderer: BatchRenderer
    channels: dict[str, MessageChannel] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self, name: str, added: int = 1) -> None:
        """Add to the report's counter `name`."""
        with self.lock:
            setattr(self.report, name, getattr(self.report, name) + added)

    def channel(self, name: str) -> MessageChannel:
        """The run's channel called `name` (one SMTP connection, one HTTP client), opened once."""
        if name not in self.channels:
            self.channels[name] = open_channel(name, self.settings)
        return self.channels[name]

    def drop(self, name: str) -> None:
        """Close a channel that turned out to be misconfigured."""
        channel = self.channels.pop(name, None)
        if channel is not None:
            channel.close()

    def close(self) -> None:
        """Close every open channel."""
        while self.channels:
            self.channels.popitem()[1].close()


def lanes_for(count: int, concurrency: int) -> int:
    """How many lanes a batch of `count` messages takes (1: one by one, in order)."""
    return max(1, min(concurrency, count // LANE_MIN_MESSAGES))


def group_for(count: int) -> int:
    """How many outcomes a batch of `count` records at a time (1: each at once)."""
    return RECORD_GROUP if count >= LANE_MIN_MESSAGES else 1


def in_lanes(
    *,
    engine: Engine,
    items: Sequence[T],
    lanes: int,
    work: Callable[[T], R | None],
    record: Callable[[list[R], Connection], None],
    group: int = 1,
) -> None:
    """`work` each item in order in `lanes` threads; each lane `record`s its outcomes by `group`."""
    pending = iter(items)
    taking, stop = threading.Lock(), threading.Event()

    def lane() -> None:
        with engine.connect() as connection:
            done: list[R] = []
            try:
                while not stop.is_set():
                    with taking:
                        item = next(pending, None)
                    if item is None:
                        return
                    outcome = work(item)
                    if outcome is not None:
                        done.append(outcome)
                    if len(done) >= group:
                        record(done, connection)
                        done = []
            except BaseException:
                stop.set()  # the other lanes finish the message they hold, then stop
                raise
            finally:
                if done:  # what was sent is recorded, whatever stopped the lane
                    record(done, connection)

    if lanes <= 1:
        lane()
        return
    with ThreadPoolExecutor(max_workers=lanes, thread_name_prefix="dispatch-lane") as pool:
        futures = [pool.submit(lane) for _ in range(lanes)]
    for future in futures:
        future.result()  # re-raises a lane's ConfigurationError or bug
