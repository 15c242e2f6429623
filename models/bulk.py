"""Bulk inserts at close to the driver's own speed: COPY on PostgreSQL, executemany on SQLite."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Table
from sqlmodel import Session

Processor = Callable[[Any], Any] | None


def _processed(rows: Sequence[Sequence[Any]], processors: list[Processor]) -> list[tuple[Any, ...]]:
    columns: list[Sequence[Any]] = list(zip(*rows, strict=True))
    for index, processor in enumerate(processors):
        if processor is None:
            continue
        # Memoised: bulk rows repeat few distinct dates, timestamps and flags.
        cache: dict[Any, Any] = {None: None}
        columns[index] = [
            cache[v] if v in cache else cache.setdefault(v, processor(v)) for v in columns[index]
        ]
    return list(zip(*columns, strict=True))


def bulk_insert(
    *, session: Session, table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """Insert rows (tuples in `columns` order) in the session's transaction."""
    if not rows:
        return
    connection = session.connection()
    dialect = connection.dialect
    names = ", ".join(f'"{name}"' for name in columns)
    if dialect.name == "postgresql":
        driver = connection.connection.driver_connection
        assert driver is not None
        with (
            driver.cursor() as cursor,
            cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy,
        ):
            for row in rows:
                copy.write_row(row)
        return
    # The column types' own bind processors store values exactly as SQLAlchemy would.
    processors: list[Processor] = [
        table.c[name].type._cached_bind_processor(dialect) for name in columns
    ]
    if any(processors):
        rows = _processed(rows, processors)
    marks = ", ".join("?" for _ in columns)
    connection.exec_driver_sql(f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})', rows)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many small acyclic tuples: its passes
    over every live object otherwise cost as much as the work itself."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
