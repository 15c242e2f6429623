"""Reading the launch form into launch parameters, each problem on the field it belongs to."""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from pydantic import ValidationError

from agencies.portal.forms import read_date
from flows.rounds.launch import check_due_date, check_grace
from flows.rounds.launch_options import ATTRIBUTES, LaunchOptions
from flows.rounds.named import numbered_refs
from flows.rounds.selection import UNKNOWN
from models.calendar import WorkingDayCalendar
from models.errors import InputError
from models.round_parameters import ChaseOverrides, LaunchParameters, SelectionCriteria
from models.settings import Settings

FormData = Mapping[str, Sequence[str]]
ATTRIBUTE_LABELS = {
    "category": "Category",
    "age_band": "Age band",
    "gender": "Gender",
    "ethnicity": "Ethnicity",
}
CHASE_FIELDS = (
    ("reminder_days_before_due", "Send the reminder this many working days before the due date"),
    ("overdue_repeat_every", "Repeat the overdue notice every this many working days"),
    ("escalate_after_days_overdue", "Escalate after this many working days overdue"),
    ("reconcile_grace_days", "Wait this many working days after the due date to reconcile"),
)
DATE_FIELDS = ("due", "referral_from", "referral_to")
CATEGORY_LABELS = {
    "EH": "Early help",
    "CIN": "Child in need",
    "CP": "Child protection",
    "LAC": "Looked after child",
    "CLA": "Child looked after",
}


def labelled(options: LaunchOptions) -> dict[str, list[tuple[str, str]]]:
    """The register's flags, categories and age bands as checkbox items, with their cases."""

    def cases(n: int) -> str:
        return f"{n} case" if n == 1 else f"{n} cases"

    return {
        "flags": [
            (f, f"{f.replace('_', ' ').capitalize()} ({cases(n)})") for f, n in options.flags
        ],
        "categories": [
            (
                v,
                f"{CATEGORY_LABELS[v]} ({v}, {cases(n)})"
                if v in CATEGORY_LABELS
                else f"{v} ({cases(n)})",
            )
            for v, n in options.values["category"]
            if v != UNKNOWN  # a criterion matches recorded values only
        ],
        "age_bands": [
            (v, f"{v} ({cases(n)})") for v, n in options.values["age_band"] if v != UNKNOWN
        ],
    }


def first(form: FormData, name: str) -> str:
    """The first value sent for a field, trimmed ("" when absent)."""
    values = form.get(name) or []
    return str(values[0]).strip() if values else ""


def mint() -> tuple[str, str]:
    """A fresh seed and idempotency key for a new launch form."""
    return str(secrets.randbelow(10**9)), f"portal:{secrets.token_urlsafe(18)}"


def target(name: str) -> str:
    """The id an error summary links to for a field."""
    return f"{name}-day" if name in DATE_FIELDS else name


@dataclass
class LaunchForm:
    """A read launch form: the parameters when valid, else each field's problem."""

    named: bool
    seed: int
    key: str
    case_list: str = ""
    params: LaunchParameters | None = None
    errors: dict[str, str] = field(default_factory=dict)

    def fail(self, name: str, message: str) -> None:
        """Record a field's first problem."""
        self.errors.setdefault(name, message)


def _date(form: FormData, name: str, label: str, found: LaunchForm) -> date | None:
    parts = [first(form, f"{name}-{part}") for part in ("day", "month", "year")]
    if not any(parts) and name != "due":
        return None
    day, problem = read_date(
        *parts,
        incomplete=f"Enter the {label}, including a day, month and year",
        invalid=f"The {label} must be a real date",
    )
    if problem:
        found.fail(name, problem)
    return day


def _whole(form: FormData, name: str, label: str, found: LaunchForm, *, low: int = 0) -> int | None:
    raw = first(form, name)
    if not raw:
        return None
    if not raw.isdigit() or int(raw) < low:
        found.fail(name, f"{label} must be a whole number, {low} or more")
        return None
    return int(raw)


def _chosen(
    form: FormData, name: str, allowed: Sequence[str], label: str, found: LaunchForm
) -> list[str]:
    chosen = [str(v) for v in form.get(name, []) if str(v)]
    unknown = [v for v in chosen if v not in allowed]
    if unknown:
        found.fail(name, f"Choose {label} from the list")
    return [v for v in chosen if v in allowed]


def _criteria(form: FormData, options: LaunchOptions, found: LaunchForm) -> SelectionCriteria:
    referral_from = _date(form, "referral_from", "earliest referral date", found)
    referral_to = _date(form, "referral_to", "latest referral date", found)
    if referral_from and referral_to and referral_from > referral_to:
        found.fail("referral_to", "The latest referral date must be on or after the earliest")
    values = options.values
    return SelectionCriteria(
        flags=_chosen(form, "flags", [f for f, _ in options.flags], "flags", found),
        categories=_chosen(
            form, "categories", [v for v, _ in values["category"]], "categories", found
        ),
        age_bands=_chosen(
            form, "age_bands", [v for v, _ in values["age_band"]], "age bands", found
        ),
        referral_from=referral_from,
        referral_to=referral_to,
        min_agencies_involved=_whole(form, "min_agencies", "The number of agencies", found) or 0,
        exclude_audited_within_months=_whole(form, "exclude_months", "The months", found) or 0,
    )


