"""The parts of a coordinator's change form: fields, the request, errors and the change itself."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from flows.register.problems import CLI_HINT
from models.errors import InputError, JointauditError
from models.settings import Settings

Action = Callable[[], object]


@dataclass(frozen=True)
class FormField:
    """One input of a change form (a date is three inputs: name-day, name-month, name-year)."""

    name: str
    label: str
    kind: str  # select, text, email, textarea or date
    options: tuple[tuple[str, str], ...] = ()
    hint: str = ""

    @property
    def target(self) -> str:
        """The id an error summary links to."""
        return f"{self.name}-day" if self.kind == "date" else self.name


class FieldError(InputError):
    """Raised when one input of a change form is missing or invalid."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name


@dataclass(frozen=True)
class ChangeRequest:
    """Who changes which round, when, and what the form said."""

    session: Session
    round_id: int
    actor: str
    now: datetime
    settings: Settings
    form: Mapping[str, str]

    def required(self, name: str, message: str) -> str:
        """A non-blank input, or FieldError."""
        value = self.form.get(name, "").strip()
        if not value:
            raise FieldError(name, message)
        return value


@dataclass(frozen=True)
class Change:
    """A change form: its fields, its confirmation question (if destructive) and its effect.

    `parse` checks the form (FieldError) and returns the call that makes the change.
    """

    slug: str
    title: str
    button: str
    done: str
    fields: Callable[[Session, int], list[FormField]]
    parse: Callable[[ChangeRequest], Action]
    confirm: str | None = None
    hint: str = ""
    warning: str = ""


def readable(error: JointauditError) -> str:
    """A domain error's message without a command-line hint, starting with a capital."""
    text = CLI_HINT.sub("", str(error)).strip() or "The change could not be made"
    return text[0].upper() + text[1:]


def yaml_too_big(data: bytes, settings: Settings) -> str | None:
    """Why an uploaded YAML file is refused for its size (JOINTAUDIT_MAX_YAML_BYTES), or None."""
    cap = settings.max_yaml_bytes
    return f"The file must be at most {cap:,} bytes" if len(data) > cap else None
