"""The README's backup and restore: `pg_dump -Fc` of the domain database, `pg_restore` into a
new one, identities readable only with the identity key kept apart from the dump."""

from __future__ import annotations

import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, func, select, text
from sqlmodel import Session

from flows.register.store import reveal_identity
from flows.rounds.launch import launch_round
from models.audit_log import AuditEvent
from models.crypto import IdentityCipher, load_cipher
from models.db import create_db_engine, dispose_engines
from models.errors import JointauditError
from models.round import Assignment
from models.settings import Settings
from tests.builders import NOW, import_register, launch_parameters, load_agencies, register_row
from tests.conftest import POSTGRES_URL


@pytest.fixture
def two_databases(postgres_engine: Engine) -> Iterator[tuple[str, str]]:
    """A database to back up and an empty one to restore into (both dropped afterwards)."""
    assert POSTGRES_URL is not None
    suffix = uuid.uuid4().hex[:8]
    names = [f"ja_backup_{suffix}", f"ja_restored_{suffix}"]
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        for name in names:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    base = POSTGRES_URL.rsplit("/", 1)[0]
    yield f"{base}/{names[0]}", f"{base}/{names[1]}"
    dispose_engines()
    with admin.connect() as connection:
        for name in names:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def libpq(url: str) -> str:
    """The SQLAlchemy URL as pg_dump and pg_restore take it."""
    return url.replace("postgresql+psycopg://", "postgresql://")


def counts(engine: Engine) -> tuple[int, int]:
    with Session(engine) as session:
        assignments = session.execute(select(func.count()).select_from(Assignment)).scalar_one()
        events = session.execute(select(func.count()).select_from(AuditEvent)).scalar_one()
    return int(assignments), int(events)


@pytest.mark.postgres
def test_a_restored_dump_holds_every_round_and_identities_only_the_kept_key_can_read(
    two_databases: tuple[str, str], settings: Settings, tmp_path: Path
) -> None:
    source_url, restored_url = two_databases
    source = create_db_engine(source_url)
    from models.db import upgrade_database

    upgrade_database(source)
    with Session(source) as session:
        load_agencies(session=session, tmp_path=tmp_path, codes=("police", "csc", "health"))
        rows = [
            register_row(case_ref=f"C-{n}", child_name=f"Child {n}", agencies="police;csc")
            for n in range(1, 5)
        ]
        import_register(session=session, tmp_path=tmp_path, rows=rows)
        launch_round(
            session=session,
            params=launch_parameters(agencies=["police", "csc"], sample_size=3),
            seed=1,
            idempotency_key="backup",
            now=NOW,
            actor="test",
            settings=settings,
        )
        session.commit()
    before = counts(source)
    dump = tmp_path / "jointaudit.dump"
    subprocess.run(["pg_dump", "-Fc", "-f", str(dump), libpq(source_url)], check=True)
    subprocess.run(
        ["pg_restore", "--no-owner", "-d", libpq(restored_url), str(dump)],
        check=True,
        capture_output=True,
    )
    restored = create_db_engine(restored_url)
    assert counts(restored) == before
    assert b"Child 1" not in dump.read_bytes()  # the dump holds ciphertext only
    with Session(restored) as session:
        shown = reveal_identity(
            session=session,
            case_ref="C-1",
            cipher=load_cipher(settings),
            actor="test",
            reason="restore check",
            now=NOW,
        )
        assert shown.child_name == "Child 1"
        with pytest.raises(JointauditError):
            reveal_identity(
                session=session,
                case_ref="C-1",
                cipher=IdentityCipher.from_keys(b"another-32-byte-key-for-testing!"),
                actor="test",
                reason="wrong key",
                now=NOW,
            )
    source.dispose()
    restored.dispose()