def _balance(form: FormData, found: LaunchForm, sample: int | None) -> dict[str, object]:
    how = first(form, "balance") or "none"
    if how == "stratify":
        by = first(form, "stratify_by")
        if by not in ATTRIBUTES:
            found.fail("stratify_by", "Choose what to balance the sample by")
            return {}
        return {"stratify_by": by}
    if how != "quotas":
        return {}
    by = first(form, "quota_by")
    if by not in ATTRIBUTES:
        found.fail("quota_by", "Choose what the quotas count")
        return {}
    prefix = f"quota-{by}-"
    quotas = {}
    for name in form:
        if name.startswith(prefix) and first(form, name):
            number = _whole(form, name, "Each quota", found)
            if number:
                quotas[name.removeprefix(prefix)] = number
    if not quotas:
        found.fail(
            "quotas", f"Enter how many cases of each {ATTRIBUTE_LABELS[by].lower()} you want"
        )
    elif sample is not None and sum(quotas.values()) != sample:
        found.fail(
            "quotas",
            f"The quotas add up to {sum(quotas.values())} but the sample size is {sample}: "
            "make them add up to the sample size",
        )
    return {"quota_by": by, "quotas": quotas}


def _chase(form: FormData, found: LaunchForm) -> ChaseOverrides:
    values = {}
    for name, label in CHASE_FIELDS:
        low = 1 if name in ("overdue_repeat_every", "escalate_after_days_overdue") else 0
        values[name] = _whole(form, name, label.split(" this")[0].capitalize(), found, low=low)
    return ChaseOverrides(**values)


def read_launch_form(
    form: FormData, *, options: LaunchOptions, now: datetime, settings: Settings
) -> LaunchForm:
    """The launch parameters a posted form describes, or its problems by field."""
    named = first(form, "mode") == "named"
    seed_text, key = first(form, "seed"), first(form, "key")
    if not seed_text.isdigit() or not key:
        seed_text, key = mint()
    found = LaunchForm(named=named, seed=int(seed_text), key=key)
    title = first(form, "title")
    if len(title) < 3:
        found.fail("title", "Enter a title of at least 3 characters")
    tools = [t.name for t in options.tools]
    tool = first(form, "tool")
    if tool not in tools:
        found.fail("tool", "Choose the audit tool")
    agencies = _chosen(form, "agencies", [c for c, _ in options.agencies], "agencies", found)
    if not agencies:
        found.fail("agencies", "Choose at least one agency")
    extra: dict[str, object] = {}
    sample: int | None
    if named:
        found.case_list = "\n".join(str(v) for v in form.get("case_list", []) if str(v).strip())
        sample = len(numbered_refs(found.case_list))
        if not sample:
            found.fail("case_list", "Enter the case references, one on each line")
        extra = {"named_cases": True, "criteria": SelectionCriteria()}
    else:
        sample = _whole(form, "sample_size", "The sample size", found, low=1)
        if sample is None and "sample_size" not in found.errors:
            found.fail("sample_size", "Enter how many cases to audit")
        extra = {"criteria": _criteria(form, options, found), **_balance(form, found, sample)}
    due = _date(form, "due", "due date", found)
    chase = _chase(form, found)
    if found.errors or due is None or sample is None:
        return found
    try:
        params = LaunchParameters.model_validate(
            {
                "title": title,
                "tool": tool,
                "agencies": agencies,
                "sample_size": max(sample, 1),
                "seed": found.seed,
                "due_date": due,
                "chase": chase,
                "allow_fewer": first(form, "allow_fewer") == "yes",
                "idempotency_key": key,
                **extra,
            }
        )
    except ValidationError as error:
        found.fail("title", error.errors()[0]["msg"])
        return found
    _check_dates(params, found, now=now, settings=settings)
    if not found.errors:
        found.params = params
    return found


def due_date_problem(params: LaunchParameters, *, now: datetime, settings: Settings) -> str:
    """The CLI's due-date check (a future working day, else the next one), as a field's error."""
    calendar = WorkingDayCalendar.with_closures(settings.closure_days)
    try:
        check_due_date(params, now=now, calendar=calendar)
    except InputError as error:
        text = str(error)
        if "not in the future" in text:
            return "The due date must be in the future"
        return "The due date must be a working day: " + text.split(": ", 1)[1]
    return ""


def _check_dates(
    params: LaunchParameters, found: LaunchForm, *, now: datetime, settings: Settings
) -> None:
    """The CLI's due-date and grace checks, as field errors."""
    problem = due_date_problem(params, now=now, settings=settings)
    if problem:
        found.fail("due", problem)
    try:
        check_grace(params, settings=settings)
    except InputError as error:
        found.fail("reconcile_grace_days", str(error)[0].upper() + str(error)[1:])
