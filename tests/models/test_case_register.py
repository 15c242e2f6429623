from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, text
from sqlmodel import Session

from flows.register.importer import import_case_file
from flows.register.store import reveal_identity
from models.audit_log import list_events
from models.case import Case, CaseAgency, CaseFlag, CaseIdentity, ImportBatch
from models.case_query import count_cases, list_cases, parse_where
from models.crypto import load_cipher
from models.errors import ImportFileError, InputError, NotFoundError
from models.settings import Settings
from tests.builders import NOW, load_agencies, register_row, write_csv


def counts(session: Session) -> dict[str, int]:
    return {
        table.__name__: session.execute(select(func.count()).select_from(table)).scalar_one()
        for table in (Case, CaseFlag, CaseAgency, CaseIdentity, ImportBatch)
    }


def run_import(session: Session, settings: Settings, path: Path, days_later: int = 0):  # type: ignore[no-untyped-def]
    summary = import_case_file(
        session=session,
        path=path,
        settings=settings,
        actor="test",
        now=NOW + timedelta(days=days_later),
    )
    session.commit()
    return summary


@pytest.fixture
def with_agencies(session: Session, tmp_path: Path) -> None:
    load_agencies(session=session, tmp_path=tmp_path)


IDENTIFYING = dict(
    child_name="Zebedee Quillfeather",
    nhs_number="9434765919",
    date_of_birth="2015-06-01",
    ref_police="PN-778899",
)


@pytest.mark.usefixtures("with_agencies")
def test_a_register_import_creates_cases_flags_agencies_and_identities(
    session: Session, settings: Settings, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "r.csv",
        [
            register_row(case_ref="DA-1", flags="domestic_abuse;neglect", **IDENTIFYING),
            register_row(case_ref="DA-2", category="CP", agencies="health"),
        ],
    )
    summary = run_import(session, settings, path)
    assert (summary.rows, summary.created, summary.updated, summary.deactivated) == (2, 2, 0, 0)
    assert counts(session) == {
        "Case": 2,
        "CaseFlag": 3,
        "CaseAgency": 3,
        "CaseIdentity": 1,
        "ImportBatch": 2,
    }
    first, second = list_cases(session=session, where=parse_where([]))
    assert (first.case_ref, first.age_band, first.flags) == (
        "DA-1",
        "10-15",
        ["domestic_abuse", "neglect"],
    )
    assert second.agencies == ["health"]
    [event] = list_events(session=session, action="cases.imported")
    assert event.details["created"] == 2
    assert "Zebedee" not in str(event.details)


@pytest.mark.usefixtures("with_agencies")
def test_re_importing_the_same_register_changes_nothing(
    session: Session, settings: Settings, tmp_path: Path
) -> None:
    rows = [register_row(case_ref=f"DA-{n}", **IDENTIFYING) for n in range(1, 30)]
    path = write_csv(tmp_path / "r.csv", rows)
    run_import(session, settings, path)
    before = counts(session)
    summary = run_import(session, settings, path, days_later=1)
    assert (summary.created, summary.updated, summary.unchanged) == (0, 0, 29)
    after = counts(session)
    assert after == {**before, "ImportBatch": before["ImportBatch"] + 1}


@pytest.mark.usefixtures("with_agencies")
def test_a_new_extract_updates_changed_cases_and_marks_missing_ones_inactive(
    session: Session, settings: Settings, tmp_path: Path
) -> None:
    run_import(
        session,
        settings,
        write_csv(
            tmp_path / "a.csv",
            [
                register_row(case_ref="DA-1"),
                register_row(case_ref="DA-2"),
                register_row(case_ref="DA-3"),
            ],
        ),
    )
    summary = run_import(
        session,
        settings,
        write_csv(
            tmp_path / "b.csv",
            [
                register_row(case_ref="DA-1", category="CP", flags="s47", agencies="education"),
                register_row(case_ref="DA-2"),
            ],
        ),
        days_later=7,
    )
    assert (summary.created, summary.updated, summary.unchanged, summary.deactivated) == (
        0,
        1,
        1,
        1,
    )
    cases = {c.case_ref: c for c in list_cases(session=session, where=parse_where(["status=all"]))}
    assert (cases["DA-1"].category, cases["DA-1"].flags, cases["DA-1"].agencies) == (
        "CP",
        ["s47"],
        ["education"],
    )
    assert [cases[r].active for r in ("DA-1", "DA-2", "DA-3")] == [True, True, False]
    assert count_cases(session=session, where=parse_where([])) == 2
    summary = run_import(
        session,
        settings,
        write_csv(tmp_path / "c.csv", [register_row(case_ref="DA-3")]),
        days_later=14,
    )
    assert (summary.updated, summary.deactivated) == (1, 2)
    assert [c.case_ref for c in list_cases(session=session, where=parse_where([]))] == ["DA-3"]


