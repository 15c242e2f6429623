"""The optional `agreement: nominal` of a shared question with an ordered scale."""

from __future__ import annotations

from typing import Any

import pytest

from models.questionnaire import canonical_json, read_tool
from models.questionnaire.catalog import BUILTIN_DIR
from tests.models.test_questionnaire import OWN_YES_NO, only_problem, parse, tool_data

SHARED_GRADE: dict[str, Any] = {
    "id": "plan_quality",
    "type": "ofsted_grade",
    "shared": True,
    "text": "How good was the child protection plan?",
}


def test_tools_that_do_not_set_agreement_keep_their_versions() -> None:
    # The built-in tools' versions before questions could have `agreement`.
    expected = {"domestic-abuse": "dcb2a88beec7", "s47-strategy": "efe4890efda5"}
    for name, version in expected.items():
        tool = read_tool(BUILTIN_DIR / f"{name}.yaml")
        assert "agreement" not in canonical_json(tool)
        assert tool.version == version


def test_agreement_nominal_is_part_of_the_meaning_of_a_tool() -> None:
    plain = parse(tool_data(SHARED_GRADE))
    nominal = parse(tool_data({**SHARED_GRADE, "agreement": "nominal"}))
    assert nominal.question("plan_quality").agreement == "nominal"
    assert plain.question("plan_quality").agreement is None
    assert nominal.version != plain.version
    assert '"agreement":"nominal"' in canonical_json(nominal)


@pytest.mark.parametrize(
    "definition",
    [
        {**OWN_YES_NO, "shared": True},  # an unordered scale
        {**SHARED_GRADE, "shared": False},  # an own-practice question
    ],
    ids=["unordered scale", "own practice"],
)
def test_agreement_nominal_is_refused_where_there_is_no_ordered_shared_scale(
    definition: dict[str, Any],
) -> None:
    problem = only_problem(tool_data({**definition, "agreement": "nominal"}))
    assert problem.where.endswith("sections[1].questions[0].agreement")
    assert "only to shared questions with an ordered scale" in problem.message


def test_agreement_accepts_only_nominal() -> None:
    problem = only_problem(tool_data({**SHARED_GRADE, "agreement": "ordinal"}))
    assert problem.where.endswith("sections[1].questions[0].agreement")
