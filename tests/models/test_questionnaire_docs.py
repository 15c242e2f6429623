"""The tool format documentation: its complete example is a valid tool and its error is real."""

from __future__ import annotations

from pathlib import Path

import pytest

from models.errors import ImportFileError
from models.questionnaire import QUESTION_TYPES, read_tool

DOCS = Path(__file__).parents[2] / "docs" / "audit-tools.md"


def example() -> str:
    text = DOCS.read_text(encoding="utf-8").split("## A complete example")[1]
    return text.split("```yaml\n")[1].split("```")[0]


def test_the_documented_example_is_a_valid_tool_using_every_question_type() -> None:
    tool = read_tool("neglect.yaml", text=example())
    assert tool.name == "neglect"
    assert {q.type for q in tool.questions()} == set(QUESTION_TYPES)


def test_the_documented_error_is_the_one_jointaudit_reports() -> None:
    anchor = "      - id: tool_used\n        type: yes_no_na\n"
    bad = example().replace(anchor, anchor + "        rollup: majority\n")
    with pytest.raises(ImportFileError) as caught:
        read_tool("neglect.yaml", text=bad)
    [problem] = caught.value.problems
    documented = " ".join(DOCS.read_text(encoding="utf-8").split())
    assert f"neglect.yaml: {problem.where}: {problem.message}" in documented
