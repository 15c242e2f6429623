"""What the fault tests share: cutting the database at a chosen statement, crashing subprocesses."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event, func
from sqlmodel import Session, select

from models.faults import FAULT_ENV
from models.outbox import OutboxMessage
from tests.faults.tcp_proxy import TcpProxy

ROOT = Path(__file__).parents[2]
COMMIT = "COMMIT"


@contextmanager
def cut_at(engine: Engine, proxy: TcpProxy, *, sql: str, nth: int = 1) -> Iterator[None]:
    """Cut the proxy as the Nth statement starting with `sql` (or the COMMIT) is sent; runs of
    white space count as one space."""
    seen = 0

    def maybe_cut() -> None:
        nonlocal seen
        seen += 1
        if seen == nth:
            proxy.cut()

    def on_statement(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if " ".join(statement.split()).upper().startswith(sql.upper()):
            maybe_cut()

    def on_commit(_conn: Any) -> None:
        maybe_cut()

    name, listener = (
        ("commit", on_commit) if sql == COMMIT else ("before_cursor_execute", on_statement)
    )
    event.listen(engine, name, listener)
    try:
        yield
    finally:
        event.remove(engine, name, listener)


def run_python(code: str, *args: str, fault: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run `code` in a fresh interpreter (as a worker would), dying at `fault` when given."""
    env = {key: value for key, value in os.environ.items() if key != FAULT_ENV}
    if fault:
        env[FAULT_ENV] = fault
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def count(engine: Engine, model: type, *where: Any) -> int:
    """How many rows of `model` match."""
    with Session(engine) as session:
        query = select(func.count()).select_from(model).where(*where)
        return int(session.exec(query).one())


def statuses(engine: Engine) -> Counter[str]:
    """The outbox's messages by status."""
    with Session(engine) as session:
        rows = session.exec(select(OutboxMessage.status))
        return Counter(str(status) for status in rows)
