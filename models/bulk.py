"""Bulk inserts at close to the driver's own speed: COPY on PostgreSQL, executemany on SQLite."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, LargeBinary, Table
from sqlmodel import Session

Processor = Callable[[Any], Any] | None


def _processors(connection: Connection, table: Table, columns: Sequence[str]) -> list[Processor]:
    """The column types' own bind processors, so values are stored exactly as SQLAlchemy would;
    none for bytes on SQLite, which sqlite3 stores as they are."""
    dialect = connection.dialect
    return [
        None
        if isinstance(table.c[name].type, LargeBinary)
        else table.c[name].type._cached_bind_processor(dialect)
        for name in columns
    ]


def _processed(values: Sequence[Any], processor: Processor) -> Sequence[Any]:
    if processor is None:
        return values
    # Memoised: bulk rows repeat few distinct dates, timestamps and flags.
    cache: dict[Any, Any] = {None: None}
    return [cache[v] if v in cache else cache.setdefault(v, processor(v)) for v in values]


def _write(
    connection: Connection, table: Table, columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> None:
    names = ", ".join(f'"{name}"' for name in columns)
    if connection.dialect.name == "postgresql":
        driver = connection.connection.driver_connection
        assert driver is not None
        with (
            driver.cursor() as cursor,
            cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy,
        ):
            for row in rows:
                copy.write_row(row)
        return
    marks = ", ".join("?" for _ in columns)
    statement = f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})'
    connection.exec_driver_sql(statement, rows if isinstance(rows, list) else list(rows))


def bulk_insert(
    *, session: Session, table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """Insert rows (tuples in `columns` order) in the session's transaction."""
    if not rows:
        return
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        processors = _processors(connection, table, columns)
        if any(processors):
            values = zip(*rows, strict=True)
            rows = list(zip(*map(_processed, values, processors), strict=True))
    _write(connection, table, columns, rows)


def bulk_insert_columns(
    *, session: Session, table: Table, values: Mapping[str, Sequence[Any]]
) -> None:
    """Insert rows given column by column (name -> one value per row), in the session's
    transaction: one COPY or one executemany, each column's values processed once."""
    columns = list(values)
    if not columns or not len(values[columns[0]]):
        return
    connection = session.connection()
    given: Iterable[Sequence[Any]] = values.values()
    if connection.dialect.name != "postgresql":
        given = map(_processed, given, _processors(connection, table, columns))
    _write(connection, table, columns, list(zip(*given, strict=True)))


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
