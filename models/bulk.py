"""Bulk inserts at close to the driver's own speed: COPY on PostgreSQL, executemany on SQLite."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from itertools import repeat
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
    *,
    session: Session,
    table: Table,
    values: Mapping[str, Sequence[Any]],
    same: Mapping[str, Any] | None = None,
) -> None:
    """Insert rows given column by column (name -> one value per row; `same`: name -> the value
    of every row), in the session's transaction: one COPY or one executemany, each column's
    values processed once."""
    same = same or {}
    columns = [*values, *same]
    varying: list[Sequence[Any]] = list(values.values())
    constant: list[Any] = list(same.values())
    if not varying or not len(varying[0]):
        return
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        processors = _processors(connection, table, columns)
        varying = [_processed(v, p) for v, p in zip(varying, processors, strict=False)]
        constant = [
            p(v) if p and v is not None else v
            for v, p in zip(constant, processors[len(varying) :], strict=True)
        ]
    rows = list(zip(*varying, *map(repeat, constant), strict=False))
    _write(connection, table, columns, rows)


def reserve_ids(*, session: Session, table: Table, count: int) -> list[int]:
    """`count` new values of the table's `id`: from its sequence on PostgreSQL; after the largest
    on SQLite, whose transactions hold the database's write lock (BEGIN IMMEDIATE)."""
    if not count:
        return []
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        sequence = f"pg_get_serial_sequence('\"{table.name}\"', 'id')"
        query = f"SELECT nextval({sequence}) FROM generate_series(1, {int(count)})"
        return list(connection.exec_driver_sql(query).scalars())
    first = connection.exec_driver_sql(f'SELECT COALESCE(MAX(id), 0) + 1 FROM "{table.name}"')
    start = int(first.scalar_one())
    return list(range(start, start + count))


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
