"""The findings JSON's published schema and documentation keep up with the models."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema

from flows.reconcile.compute import question_findings
from flows.reconcile.findings import Findings
from flows.reconcile.schema import SCHEMA_PATH, findings_schema, schema_text
from models.answers import ConcernState
from tests.builders import round_answers
from tests.flows.test_reconcile_compute import TOOL

DOCS = Path(__file__).parents[2] / "docs" / "findings.md"


def test_the_published_schema_is_the_one_the_models_generate() -> None:
    published = SCHEMA_PATH.read_text(encoding="utf-8")
    assert published == schema_text(), (
        "docs/findings.schema.json is out of date: run `python -m flows.reconcile.schema`"
    )


def test_every_field_of_the_findings_is_documented() -> None:
    text = DOCS.read_text(encoding="utf-8")
    schema = findings_schema()
    models = {"Findings": schema, **schema["$defs"]}
    for name, model in models.items():
        assert f"(`{name}`)" in text, f"docs/findings.md has no section for {name}"
        for field in model["properties"]:
            assert f"`{field}`" in text, f"docs/findings.md does not document {name}.{field}"


def test_a_real_findings_document_and_the_documented_example_match_the_schema() -> None:
    by_case = {
        "C-0001": {"csc": "good", "health": "inadequate", "police": "na"},
        "C-0002": {"csc": "good", "health": "good", "police": "outstanding"},
        "C-0003": {"csc": "requires_improvement", "health": "good"},
    }
    questions, agenda = question_findings(TOOL, round_answers(answers={"grade": by_case}))
    findings = Findings(
        round_id=3,
        provisional=True,
        concerns={"raised": 0, "acknowledged": 0, "referred": 0, "total": 0},
        not_known={"csc": 0},
        responses={"csc": {"submitted": 3}},
        questions=questions,
        discrepancies=agenda,
    )
    schema = findings_schema()
    jsonschema.validate(findings.model_dump(mode="json"), schema)
    example = re.search(r"## An example\n\n```json\n(.*?)```", DOCS.read_text("utf-8"), re.S)
    assert example is not None
    jsonschema.validate(json.loads(example.group(1)), schema)
    broken = findings.model_dump(mode="json")
    del broken["discrepancies"][0]["standard_split"]
    try:
        jsonschema.validate(broken, schema)
    except jsonschema.ValidationError as error:
        assert "standard_split" in error.message
    else:
        raise AssertionError("a document without standard_split passed the schema")


def test_the_documented_concern_counts_name_every_recorded_state() -> None:
    text = DOCS.read_text(encoding="utf-8")
    row = next(line for line in text.splitlines() if line.startswith("| `concerns` |"))
    example = re.search(r'"concerns": (\{[^}]*\})', text)
    assert example is not None
    for state in [*ConcernState, "total"]:
        assert f"`{state}`" in row, state
        assert state in json.loads(example.group(1)), state
