"""Validation errors raised at a path below the model being validated.

Pydantic places an error raised inside a validator at that model's own location. Raising a
`ValidationError` instead keeps each error's relative path, and pydantic prefixes it with the
model's location, so a YAML file's problems point at the exact field.
"""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError

Loc = tuple[str | int, ...]


def located_error(title: str, problems: Iterable[tuple[Loc, str]]) -> ValidationError:
    """A validation error holding one message per relative path."""
    details = [
        InitErrorDetails(type=PydanticCustomError("tool_rule", message), loc=loc, input=None)
        for loc, message in problems
    ]
    return ValidationError.from_exception_data(title, details)
