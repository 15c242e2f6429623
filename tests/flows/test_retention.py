from __future__ import annotations

import base64
import os
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlmodel import Session

import flows.retention.keys as key_rotation
from flows.answers.concern_access import open_notes
from flows.reconcile.run import latest_findings, reconcile_round
from flows.register.store import reveal_identity
from flows.retention.keys import identities_by_key, rotate_identities
from flows.retention.purge import close_round, parse_period, purge
from flows.rounds.launch import launch_round
from models.answers import AnswerSet, Concern
from models.case import CaseIdentity
from models.crypto import IdentityCipher, key_id_of, load_cipher
from models.errors import ConflictError, InputError
from models.settings import Settings, get_settings
from tests.builders import (
    NOW,
    import_register,
    launch_chase_round,
    launch_parameters,
    load_agencies,
    raise_test_concern,
    register_of,
    register_row,
    submit_answers,
)
from tests.conftest import TEST_IDENTITY_KEY


def with_identities(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    return [{**row, "child_name": f"Child {n}"} for n, row in enumerate(rows)]


def count(session: Session, model: type) -> int:
    return int(session.execute(select(func.count()).select_from(model)).scalar_one())


@pytest.fixture
def closed_round(session: Session, settings: Settings, tmp_path: Path) -> int:
    load_agencies(session=session, tmp_path=tmp_path)
    import_register(
        session=session, tmp_path=tmp_path, rows=with_identities(register_of(counts={"CIN": 4}))
    )
    result = launch_round(
        session=session,
        params=launch_parameters(sample_size=2),
        seed=1,
        idempotency_key="k",
        now=NOW,
        actor="c",
        settings=settings,
    )
    for case_ref in result.case_refs:
        submit_answers(
            session=session,
            round_id=result.round_id,
            agency="csc",
            case_ref=case_ref,
            answers={"info_sharing": "yes"},
        )
    session.commit()
    with pytest.raises(ConflictError, match="cannot be closed now"):
        close_round(session=session, round_id=result.round_id, now=NOW, actor="c")
    reconcile_round(session=session, round_id=result.round_id, now=NOW, actor="c")
    close_round(session=session, round_id=result.round_id, now=NOW, actor="c")
    session.commit()
    # One case of the round leaves the register; the other stays active.
    keep = [
        r
        for r in with_identities(register_of(counts={"CIN": 4}))
        if r["case_ref"] != result.case_refs[0]
    ]
    import_register(session=session, tmp_path=tmp_path, rows=keep)
    return result.round_id


def test_a_purge_removes_answers_and_unneeded_identities_but_keeps_aggregates(
    session: Session, closed_round: int
) -> None:
    young = purge(
        session=session,
        older_than=timedelta(days=30),
        now=NOW + timedelta(days=10),
        actor="c",
        dry_run=False,
    )
    assert young.rounds == []
    later = NOW + timedelta(days=400)
    dry = purge(session=session, older_than=parse_period("1y"), now=later, actor="c", dry_run=True)
    assert (dry.rounds, dry.answer_sets, dry.identities) == ([closed_round], 2, 1)
    assert count(session, AnswerSet) == 2
    done = purge(
        session=session, older_than=parse_period("1y"), now=later, actor="c", dry_run=False
    )
    session.commit()
    assert done == dry
    assert count(session, AnswerSet) == 0 and count(session, CaseIdentity) == 3
    findings = latest_findings(session=session, round_id=closed_round)
    sharing = next(q for q in findings.questions if q.id == "info_sharing")
    assert sharing.by_agency["csc"].label == "100% (2:2)" and sharing.cases == []
    again = purge(
        session=session, older_than=parse_period("1y"), now=later, actor="c", dry_run=False
    )
    assert again.rounds == []


def test_a_purge_wipes_what_auditors_wrote_in_the_rounds_concerns(
    session: Session, settings: Settings, closed_round: int
) -> None:
    concern_id = raise_test_concern(
        session=session, round_id=closed_round, agency="csc", now=NOW, settings=settings
    )
    purge(
        session=session,
        older_than=parse_period("1y"),
        now=NOW + timedelta(days=400),
        actor="c",
        dry_run=False,
    )
    session.commit()
    concern = session.get(Concern, concern_id)
    assert concern is not None and concern.ciphertext is None and concern.key_id is None
    assert concern.state == "raised"  # the counts the board report uses stay


def test_periods_are_parsed_or_refused_clearly() -> None:
    assert parse_period("18m") == timedelta(days=540) and parse_period("2w").days == 14
    with pytest.raises(InputError, match="use a number and d, w, m or y"):
        parse_period("soon")


def test_rotation_reencrypts_every_identity_in_resumable_batches(
    session: Session,
    engine,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
) -> None:
    load_agencies(session=session, tmp_path=tmp_path)
    import_register(
        session=session,
        tmp_path=tmp_path,
        rows=[register_row(case_ref=f"R-{n}", child_name=f"Name {n}") for n in range(5)],
    )
    old_id = load_cipher(get_settings()).current_key_id
    new_key = base64.b64encode(os.urandom(32)).decode()
    monkeypatch.setenv("JOINTAUDIT_IDENTITY_KEY", new_key)
    monkeypatch.setenv("JOINTAUDIT_IDENTITY_PREVIOUS_KEYS", f'["{TEST_IDENTITY_KEY}"]')
    get_settings.cache_clear()
    cipher = load_cipher(get_settings())
    assert cipher.current_key_id == key_id_of(base64.b64decode(new_key))
    monkeypatch.setattr(key_rotation, "BATCH", 2)

    def stop_after_first_batch(done: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        rotate_identities(engine=engine, cipher=cipher, actor="t", progress=stop_after_first_batch)
    assert identities_by_key(session=session) == {old_id: 3, cipher.current_key_id: 2}
    session.rollback()  # end the read: on SQLite every transaction takes the write lock
    assert rotate_identities(engine=engine, cipher=cipher, actor="t") == 3
    assert rotate_identities(engine=engine, cipher=cipher, actor="t") == 0
    assert identities_by_key(session=session) == {cipher.current_key_id: 5}
    identity = reveal_identity(
        session=session, case_ref="R-3", cipher=cipher, actor="t", reason="check", now=NOW
    )
    assert identity.child_name == "Name 3"


def test_a_purge_removes_the_report_commentary_but_keeps_the_front_sheet(
    session: Session, closed_round: int
) -> None:
    from flows.report.settings import latest_texts, set_report_texts

    set_report_texts(
        session=session,
        round_id=closed_round,
        values={"meeting": "Partnership Board", "findings": "Commentary", "highlight:q": "Note"},
        now=NOW,
        actor="c",
    )
    session.commit()
    purge(
        session=session,
        older_than=parse_period("1y"),
        now=NOW + timedelta(days=400),
        actor="c",
        dry_run=False,
    )
    session.commit()
    assert latest_texts(session=session, round_id=closed_round) == {"meeting": "Partnership Board"}


def test_rotation_reencrypts_concerns_notes_too(
    session: Session, engine, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    round_id = launch_chase_round(
        session=session,
        settings=settings,
        tmp_path=tmp_path,
        due=NOW.date() + timedelta(days=14),
        key="rot",
    )
    concern_id = raise_test_concern(
        session=session, round_id=round_id, now=NOW, settings=settings, description="Seen: bruises"
    )
    monkeypatch.setenv("JOINTAUDIT_IDENTITY_KEY", base64.b64encode(os.urandom(32)).decode())
    monkeypatch.setenv("JOINTAUDIT_IDENTITY_PREVIOUS_KEYS", f'["{TEST_IDENTITY_KEY}"]')
    get_settings.cache_clear()
    cipher = load_cipher(get_settings())
    session.rollback()
    rotate_identities(engine=engine, cipher=cipher, actor="t")
    session.expire_all()
    concern = session.get(Concern, concern_id)
    assert concern is not None and concern.key_id == cipher.current_key_id
    only_new = IdentityCipher.from_keys(cipher.keys[cipher.current_key_id])
    notes = open_notes(concern, cipher=only_new)
    assert notes is not None and notes.description == "Seen: bruises"
