from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlmodel import Session

from tests.builders import import_register, load_agencies, register_of
from tests.cli import Run

LAUNCH = (
    "round",
    "launch",
    "--tool",
    "domestic-abuse",
    "--agencies",
    "police,csc,health",
    "--sample",
    "9",
    "--where",
    "flag=domestic_abuse",
    "--quota",
    "category=CP:2,CIN:4,EH:3",
    "--due",
    "2027-01-15",
    "--seed",
    "2026",
)


@pytest.fixture
def register(session: Session, tmp_path: Path) -> None:
    load_agencies(session=session, tmp_path=tmp_path)
    import_register(
        session=session, tmp_path=tmp_path, rows=register_of(counts={"CP": 5, "CIN": 8, "EH": 6})
    )


@pytest.mark.usefixtures("register")
def test_a_dry_run_prints_the_selection_and_creates_nothing(run: Run) -> None:
    code, out, _ = run(*LAUNCH, "--dry-run", "--json")
    assert code == 0
    result = json.loads(out)
    assert "round_id" not in result and result["seed"] == 2026 and len(result["case_refs"]) == 9
    assert [s["picked"] for s in result["selection"]["strata"]] == [4, 2, 3]
    code, out, _ = run(*LAUNCH, "--dry-run", "--json")
    assert json.loads(out)["case_refs"] == result["case_refs"]
    assert json.loads(run("round", "list", "--json")[1]) == []


@pytest.mark.usefixtures("register")
def test_launch_errors_are_one_clear_message(run: Run) -> None:
    code, _, err = run(*LAUNCH[:-6], "--quota", "category=CP4", "--due", "2027-01-15")
    assert code == 1 and "'CP4' should look like CP:4" in err
    code, _, err = run(*LAUNCH[:-2], "--seed", "1", "--sample", "50", "--dry-run")
    assert code == 1 and "quotas add up to 9, but the sample size is 50" in err


@pytest.mark.prefect
@pytest.mark.usefixtures("register")
def test_a_launch_runs_through_the_prefect_flow_and_round_show_lists_the_assignments(
    run: Run,
) -> None:
    code, out, err = run(*LAUNCH, "--idempotency-key", "quarter-3", "--json")
    assert code == 0, err
    launched = json.loads(out)
    assert launched["created"] and launched["seed"] == 2026 and len(launched["case_refs"]) == 9
    code, out, _ = run("round", "show", str(launched["round_id"]), "--json")
    detail = json.loads(out)
    assert len(detail["assignments"]) == 27
    assert {"agency", "case_ref", "status"} <= detail["assignments"][0].keys()
    assert {a["case_ref"] for a in detail["assignments"]} == set(launched["case_refs"])
    code, out, _ = run(*LAUNCH, "--idempotency-key", "quarter-3", "--json")
    again = json.loads(out)
    assert (again["round_id"], again["created"]) == (launched["round_id"], False)
    code, out, _ = run("round", "show", str(launched["round_id"]), "--now", "2027-01-18T09:00")
    assert "police" in out and "9" in out
    code, out, _ = run("round", "list", "--json")
    assert [r["round_id"] for r in json.loads(out)] == [launched["round_id"]]


@pytest.mark.prefect
@pytest.mark.usefixtures("register")
def test_a_launch_from_the_command_line_selects_the_cases_once(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    import flows.rounds.launch as launch_module

    calls: list[int] = []
    real_select = launch_module.select_cases

    def counted(*args: object, **kwargs: object) -> object:
        calls.append(1)
        return real_select(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(launch_module, "select_cases", counted)
    code, out, err = run(*LAUNCH, "--idempotency-key", "plan-once", "--json")
    assert code == 0, err
    assert json.loads(out)["seed"] == 2026
    assert len(calls) == 1
    code, _, err = run(*LAUNCH[:-2], "--seed", "1", "--sample", "50")
    assert code == 1 and "quotas add up to 9, but the sample size is 50" in err


@pytest.mark.usefixtures("register")
def test_a_launch_finds_a_partnership_tool_in_the_tools_dir_it_is_given(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from models.questionnaire.catalog import load_tool
    from models.settings import get_settings

    monkeypatch.setenv("JOINTAUDIT_TOOL_DIRS", "[]")  # restored after the launch widens it
    get_settings.cache_clear()
    from tests.builders import write_yaml

    folder = tmp_path / "our-tools"
    folder.mkdir()
    data = load_tool("domestic-abuse").model_dump(mode="json", exclude_none=True)
    write_yaml(folder / "our-da.yaml", {**data, "name": "our-da"})
    ours = [
        "--tool" if a == "--tool" else ("our-da" if a == "domestic-abuse" else a) for a in LAUNCH
    ]
    code, _, err = run(*ours, "--dry-run")
    assert code == 1 and "no audit tool named 'our-da'" in err
    code, out, err = run(*ours, "--tools-dir", str(folder), "--dry-run", "--json")
    assert code == 0, err
    assert len(json.loads(out)["case_refs"]) == 9
