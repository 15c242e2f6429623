"""The programme file (YAML): validated with located errors, all or nothing."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from models.calendar import WorkingDayCalendar
from models.errors import ImportFileError, NotFoundError, Problem
from models.questionnaire.catalog import find_entry
from models.round_parameters import Attribute, SelectionCriteria
from models.yaml_source import YamlDocument, load_yaml


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PlannedRoundEntry(_Strict):
    """One planned round, or a re-audit of an earlier one with the same parameters."""

    key: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,59}$")
    launch: date
    response_working_days: int = Field(default=15, ge=5, le=60)
    reaudit_of: str | None = None
    theme: str | None = None
    title: str | None = None
    tool: str | None = None
    agencies: list[str] = Field(default_factory=list)
    sample: int | None = Field(default=None, ge=1, le=1000)
    where: SelectionCriteria = Field(default_factory=SelectionCriteria)
    stratify_by: Attribute | None = None
    quota_by: Attribute | None = None
    quotas: dict[str, int] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _complete(self) -> Self:
        if self.reaudit_of is None:
            missing = [n for n in ("theme", "tool", "sample") if getattr(self, n) is None]
            if not self.agencies:
                missing.append("agencies")
            if missing:
                raise ValueError(
                    f"a planned round needs {', '.join(missing)} "
                    "(or reaudit_of: KEY to repeat an earlier round)"
                )
        return self


class ProgrammeFile(_Strict):
    """A programme year (April to March unless `start_month` says otherwise) and its rounds."""

    year: int = Field(ge=2000, le=2100)
    start_month: int = Field(default=4, ge=1, le=12)
    rounds: list[PlannedRoundEntry] = Field(min_length=1)

    def window(self) -> tuple[date, date]:
        """The first and last day of the programme year."""
        start = date(self.year, self.start_month, 1)
        return start, date(self.year + 1, self.start_month, 1) - timedelta(days=1)


def _theme(plan: ProgrammeFile, entry: PlannedRoundEntry) -> str:
    seen = {e.key: e for e in plan.rounds}
    while entry.reaudit_of is not None and entry.reaudit_of in seen:
        entry = seen[entry.reaudit_of]
    return entry.theme or ""


def _problems(
    document: YamlDocument, plan: ProgrammeFile, calendar: WorkingDayCalendar
) -> list[Problem]:
    problems: list[Problem] = []
    first, last = plan.window()
    keys: dict[str, int] = {}
    windows: list[tuple[str, date, date, int]] = []
    for i, entry in enumerate(plan.rounds):
        path: tuple[str | int, ...] = ("rounds", i)
        if entry.key in keys:
            problems.append(document.problem((*path, "key"), f"duplicate key {entry.key!r}"))
        keys.setdefault(entry.key, i)
        if not first <= entry.launch <= last:
            problems.append(
                document.problem(
                    (*path, "launch"),
                    f"{entry.launch} is outside the programme year {first} to {last}",
                )
            )
        reason = calendar.why_not_working(entry.launch)
        if reason:
            problems.append(document.problem((*path, "launch"), reason))
        if entry.reaudit_of is not None and entry.reaudit_of not in keys:
            problems.append(
                document.problem(
                    (*path, "reaudit_of"),
                    f"no earlier round {entry.reaudit_of!r} in this programme",
                )
            )
        if entry.tool is not None:
            try:
                find_entry(entry.tool)
            except NotFoundError as error:
                problems.append(document.problem((*path, "tool"), str(error)))
        due = calendar.add_working_days(entry.launch, entry.response_working_days)
        theme = _theme(plan, entry)
        for other_key, other_start, other_due, other_index in windows:
            other_theme = _theme(plan, plan.rounds[other_index])
            if other_theme == theme and entry.launch <= other_due and other_start <= due:
                problems.append(
                    document.problem(
                        (*path, "launch"),
                        f"its response window ({entry.launch} to {due}) overlaps "
                        f"{other_key!r} of the same theme ({theme})",
                    )
                )
        windows.append((entry.key, entry.launch, due, i))
    return problems


def read_programme(path: Path, *, calendar: WorkingDayCalendar) -> ProgrammeFile:
    """Parse and check a programme file, or raise every located problem."""
    document = load_yaml(path)
    plan = document.validate(ProgrammeFile)
    problems = _problems(document, plan, calendar)
    if problems:
        raise ImportFileError(document.source, problems)
    return plan
