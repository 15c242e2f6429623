"""Bulk inserts at close to the driver's own speed: COPY on PostgreSQL, executemany on SQLite."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Table
from sqlmodel import Session

Processor = Callable[[Any], Any] | None


def _processed(rows: Sequence[Sequence[Any]], processors: list[Processor]) -> list[tuple[Any, ...]]:
    # Memoised per column: bulk rows repeat few distinct dates, timestamps and flags.
    caches: list[dict[Any, Any]] = [{} for _ in processors]
    converted = []
    for row in rows:
        values = []
        for value, processor, cache in zip(row, processors, caches, strict=True):
            if processor is None or value is None or isinstance(value, bytes):
                values.append(value)
            elif value in cache:
                values.append(cache[value])
            else:
                values.append(cache.setdefault(value, processor(value)))
        converted.append(tuple(values))
    return converted


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
