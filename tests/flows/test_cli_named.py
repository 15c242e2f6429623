"""`jointaudit round launch --named-cases FILE`: the named cases page's launch, from a file."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from sqlmodel import Session, select

from flows.rounds.launch import launch_round
from flows.rounds.named import NAMED_RESPONSE_DAYS
from models.calendar import WorkingDayCalendar, london_date
from models.round import AuditRound
from models.settings import get_settings
from models.types import utcnow
from tests.builders import NOW, import_register, load_agencies, register_of
from tests.cli import Run

NAMED = ("round", "launch", "--tool", "domestic-abuse", "--agencies", "police,csc", "--seed", "7")


@pytest.fixture
def register(session: Session, tmp_path: Path) -> None:
    load_agencies(session=session, tmp_path=tmp_path)
    import_register(
        session=session, tmp_path=tmp_path, rows=register_of(counts={"CP": 3, "CIN": 3})
    )


def _list(tmp_path: Path, text: str) -> str:
    path = tmp_path / "named.txt"
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.mark.usefixtures("register")
def test_named_cases_launch_exactly_the_listed_cases_due_in_five_working_days(
    run: Run, session: Session, tmp_path: Path
) -> None:
    named = _list(tmp_path, "C-0002\nC-0005\n")
    code, out, err = run(*NAMED, "--named-cases", named, "--dry-run", "--json")
    assert code == 0, err
    assert json.loads(out)["case_refs"] == ["C-0002", "C-0005"]
    code, out, err = run(*NAMED, "--named-cases", named, "--idempotency-key", "jtai", "--json")
    assert code == 0, err
    launched = json.loads(out)
    assert launched["case_refs"] == ["C-0002", "C-0005"] and launched["created"] is True
    again = json.loads(
        run(*NAMED, "--named-cases", named, "--idempotency-key", "jtai", "--json")[1]
    )
    assert again["round_id"] == launched["round_id"] and again["created"] is False
    round_ = session.get(AuditRound, launched["round_id"])
    assert round_ is not None and round_.parameters["named_cases"] is True
    calendar = WorkingDayCalendar.with_closures(get_settings().closure_days)
    assert round_.due_date == calendar.add_working_days(london_date(utcnow()), NAMED_RESPONSE_DAYS)


@pytest.mark.usefixtures("register")
def test_the_cli_launches_what_the_named_cases_page_would(
    run: Run, session: Session, tmp_path: Path
) -> None:
    from tests.builders import launch_parameters

    named = _list(tmp_path, "C-0004\nC-0001\nC-0003\n")
    out = run(*NAMED, "--named-cases", named, "--due", "2027-01-15", "--dry-run", "--json")[1]
    params = launch_parameters(
        tool="domestic-abuse",
        agencies=["police", "csc"],
        sample_size=3,
        due_date=date(2027, 1, 15),
    ).model_copy(update={"named_cases": True})
    result = launch_round(
        session=session,
        params=params,
        seed=7,
        idempotency_key="page",
        now=NOW,
        actor="test",
        settings=get_settings(),
        case_list="C-0004\nC-0001\nC-0003\n",
    )
    assert json.loads(out)["case_refs"] == sorted(result.case_refs)


@pytest.mark.usefixtures("register")
def test_unknown_or_repeated_references_are_located_in_the_file(run: Run, tmp_path: Path) -> None:
    named = _list(tmp_path, "C-0002\nNOPE-1\nC-0002\n")
    code, _, err = run(*NAMED, "--named-cases", named, "--dry-run")
    assert code == 1
    assert f"{named}: line 2: no case with this reference in the register" in err
    assert f"{named}: line 3: repeats the case on line 1" in err and "NOPE-1" not in err
    assert json.loads(run("round", "list", "--json")[1]) == []


@pytest.mark.usefixtures("register")
def test_named_cases_refuse_selection_options_and_an_empty_list(run: Run, tmp_path: Path) -> None:
    named = _list(tmp_path, "C-0002\n")
    code, _, err = run(*NAMED, "--named-cases", named, "--sample", "4", "--dry-run")
    assert code == 1 and "leave out --where, --sample" in " ".join(err.split())
    code, _, err = run(*NAMED, "--named-cases", _list(tmp_path, "\n\n"), "--dry-run")
    assert code == 1 and "name at least one case" in err
    code, _, err = run(*NAMED, "--dry-run")
    assert code == 1 and "give --sample and --due (or --named-cases FILE)" in err


def test_the_help_describes_named_cases(run: Run) -> None:
    code, out, _ = run("round", "launch", "--help")
    assert code == 0 and "--named-cases" in out and "Inspection mode" in " ".join(out.split())


@pytest.mark.usefixtures("register")
def test_a_list_over_one_megabyte_is_refused_unread_and_nothing_is_launched(
    run: Run, session: Session, tmp_path: Path
) -> None:
    named = _list(tmp_path, "C-0002\n" * (1024 * 1024 // 7 + 1))
    code, out, err = run(*NAMED, "--named-cases", named, "--json")
    assert code != 0
    message = " ".join((out + err).split())
    assert "more than the 1,048,576 a list of cases may be" in message and "C-0002" not in message
    assert "name fewer cases" in message
    assert session.exec(select(AuditRound)).all() == []
