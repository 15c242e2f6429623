from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import typer

from flows.cli import _register_commands, app
from models.settings import Settings, get_settings
from tests.builders import register_row, registry_data, write_csv, write_yaml
from tests.cli import Run

EXAMPLE = Path(__file__).parents[2] / "agencies" / "example" / "agencies.yaml"


@pytest.fixture
def initialised(run: Run) -> None:
    code, out, _ = run("init")
    assert code == 0, out


def test_init_creates_the_key_and_the_database_and_is_safe_to_repeat(
    run: Run, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("JOINTAUDIT_IDENTITY_KEY")
    from models.settings import get_settings

    get_settings.cache_clear()
    code, out, _ = run("init")
    assert code == 0
    assert "Created the key for identifying details" in out
    assert "Database created to revision" in out
    key = (settings.data_dir / "keys" / "identity.key").read_text()
    code, out, _ = run("init")
    assert code == 0 and "up to date" in out
    assert (settings.data_dir / "keys" / "identity.key").read_text() == key


@pytest.mark.usefixtures("initialised")
def test_agencies_load_then_list_as_json(run: Run) -> None:
    code, out, _ = run("agencies", "load", str(EXAMPLE))
    assert code == 0 and "8 agencies created" in out
    code, out, _ = run("agencies", "load", str(EXAMPLE))
    assert "no changes" in out
    code, out, _ = run("agencies", "list", "--json")
    agencies = json.loads(out)
    assert {"code": "police", "name": "Northbridge Police, Public Protection Unit"}.items() <= (
        agencies[6].items()
    )
    assert all({"code", "name", "contacts"} <= a.keys() for a in agencies)


@pytest.mark.usefixtures("initialised")
def test_agencies_export_loads_back_unchanged_and_deactivate_takes_an_agency_out(
    run: Run, tmp_path: Path
) -> None:
    assert run("agencies", "export")[0] == 1
    run("agencies", "load", str(EXAMPLE))
    code, out, _ = run("agencies", "export", "--output", str(tmp_path / "out.yaml"))
    assert code == 0 and "the registry was written" in out
    assert "no changes" in run("agencies", "load", str(tmp_path / "out.yaml"))[1]
    code, out, _ = run("agencies", "deactivate", "camhs")
    assert code == 0 and "Northbridge CAMHS was deactivated" in out
    assert "camhs" not in run("agencies", "export")[1]
    code, _, err = run("agencies", "deactivate", "camhs")
    assert code != 0 and "already inactive" in err


@pytest.mark.usefixtures("initialised")
def test_cases_import_and_list_never_show_identifying_details(run: Run, tmp_path: Path) -> None:
    run("agencies", "load", str(write_yaml(tmp_path / "a.yaml", registry_data())))
    path = write_csv(
        tmp_path / "r.csv",
        [
            register_row(case_ref="DA-1", category="CP", child_name="Wilhelmina Oddsock"),
            register_row(case_ref="DA-2", category="EH"),
        ],
    )
    code, out, _ = run("cases", "import", str(path), "--json")
    assert code == 0
    assert json.loads(out)["created"] == 2
    code, out, _ = run("cases", "list", "--where", "category=CP", "--json")
    [case] = json.loads(out)
    assert case["case_ref"] == "DA-1" and case["agencies"] == ["csc", "police"]
    code, out, _ = run("cases", "list")
    assert "DA-2" in out and "Wilhelmina" not in out
    code, out, _ = run("cases", "identity", "DA-1", "--reason", "checking")
    assert "Wilhelmina Oddsock" in out and "audit log" in out


@pytest.mark.usefixtures("initialised")
def test_a_bad_file_gives_one_clear_message_and_a_non_zero_exit(run: Run, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "r.csv", [register_row(case_ref="DA-1", agencies="mi6")])
    code, _out, err = run("cases", "import", str(path))
    assert code == 1
    assert "r.csv: 1 problem, nothing was imported" in err
    assert "line 2, column agencies: unknown agency code: load it" in err and "mi6" not in err
    assert "Traceback" not in err
    code, _, err = run("--debug", "cases", "import", str(path))
    assert code == 1 and "Traceback" in err


@pytest.mark.usefixtures("initialised")
def test_a_refused_register_is_listed_as_json_and_a_file_over_the_limit_is_refused(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run("agencies", "load", str(write_yaml(tmp_path / "a.yaml", registry_data())))
    row = register_row(case_ref="DA-1", category="XX", child_name="Wilhelmina Oddsock")
    path = write_csv(tmp_path / "r.csv", [row])
    code, out, _ = run("cases", "import", str(path), "--json")
    assert (code, json.loads(out)) == (
        1,
        {
            "imported": False,
            "file": str(path),
            "problems": 1,
            "errors": [
                {
                    "where": "line 2, column category",
                    "message": "unknown category; expected one of EH, CIN, CP, LAC "
                    "(JOINTAUDIT_CASE_CATEGORIES)",
                }
            ],
        },
    )
    monkeypatch.setenv("JOINTAUDIT_REGISTER_MAX_MB", "1")
    get_settings.cache_clear()
    big = write_csv(tmp_path / "big.csv", [register_row(case_ref=f"DA-{n}") for n in range(16_000)])
    code, _, err = run("cases", "import", str(big))
    assert code == 1
    assert "big.csv: 1 problem, nothing was imported" in err
    assert "more than the 1 MB a register may be: set JOINTAUDIT_REGISTER_MAX_MB" in err


def test_a_usage_error_exits_with_status_2(run: Run) -> None:
    code, _, err = run("cases", "list", "--no-such-option")
    assert code == 2 and "No such option" in err


def _commands(group: Any, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = [prefix]
    for name, command in group.commands.items():
        if hasattr(command, "commands"):
            found += _commands(command, (*prefix, name))
        else:
            found.append((*prefix, name))
    return found


def test_every_command_has_help(run: Run) -> None:
    _register_commands()
    commands = _commands(typer.main.get_command(app))
    assert ("cases", "import") in commands and ("agencies", "list") in commands
    for command in commands:
        code, out, _ = run(*command, "--help")
        assert code == 0 and "Usage" in out, command
