"""Benchmarks run by `make bench`; each reports a ratio against a baseline timed in the same run.

A bench module's `run()` returns `Result`s; `python -m bench` prints them as one table and
writes them to var/bench.json.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal


@dataclass(frozen=True)
class Goal:
    """What a ratio must reach: at least (`>=`) or at most (`<=`) `value`."""

    op: Literal[">=", "<="]
    value: float

    def met(self, ratio: float) -> bool:
        """Whether `ratio` reaches the goal."""
        return ratio >= self.value if self.op == ">=" else ratio <= self.value

    def __str__(self) -> str:
        return f"{'≥' if self.op == '>=' else '≤'} {self.value:.2f}"


@dataclass(frozen=True)
class Result:
    """One benchmark's figure against its baseline, short enough for one table row."""

    name: str
    """The row's label, e.g. "dispatch 10,000, SMTP"."""
    database: str
    figure: str
    """Ours, short ("812 msg/s")."""
    baseline: str
    """The baseline's figure, short ("1,004 msg/s")."""
    ratio: float
    goal: Goal | None = None
    also: tuple[str, bool] | None = None
    """A second condition of the goal, as its label and whether it holds ("p95 ≤ 100 ms")."""
    detail: str = ""
    """What was measured, in a sentence (JSON and stderr only)."""
    figures: dict[str, Any] = field(default_factory=dict)
    """The raw numbers (seconds, rates) for the JSON."""

    @property
    def met(self) -> bool | None:
        """Whether every condition of the goal holds; None without a goal."""
        if self.goal is None:
            return None
        return self.goal.met(self.ratio) and (self.also is None or self.also[1])

    @property
    def goal_text(self) -> str:
        """The goal as the table shows it."""
        if self.goal is None:
            return "-"
        return str(self.goal) + (f", {self.also[0]}" if self.also else "")

    def as_json(self) -> dict[str, Any]:
        """The result as plain JSON values."""
        data = asdict(self)
        data.update(goal=self.goal_text if self.goal else None, met=self.met)
        data["also"] = list(self.also) if self.also else None
        return data
