from __future__ import annotations

import types
import typing
from datetime import date, datetime
from enum import Enum

import pytest
from pydantic import AwareDatetime, BaseModel, ValidationError

from notifications.contexts import CONTEXT_TYPES, InvitationContext, MessageContext
from notifications.render import BUILTIN_TEMPLATES
from tests.notifications.messages import invitation

FORBIDDEN_NAME_PARTS = (
    "case_ref",
    "case_id",
    "child",
    "name_of",
    "nhs",
    "birth",
    "dob",
    "address",
    "postcode",
    "answer",
    "comment",
    "note",
    "free_text",
    "identity",
    "ethnicity",
    "gender",
    "detail",
)
ALLOWED_TYPES = (str, int, bool, date, datetime, AwareDatetime, type(None))


def _leaf_types(annotation: object) -> list[object]:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _leaf_types(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return [t for arg in typing.get_args(annotation) for t in _leaf_types(arg)]
    if origin is typing.Literal:
        return [type(arg) for arg in typing.get_args(annotation)]
    return [annotation]


@pytest.mark.parametrize("name", sorted(CONTEXT_TYPES))
def test_no_message_context_can_hold_child_identifying_data(name: str) -> None:
    context_type = CONTEXT_TYPES[name]
    assert issubclass(context_type, MessageContext)
    for field_name, field in context_type.model_fields.items():
        assert not any(part in field_name for part in FORBIDDEN_NAME_PARTS), field_name
        for leaf in _leaf_types(field.annotation):
            assert isinstance(leaf, type), (field_name, leaf)
            assert not issubclass(leaf, BaseModel | Enum | dict | list), (field_name, leaf)
            assert leaf in ALLOWED_TYPES, (field_name, leaf)
        if str in _leaf_types(field.annotation) and typing.get_origin(field.annotation) is not (
            typing.Literal
        ):
            lengths = [m.max_length for m in field.metadata if hasattr(m, "max_length")]
            assert lengths and lengths[0] <= 200, f"{name}.{field_name} is unbounded text"


@pytest.mark.parametrize("name", sorted(CONTEXT_TYPES))
def test_every_message_context_has_a_text_template(name: str) -> None:
    assert (BUILTIN_TEMPLATES / f"{name}.txt.j2").is_file()


def test_a_context_refuses_fields_it_does_not_declare() -> None:
    with pytest.raises(ValidationError, match="extra"):
        invitation(case_ref="DA-1")


def test_a_context_refuses_long_free_text_in_a_label() -> None:
    with pytest.raises(ValidationError):
        invitation(round_title="x" * 201)


def test_a_context_needs_every_field_its_template_uses() -> None:
    with pytest.raises(ValidationError, match="due_date"):
        InvitationContext(partnership_name="P", round_title="R", agency_name="A", case_count=1)