@pytest.mark.usefixtures("with_agencies")
def test_a_file_with_one_bad_row_imports_nothing(
    session: Session, settings: Settings, tmp_path: Path
) -> None:
    run_import(session, settings, write_csv(tmp_path / "a.csv", [register_row(case_ref="DA-1")]))
    before = counts(session)
    bad = write_csv(
        tmp_path / "b.csv",
        [register_row(case_ref="DA-2"), register_row(case_ref="DA-3", agencies="mi5")],
    )
    with pytest.raises(ImportFileError, match="line 3, column agencies: unknown agency code"):
        run_import(session, settings, bad)
    session.rollback()
    assert counts(session) == before


@pytest.mark.usefixtures("with_agencies")
def test_identities_are_unreadable_in_the_raw_database(
    session: Session, settings: Settings, tmp_path: Path, engine: Engine
) -> None:
    run_import(
        session,
        settings,
        write_csv(tmp_path / "r.csv", [register_row(case_ref="DA-1", **IDENTIFYING)]),
    )
    if engine.dialect.name == "sqlite":
        session.close()
        engine.dispose()
        database = engine.url.database
        assert database is not None
        raw = b"".join(p.read_bytes() for p in Path(database).parent.glob("jointaudit.db*"))
    else:
        raw = b"".join(
            bytes(row[0]) + str(row[1:]).encode()
            for row in session.execute(text("SELECT ciphertext, key_id FROM case_identity"))
        )
        raw += str(session.execute(text("SELECT * FROM case_record")).all()).encode()
    assert b"DA-1" in raw or engine.dialect.name != "sqlite"
    for secret in (b"Zebedee", b"Quillfeather", b"9434765919", b"2015-06-01", b"PN-778899"):
        assert secret not in raw


@pytest.mark.usefixtures("with_agencies")
def test_revealing_an_identity_decrypts_it_and_records_who_looked(
    session: Session, settings: Settings, tmp_path: Path
) -> None:
    run_import(
        session,
        settings,
        write_csv(
            tmp_path / "r.csv",
            [register_row(case_ref="DA-1", **IDENTIFYING), register_row(case_ref="DA-2")],
        ),
    )
    identity = reveal_identity(
        session=session,
        case_ref="DA-1",
        cipher=load_cipher(settings),
        actor="coordinator@x",
        reason="moderation",
        now=NOW,
    )
    assert identity.child_name == "Zebedee Quillfeather"
    assert identity.references == {"police": "PN-778899"}
    [event] = list_events(session=session, action="identity.viewed")
    assert (event.actor, event.details) == ("coordinator@x", {"reason": "moderation"})
    with pytest.raises(NotFoundError, match="no identifying details held for case 'DA-2'"):
        reveal_identity(
            session=session,
            case_ref="DA-2",
            cipher=load_cipher(settings),
            actor="c",
            reason="r",
            now=NOW,
        )


@pytest.mark.usefixtures("with_agencies")
def test_cases_are_filtered_by_category_flag_and_agency(
    session: Session, settings: Settings, tmp_path: Path
) -> None:
    run_import(
        session,
        settings,
        write_csv(
            tmp_path / "r.csv",
            [
                register_row(case_ref="A", category="CP", flags="neglect", agencies="police"),
                register_row(
                    case_ref="B", category="CIN", flags="domestic_abuse;s47", agencies="csc"
                ),
                register_row(
                    case_ref="C", category="EH", flags="domestic_abuse", agencies="police"
                ),
            ],
        ),
    )

    def refs(*where: str) -> list[str]:
        return [c.case_ref for c in list_cases(session=session, where=parse_where(list(where)))]

    assert refs("flag=domestic_abuse") == ["B", "C"]
    assert refs("category=cp,eh") == ["A", "C"]
    assert refs("flag=domestic_abuse", "agency=police") == ["C"]
    assert refs("flag=s47,neglect") == ["A", "B"]
    with pytest.raises(InputError, match="unknown key 'postcode'"):
        parse_where(["postcode=N1"])
    with pytest.raises(InputError, match="expected KEY=VALUE"):
        parse_where(["flag"])


@pytest.mark.usefixtures("with_agencies")
def test_a_later_extract_rewrites_held_identities_and_adds_new_ones_each_to_its_case(
    session: Session, settings: Settings, tmp_path: Path
) -> None:
    first = [register_row(case_ref="DA-1", child_name="Old Name"), register_row(case_ref="DA-3")]
    run_import(session, settings, write_csv(tmp_path / "a.csv", first))
    later = [
        register_row(case_ref="DA-2", child_name="Second Child", nhs_number="9434765919"),
        register_row(case_ref="DA-1", child_name="New Name"),
        register_row(case_ref="DA-3", child_name="Third Child"),
    ]
    summary = run_import(session, settings, write_csv(tmp_path / "b.csv", later), days_later=1)
    assert (summary.created, summary.updated, summary.unchanged) == (1, 0, 2)

    def name_of(case_ref: str) -> str | None:
        return reveal_identity(
            session=session,
            case_ref=case_ref,
            cipher=load_cipher(settings),
            actor="c",
            reason="check",
            now=NOW,
        ).child_name

    assert [name_of(ref) for ref in ("DA-1", "DA-2", "DA-3")] == [
        "New Name",
        "Second Child",
        "Third Child",
    ]
    assert counts(session)["CaseIdentity"] == 3
