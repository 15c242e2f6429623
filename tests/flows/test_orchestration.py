"""Prefect's defaults are set by the command line, never as a side effect of an import."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from flows.orchestration import use_prefect_defaults

ROOT = Path(__file__).parents[2]
IMPORTS = """
import importlib, json, os, sys
before = dict(os.environ)
for name in sys.argv[1:]:
    importlib.import_module(name)
changed = sorted(k for k in set(before) | set(os.environ) if before.get(k) != os.environ.get(k))
print(json.dumps(changed))
"""


def _changed_by_importing(*modules: str) -> list[str]:
    environment = {"PATH": "/usr/bin:/bin", "HOME": "/nonexistent"}
    done = subprocess.run(
        [sys.executable, "-c", IMPORTS, *modules],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    changed: list[str] = json.loads(done.stdout.strip().splitlines()[-1])
    return changed


def test_importing_the_flows_and_the_web_app_leaves_the_environment_alone() -> None:
    modules = ("flows", "flows.rounds.views", "flows.answers.store", "flows.reconcile.flow")
    assert _changed_by_importing(*modules, "flows.dispatch.flow", "agencies.app") == []


def test_the_command_line_sets_prefects_defaults_when_it_is_imported() -> None:
    assert "PREFECT_HOME" in _changed_by_importing("flows.cli")


def test_the_command_lines_defaults_set_prefects_home_under_the_data_folder(
    tmp_path: Path,
) -> None:
    environ = {"JOINTAUDIT_DATA_DIR": str(tmp_path / "var")}
    use_prefect_defaults(environ)
    assert environ["PREFECT_HOME"] == str((tmp_path / "var").resolve() / "prefect")
