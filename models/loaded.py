"""Table-model instances made straight from a Core row's values, as the ORM would load them:
its loading of a few objects costs a request more than the statement that reads them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from sqlalchemy.orm import configure_mappers, instrumentation, make_transient_to_detached
from sqlmodel import SQLModel

M = TypeVar("M", bound=SQLModel)


def as_loaded(model: type[M], values: Mapping[str, Any]) -> M:
    """A copy in no session holding every column's value, made without `__init__`'s checks
    (the values were checked when they were written)."""
    manager = instrumentation.manager_of_class(model)
    if not manager.mapper.configured:  # as the ORM's first query would have
        configure_mappers()
    instance: M = manager.new_instance()
    instance.__dict__.update(values)
    return instance


def as_partly_loaded(model: type[M], values: Mapping[str, Any]) -> M:
    """A detached copy holding some columns' values: reading one left out raises
    DetachedInstanceError, never a silent None."""
    instance = as_loaded(model, values)
    make_transient_to_detached(instance)
    return instance
