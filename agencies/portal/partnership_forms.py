"""The agency form of the partnership page: its fields, read into a registry entry or errors."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from agencies.registry_file import AGENCY_CODE_PATTERN, AgencyEntry, ContactEntry
from models.agency import Channel

ROLES = (("lead", "lead"), ("deputy", "deputy"), ("escalation", "escalation contact"))
CHANNELS = (
    (Channel.email.value, "Email (the partnership's email service)"),
    (Channel.notify.value, "GOV.UK Notify"),
    (Channel.smtp.value, "Email through the partnership's mail server"),
    (Channel.webhook.value, "Webhook (a team inbox that takes web requests)"),
    (Channel.file.value, "File (for testing only)"),
    (Channel.console.value, "Console (for testing only)"),
)
PARTS = ("name", "email", "channel", "webhook_url")
MESSAGES = {
    "name": "Enter the {who}'s name, in 200 characters or fewer",
    "email": "Enter the {who}'s email address in the correct format, like name@example.org",
    "channel": "Select how messages reach the {who}",
    "webhook_url": "Enter the {who}'s webhook address, like https://hooks.example.org/audit",
}


def entry_values(entry: AgencyEntry) -> dict[str, str]:
    """A registry entry as the form's values."""
    values = {"code": entry.code, "name": entry.name}
    for role, _who in ROLES:
        contact: ContactEntry | None = getattr(entry, role)
        if contact is not None:
            values[f"{role}_name"], values[f"{role}_email"] = contact.name, contact.email
            values[f"{role}_channel"] = contact.channel.value
            values[f"{role}_webhook_url"] = str(contact.webhook_url or "")
    return values


def _contact(
    values: Mapping[str, str], role: str, who: str, errors: dict[str, str], *, required: bool
) -> ContactEntry | None:
    given = {part: values.get(f"{role}_{part}", "").strip() for part in PARTS}
    if not required and not (given["name"] or given["email"] or given["webhook_url"]):
        return None
    if not given["name"]:
        errors[f"{role}_name"] = f"Enter the {who}'s name"
    if not given["email"]:
        errors[f"{role}_email"] = f"Enter the {who}'s email address"
    if not (given["name"] and given["email"]):
        return None
    data: dict[str, Any] = {k: v for k, v in given.items() if v}
    data.setdefault("channel", Channel.email.value)
    try:
        return ContactEntry.model_validate(data)
    except ValidationError as error:
        for detail in error.errors(include_url=False):
            part = str(detail["loc"][0]) if detail["loc"] else "webhook_url"
            errors.setdefault(f"{role}_{part}", MESSAGES[part].format(who=who))
        return None


def _same_person(contacts: dict[str, ContactEntry | None], errors: dict[str, str]) -> None:
    named: dict[str, tuple[str, str]] = {}
    for role, who in ROLES:
        contact = contacts[role]
        if contact is None:
            continue
        first = named.setdefault(contact.email, (contact.name, who))
        if first[0] != contact.name:
            errors[f"{role}_name"] = (
                f"The {first[1]} has this email address under another name: one address, "
                f"one person, so use the same name or another address"
            )


def read_agency(
    values: Mapping[str, str], *, code: str | None = None
) -> AgencyEntry | dict[str, str]:
    """The form as a registry entry, or each field's error (in the form's order)."""
    errors: dict[str, str] = {}
    code = code if code is not None else values.get("code", "").strip()
    if not code:
        errors["code"] = "Enter a code for the agency, like police or nhs-trust"
    elif not re.match(AGENCY_CODE_PATTERN, code):
        errors["code"] = (
            "Enter a code of 2 to 40 lower-case letters, digits, hyphens or underscores, "
            "starting with a letter"
        )
    name = values.get("name", "").strip()
    if not name:
        errors["name"] = "Enter the agency's name"
    elif len(name) > 200:
        errors["name"] = "The agency's name must be 200 characters or fewer"
    contacts = {
        role: _contact(values, role, who, errors, required=role == "lead") for role, who in ROLES
    }
    _same_person(contacts, errors)
    if errors:
        return errors
    return AgencyEntry(code=code, name=name, **contacts)
