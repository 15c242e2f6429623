"""The agency registry file (YAML): the partnership, its coordinators and its agencies."""

from __future__ import annotations

from pathlib import Path
from typing import Self

from pydantic import (
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    HttpUrl,
    field_validator,
    model_validator,
)

from models.agency import Channel
from models.errors import ImportFileError
from models.yaml_source import YamlDocument, load_yaml

AGENCY_CODE_PATTERN = r"^[a-z][a-z0-9_-]{1,39}$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class PersonEntry(_Strict):
    """A named person with an email address."""

    name: str = Field(min_length=1, max_length=200)
    email: EmailStr

    @field_validator("email")
    @classmethod
    def _lower(cls, value: str) -> str:
        return value.lower()


class ContactEntry(PersonEntry):
    """An agency contact and the channel that reaches them."""

    channel: Channel = Channel.email
    webhook_url: HttpUrl | None = None

    @model_validator(mode="after")
    def _webhook_needs_url(self) -> Self:
        if self.channel == Channel.webhook and self.webhook_url is None:
            raise ValueError("channel webhook needs a webhook_url")
        return self


class AgencyEntry(_Strict):
    """One agency: code, name and who answers for it."""

    code: str = Field(pattern=AGENCY_CODE_PATTERN)
    name: str = Field(min_length=1, max_length=200)
    lead: ContactEntry
    deputy: ContactEntry | None = None
    escalation: ContactEntry | None = None


class FrontDoor(_Strict):
    """The partnership's front door (MASH) that receives immediate-concern alerts."""

    name: str = Field(min_length=1, max_length=200)
    email: EmailStr
    phone: str | None = Field(
        default=None, pattern=r"^\+?[0-9][0-9 ()-]{5,38}$", description="Said in the 999 panel"
    )


class PartnershipEntry(_Strict):
    """The partnership itself and its partnership-wide roles."""

    name: str = Field(min_length=1, max_length=200)
    front_door: FrontDoor | None = None
    coordinators: list[PersonEntry] = Field(default_factory=list)
    board_readers: list[PersonEntry] = Field(default_factory=list)


class RegistryFile(_Strict):
    """The whole registry file."""

    partnership: PartnershipEntry | None = None
    agencies: list[AgencyEntry] = Field(min_length=1)


def _people(registry: RegistryFile) -> list[tuple[tuple[str | int, ...], PersonEntry]]:
    found: list[tuple[tuple[str | int, ...], PersonEntry]] = []
    if registry.partnership is not None:
        for role in ("coordinators", "board_readers"):
            for index, person in enumerate(getattr(registry.partnership, role)):
                found.append((("partnership", role, index), person))
    for index, agency in enumerate(registry.agencies):
        for role in ("lead", "deputy", "escalation"):
            contact = getattr(agency, role)
            if contact is not None:
                found.append((("agencies", index, role), contact))
    return found


def _cross_checks(document: YamlDocument, registry: RegistryFile) -> None:
    problems = []
    first_code: dict[str, int] = {}
    for index, agency in enumerate(registry.agencies):
        if agency.code in first_code:
            problems.append(
                document.problem(
                    ("agencies", index, "code"),
                    f"duplicate agency code {agency.code!r} (first at agencies"
                    f"[{first_code[agency.code]}])",
                )
            )
        first_code.setdefault(agency.code, index)
    first_name: dict[str, tuple[str, tuple[str | int, ...]]] = {}
    for path, person in _people(registry):
        seen = first_name.setdefault(person.email, (person.name, path))
        if seen[0] != person.name:
            problems.append(
                document.problem(
                    (*path, "name"),
                    f"{person.email} is named {seen[0]!r} elsewhere in the file; "
                    "one address, one person: use the same name",
                )
            )
    if problems:
        raise ImportFileError(document.source, problems)


def read_registry(path: Path | str) -> RegistryFile:
    """Parse and validate a registry file, or raise every located problem."""
    document = load_yaml(path)
    registry = document.validate(RegistryFile)
    _cross_checks(document, registry)
    return registry
