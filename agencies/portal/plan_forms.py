"""Reading the action-plan and action-update forms: typed values, or GOV.UK error messages."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from starlette.datastructures import FormData

from agencies.portal.forms import read_date
from flows.action_plan.manage import TRACKED, ActionView
from models.action import ActionStatus

MAX_TEXT = {"what": 2000, "how": 2000, "success_measure": 1000}
MAX_NOTE = 5000
STATUS_LABELS = {
    "draft": "Draft",
    "approved": "Approved",
    "on_track": "On track",
    "at_risk": "At risk",
    "overdue": "Overdue",
    "done": "Done",
}
FIELD_NAMES = {"what": "What", "how": "How", "success_measure": "Success measure"}


@dataclass
class ActionForm:
    """An action's fields as typed into the edit form, and what is wrong with them."""

    what: str = ""
    how: str = ""
    owner: str = ""
    day: str = ""
    month: str = ""
    year: str = ""
    success_measure: str = ""
    due_date: date | None = None
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, action: ActionView) -> ActionForm:
        """The form filled with the action as it is."""
        due = action.due_date
        return cls(
            what=action.what,
            how=action.how,
            owner=action.owner or "",
            day=str(due.day) if due else "",
            month=str(due.month) if due else "",
            year=str(due.year) if due else "",
            success_measure=action.success_measure,
            due_date=due,
        )


def text(form: FormData, name: str) -> str:
    """A form field as stripped text ("" when missing or a file)."""
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def ids(form: FormData, name: str) -> list[int]:
    """The whole numbers sent under a (repeated) field name; anything else is ignored."""
    return [int(v) for v in form.getlist(name) if isinstance(v, str) and v.strip().isdigit()]


def read_action_form(form: FormData, agencies: Sequence[str]) -> ActionForm:
    """The edit form's values, checked: what is required, the owner must be an agency."""
    found = ActionForm(
        what=text(form, "what"),
        how=text(form, "how"),
        owner=text(form, "owner"),
        success_measure=text(form, "success_measure"),
        day=text(form, "due-day"),
        month=text(form, "due-month"),
        year=text(form, "due-year"),
    )
    if not found.what:
        found.errors["what"] = "Enter what the action is"
    for name, limit in MAX_TEXT.items():
        if len(getattr(found, name)) > limit:
            found.errors[name] = f"{FIELD_NAMES[name]} must be {limit} characters or fewer"
    if found.owner and found.owner not in agencies:
        found.errors["owner"] = "Select the agency that will lead the action"
    found.due_date, problem = (
        read_date(
            found.day,
            found.month,
            found.year,
            incomplete="The date by when must include a day, month and year",
            invalid="The date by when must be a real date, for example 31 3 2027",
        )
        if found.day or found.month or found.year
        else (None, None)
    )
    if problem:
        found.errors["due-day"] = problem
    return found


def read_update(form: FormData) -> tuple[ActionStatus | None, str, dict[str, str]]:
    """The owner's update: the status, the note, and what is wrong with them."""
    errors = {}
    chosen = text(form, "status")
    status = ActionStatus(chosen) if chosen in {s.value for s in TRACKED} else None
    if status is None:
        errors["status"] = "Select on track, at risk or done"
    note = text(form, "note")
    if not note:
        errors["note"] = "Enter what has happened since the last update"
    elif len(note) > MAX_NOTE:
        errors["note"] = f"The update must be {MAX_NOTE} characters or fewer"
    return status, note, errors


def approval_errors(actions: Sequence[ActionView]) -> dict[str, str]:
    """One error message per draft action that lacks what, how, owner, date or measure."""
    return {
        f"action-{a.id}": f"Action {a.id} ({shorten(a.what)}) lacks {', '.join(a.missing())}"
        for a in actions
        if a.status == ActionStatus.draft and a.missing()
    }


def shorten(value: str, limit: int = 60) -> str:
    """The text cut to about `limit` characters at a word, with an ellipsis."""
    if len(value) <= limit:
        return value
    return value[:limit].rsplit(" ", 1)[0] + "…"
