"""Launch parameters: one Pydantic model for the Prefect UI form, the CLI and re-audits."""

from __future__ import annotations

from datetime import date
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from models.case_query import CaseFilter
from models.errors import InputError

Attribute = Literal["category", "age_band", "gender", "ethnicity"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SelectionCriteria(_Strict):
    """Which register cases may be selected; values within a field are alternatives."""

    flags: list[str] = Field(default_factory=list, description="Any of these flags")
    categories: list[str] = Field(default_factory=list, description="EH, CIN, CP, LAC...")
    age_bands: list[str] = Field(default_factory=list)
    genders: list[str] = Field(default_factory=list)
    ethnicities: list[str] = Field(default_factory=list)
    referral_from: date | None = None
    referral_to: date | None = None
    min_agencies_involved: int = Field(
        default=0, ge=0, description="At least this many participating agencies known involved"
    )
    exclude_audited_within_months: int = Field(
        default=0, ge=0, description="Skip cases in a round launched in the last N months"
    )

    @classmethod
    def from_filter(cls, where: CaseFilter, **extra: object) -> SelectionCriteria:
        """Criteria from `--where` conditions, plus the launch-only ones."""
        return cls.model_validate(
            {
                "flags": list(where.flags),
                "categories": list(where.categories),
                "age_bands": list(where.age_bands),
                "genders": list(where.genders),
                "ethnicities": list(where.ethnicities),
                **extra,
            }
        )


class ChaseOverrides(_Strict):
    """Per-round changes to the partnership's chase policy (working days)."""

    reminder_days_before_due: int | None = Field(default=None, ge=0)
    overdue_repeat_every: int | None = Field(default=None, ge=1)
    escalate_after_days_overdue: int | None = Field(default=None, ge=1)
    reconcile_grace_days: int | None = Field(default=None, ge=0)


class LaunchParameters(_Strict):
    """Everything that defines a round; frozen with the round so a re-audit can repeat it."""

    title: str = Field(min_length=3, max_length=200)
    tool: str = Field(description="Audit tool name, e.g. domestic-abuse")
    tool_version: str | None = Field(default=None, description="Pin a stored tool version")
    agencies: list[str] = Field(min_length=1, description="Participating agency codes")
    criteria: SelectionCriteria = Field(default_factory=SelectionCriteria)
    sample_size: int = Field(ge=1, le=10_000)
    stratify_by: Attribute | None = None
    quota_by: Attribute | None = None
    quotas: dict[str, int] = Field(default_factory=dict)
    seed: int | None = Field(default=None, ge=0, lt=2**63)
    due_date: date
    chase: ChaseOverrides = Field(default_factory=ChaseOverrides)
    allow_fewer: bool = False
    idempotency_key: str | None = Field(default=None, max_length=200)
    baseline_round_id: int | None = None
    same_cases_as_round: int | None = Field(
        default=None, description="Re-audit exactly the cases of this earlier round"
    )
    named_cases: bool = Field(
        default=False,
        description="Inspection mode: the cases were named (a list of references), not sampled",
    )

    @model_validator(mode="after")
    def _one_way_to_balance(self) -> Self:
        if self.stratify_by and self.quotas:
            raise ValueError("use either stratify_by or quotas, not both")
        if self.quotas:
            if self.quota_by is None:
                raise ValueError("quotas need quota_by (the attribute they count)")
            if any(n < 0 for n in self.quotas.values()):
                raise ValueError("quotas must not be negative")
            if sum(self.quotas.values()) != self.sample_size:
                raise ValueError(
                    f"quotas add up to {sum(self.quotas.values())}, "
                    f"but the sample size is {self.sample_size}"
                )
        if len(set(self.agencies)) != len(self.agencies):
            raise ValueError("an agency is listed twice")
        return self

    def balancing(self) -> tuple[Attribute | None, dict[str, int] | None]:
        """The attribute the sample is balanced on, and explicit quotas if any."""
        if self.quotas:
            return self.quota_by, dict(self.quotas)
        return self.stratify_by, None


def parse_quota(text: str) -> tuple[str, dict[str, int]]:
    """`category=CP:4,CIN:8,EH:6` -> ("category", {"CP": 4, "CIN": 8, "EH": 6})."""
    attribute, sep, spec = text.partition("=")
    quotas: dict[str, int] = {}
    if not sep:
        raise InputError(f"--quota {text!r}: expected ATTRIBUTE=VALUE:N,VALUE:N")
    for part in spec.split(","):
        value, colon, number = part.partition(":")
        if not colon or not number.strip().isdigit() or not value.strip():
            raise InputError(f"--quota {text!r}: {part!r} should look like CP:4")
        quotas[value.strip()] = int(number)
    return attribute.strip(), quotas
