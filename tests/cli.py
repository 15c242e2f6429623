"""Running the `jointaudit` CLI in-process from tests: the `run` and `partnership` fixtures
(registered in tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from flows.cli import main
from models.db import get_engine
from tests.builders import registry_data, write_yaml

Run = Callable[..., tuple[int, str, str]]
"""Run a CLI command: its exit code, standard output and standard error."""


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Run:
    def run_(*argv: str) -> tuple[int, str, str]:
        code = main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    return run_


@pytest.fixture
def partnership(run: Run, tmp_path: Path) -> Iterator[None]:
    """An initialised database with the example partnership's agencies loaded."""
    assert run("init")[0] == 0
    assert run("agencies", "load", str(write_yaml(tmp_path / "a.yaml", registry_data())))[0] == 0
    yield
    get_engine().dispose()
