from __future__ import annotations

import json

import pytest

from flows.cli import main
from models.settings import Settings


@pytest.mark.prefect
def test_the_demo_sets_up_imports_a_register_and_reruns_it_through_prefect(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo", "--cases", "60"]) == 0
    out = capsys.readouterr().out
    assert "8 agencies: camhs, csc, education, icb, idva, nhs-trust, police, probation" in out
    assert "60 new, 0 updated" in out
    assert "Prefect flow import-case-register: 60 unchanged, 0 new" in out
    assert main(["demo", "--cases", "60", "--skip-prefect"]) == 0
    assert "0 new, 0 updated, 60 unchanged" in capsys.readouterr().out
    assert main(["cases", "list", "--json", "--limit", "0"]) == 0
    cases = json.loads(capsys.readouterr().out)
    assert len(cases) == 60
    assert not any("child_name" in case or "nhs_number" in case for case in cases)
