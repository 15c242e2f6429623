"""Reading the moderation meeting's forms: typed values, or GOV.UK error messages by field."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date

from starlette.datastructures import FormData

from agencies.portal.forms import read_date

MAX_NOTES, MAX_RESOLUTION = 20_000, 2_000


@dataclass
class MeetingForm:
    """The meeting's date (as typed), the agencies present and the notes."""

    day: str = ""
    month: str = ""
    year: str = ""
    attendees: list[str] = field(default_factory=list)
    notes: str = ""
    held_on: date | None = None

    @classmethod
    def of(cls, held_on: date | None, attendees: list[str], notes: str) -> MeetingForm:
        """The form prefilled from a recorded meeting (or empty)."""
        if held_on is None:
            return cls(attendees=attendees, notes=notes)
        return cls(
            str(held_on.day), str(held_on.month), str(held_on.year), attendees, notes, held_on
        )


def _text(form: FormData, name: str) -> str:
    value = form.get(name, "")
    return value.strip() if isinstance(value, str) else ""


def read_meeting(form: FormData, agencies: Collection[str]) -> tuple[MeetingForm, dict[str, str]]:
    """The meeting form's values and what is wrong with them (empty when nothing is)."""
    found = MeetingForm(
        day=_text(form, "held-day"),
        month=_text(form, "held-month"),
        year=_text(form, "held-year"),
        attendees=[str(v) for v in form.getlist("attendees") if str(v) in agencies],
        notes=_text(form, "notes"),
    )
    errors: dict[str, str] = {}
    found.held_on, problem = read_date(
        found.day,
        found.month,
        found.year,
        incomplete="The date of the meeting must include a day, month and year",
        invalid="The date of the meeting must be a real date, for example 27 11 2026",
    )
    if problem:
        errors["held-day"] = problem
    if not found.attendees:
        errors["attendees"] = "Select the agencies that attended the meeting"
    if len(found.notes) > MAX_NOTES:
        errors["notes"] = f"The notes must be {MAX_NOTES:,} characters or fewer"
    return found, errors


def read_agreement(
    form: FormData, choices: Collection[str], *, discrepant: bool = True
) -> tuple[str, str, dict[str, str]]:
    """One item's agreed answer and how it was resolved (or, for an item with no discrepancy,
    why its confirmed answer changed), and what is wrong with them."""
    value, resolution = _text(form, "value"), _text(form, "resolution")
    errors: dict[str, str] = {}
    if value not in choices:
        errors["value"] = "Select the answer the meeting agreed"
    if not resolution:
        errors["resolution"] = (
            "Enter how the meeting resolved the disagreement"
            if discrepant
            else "Enter why the agreed answer was changed"
        )
    elif len(resolution) > MAX_RESOLUTION:
        errors["resolution"] = f"How it was resolved must be {MAX_RESOLUTION:,} characters or fewer"
    return value, resolution, errors
