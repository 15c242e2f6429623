"""A tool's version is the hash of its meaning: formatting never changes it, meaning always does."""

from __future__ import annotations

import copy
import functools
import hashlib
import re
from collections.abc import Callable
from typing import Any

import yaml
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from models.questionnaire import Tool, canonical_form, canonical_json, read_tool
from models.questionnaire.catalog import BUILTIN_DIR


def _words(node: Any, key: str = "") -> Any:
    """The parsed YAML with unquoted yes/no answers (YAML 1.1 booleans) as the words meant."""
    if isinstance(node, dict):
        return {k: _words(value, k) for k, value in node.items()}
    if isinstance(node, list):
        return [
            ("yes" if item else "no") if key == "met" and isinstance(item, bool) else _words(item)
            for item in node
        ]
    return node


BUILT_INS = {
    name: _words(yaml.safe_load((BUILTIN_DIR / f"{name}.yaml").read_text(encoding="utf-8")))
    for name in ("domestic-abuse", "s47-strategy", "neglect")
}
SET_LIKE_LISTS = {"met", "applies_to", "category", "flags", "age_band"}
TEXT_KEYS = {
    "text",
    "finding",
    "guidance",
    "title",
    "description",
    "label",
    "action",
    "success_measure",
    "working_together",
}
FRAME_IDS = {"known_to_agency", "good_practice", "areas_for_development", "recommendations"}

hypothesis_settings = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@functools.lru_cache(maxsize=8)
def version_of(text: str) -> str:
    return read_tool("tool.yaml", text=text).version


def dump(data: Any) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def reshape(draw: st.DrawFn, node: Any, key: str = "") -> Any:
    """The same meaning: keys and set-like lists reordered, text re-spaced at its ends."""
    if isinstance(node, dict):
        keys = draw(st.permutations(list(node)))
        return {k: reshape(draw, node[k], k) for k in keys}
    if isinstance(node, list):
        items = [reshape(draw, item) for item in node]
        return draw(st.permutations(items)) if key in SET_LIKE_LISTS else items
    if isinstance(node, str) and key in TEXT_KEYS:
        # Folded YAML text ends in a newline; the model strips the ends of every string.
        ends = st.sampled_from(["", " ", "  ", "\t"])
        return draw(ends) + node.strip() + draw(ends)
    return node


def add_comments(draw: st.DrawFn, text: str) -> str:
    """Comments on their own lines and at line ends (the dump has one scalar per line)."""
    lines = []
    for line in text.splitlines():
        if draw(st.booleans()):
            lines.append(" " * draw(st.integers(0, 6)) + "# a reviewer's note")
        suffix = (
            "  # why this matters" if line.rstrip().endswith(":") and draw(st.booleans()) else ""
        )
        lines.append(line + suffix)
    return "\n".join(lines) + "\n"


@st.composite
def reformatted(draw: st.DrawFn) -> tuple[str, str]:
    """(the original YAML text, the same tool reformatted)."""
    name = draw(st.sampled_from(sorted(BUILT_INS)))
    original = (BUILTIN_DIR / f"{name}.yaml").read_text(encoding="utf-8")
    flow = draw(st.sampled_from([False, True, None]))
    comments = flow is False and draw(st.booleans())
    data = reshape(draw, BUILT_INS[name])
    text = yaml.safe_dump(
        data,
        sort_keys=False,
        default_flow_style=flow,
        indent=draw(st.integers(2, 8)),
        width=10_000 if comments else draw(st.sampled_from([30, 80, 10_000])),
        allow_unicode=draw(st.booleans()),
    )
    if comments:
        text = add_comments(draw, text)
        assert yaml.safe_load(text) == data
    return original, text


@hypothesis_settings
@given(reformatted())
def test_the_version_does_not_change_when_the_yaml_is_reformatted(pair: tuple[str, str]) -> None:
    original, text = pair
    assert version_of(text) == version_of(original)


Location = tuple[int, int]
Mutation = Callable[[dict[str, Any]], bool]


def _questions(data: dict[str, Any]) -> list[tuple[Location, dict[str, Any]]]:
    return [
        ((s, q), question)
        for s, section in enumerate(data["sections"])
        for q, question in enumerate(section["questions"])
    ]


def _other_value(draw: st.DrawFn, values: list[Any], current: Any) -> Any:
    return draw(st.sampled_from([v for v in values if v != current]))


def meaning_changes(
    draw: st.DrawFn,
) -> dict[str, tuple[Callable[[dict[str, Any]], bool], Mutation]]:
    """Named edits of meaning: which questions they apply to, and the edit."""

    def reword(q: dict[str, Any]) -> bool:
        q["text"] = q["text"] + draw(st.sampled_from([" (in the period)", " now", "!"]))
        return True

    def reguide(q: dict[str, Any]) -> bool:
        q["guidance"] = q.get("guidance", "") + " Check the chronology too."
        return True

    def toggle_required(q: dict[str, Any]) -> bool:
        q["required"] = not q.get("required", True)
        return True

    def relabel_option(q: dict[str, Any]) -> bool:
        option = draw(st.sampled_from(q["options"]))
        option["label"] = option["label"] + " (amended)"
        return True

    def add_option(q: dict[str, Any]) -> bool:
        q["options"].append({"id": "added_option", "label": "Another answer"})
        return True

    def change_standard(q: dict[str, Any]) -> bool:
        standard = q["standard"]
        if "min_score" in standard:
            standard["min_score"] = _other_value(draw, list(range(11)), standard["min_score"])
        elif "partly_counts_as" in standard and draw(st.booleans()):
            values = ["met", "not_met", "half"]
            standard["partly_counts_as"] = _other_value(draw, values, standard["partly_counts_as"])
        else:
            choices = {
                "yes_no_na": ["yes", "no"],
                "yes_partly_no_na": ["yes", "no"],
                "ofsted_grade": ["outstanding", "good", "requires_improvement", "inadequate"],
                "rag": ["red", "amber", "green"],
            }.get(q["type"]) or [o["id"] for o in q["options"]]
            current = set(standard["met"])
            subsets = [[c] for c in choices if {c} != current] + [choices[:2]]
            standard["met"] = _other_value(draw, subsets, standard["met"])
            assume(set(standard["met"]) != current)
        return True

    def change_rollup(q: dict[str, Any]) -> bool:
        q["rollup"] = _other_value(draw, ["all", "any", "majority"], q.get("rollup", "majority"))
        return True

    def change_action(q: dict[str, Any]) -> bool:
        rule = q["action_rule"]
        if draw(st.booleans()):
            rule["threshold_percent"] = _other_value(draw, [50, 75, 95], rule["threshold_percent"])
        else:
            rule["success_measure"] = rule["success_measure"] + " within six months"
        return True

    def limit_agencies(q: dict[str, Any]) -> bool:
        q["applies_to"] = [*q.get("applies_to", []), "youth-justice"]
        return True

    def own_practice(q: dict[str, Any]) -> bool:
        q["shared"] = False
        q.pop("rollup", None)
        return True

    def restate(q: dict[str, Any]) -> bool:
        q["finding"] = q["finding"] + " in every case"
        return True

    def editable(q: dict[str, Any]) -> bool:
        return q["id"] not in FRAME_IDS

    return {
        "reword": (lambda q: True, reword),
        "reguide": (lambda q: True, reguide),
        "toggle_required": (editable, toggle_required),
        "relabel_option": (lambda q: "options" in q, relabel_option),
        "add_option": (lambda q: "options" in q, add_option),
        "change_standard": (lambda q: "standard" in q, change_standard),
        "change_rollup": (lambda q: q.get("shared") and "standard" in q, change_rollup),
        "change_action": (lambda q: "action_rule" in q, change_action),
        "limit_agencies": (editable, limit_agencies),
        "own_practice": (lambda q: bool(q.get("shared")), own_practice),
        "restate": (lambda q: "finding" in q, restate),
    }


def swap_questions(draw: st.DrawFn, data: dict[str, Any]) -> None:
    sections = [
        s for s in data["sections"] if len(s["questions"]) > 2 and s is not data["sections"][-1]
    ]
    section = draw(st.sampled_from(sections))
    index = draw(st.integers(0, len(section["questions"]) - 2))
    questions = section["questions"]
    questions[index], questions[index + 1] = questions[index + 1], questions[index]


@st.composite
def changed_in_meaning(draw: st.DrawFn) -> tuple[str, str, str]:
    """(the original YAML, the YAML after one edit of meaning, the edit's name)."""
    name = draw(st.sampled_from(sorted(BUILT_INS)))
    data = copy.deepcopy(BUILT_INS[name])
    changes = meaning_changes(draw)
    kind = draw(st.sampled_from([*sorted(changes), "swap_questions", "retitle_section"]))
    if kind == "swap_questions":
        swap_questions(draw, data)
    elif kind == "retitle_section":
        draw(st.sampled_from(data["sections"]))["title"] += " and follow-up"
    else:
        applies, change = changes[kind]
        candidates = [q for _, q in _questions(data) if applies(q)]
        assume(candidates)
        change(draw(st.sampled_from(candidates)))
    return dump(BUILT_INS[name]), dump(data), kind


@hypothesis_settings
@given(changed_in_meaning())
def test_the_version_changes_when_the_meaning_changes(edit: tuple[str, str, str]) -> None:
    original, changed, kind = edit
    event(kind)
    assert version_of(changed) != version_of(original), kind


def test_the_version_is_the_start_of_the_sha256_of_the_canonical_json() -> None:
    tool = read_tool(BUILTIN_DIR / "domestic-abuse.yaml")
    expected = hashlib.sha256(canonical_json(tool).encode("utf-8")).hexdigest()[:12]
    assert tool.version == expected
    assert re.fullmatch(r"[0-9a-f]{12}", tool.version)


def test_spelling_out_every_default_keeps_the_version() -> None:
    tool = read_tool(BUILTIN_DIR / "s47-strategy.yaml")
    spelt_out = dump(canonical_form(tool))
    assert "allow_na: true" in spelt_out
    assert version_of(spelt_out) == tool.version


def test_a_tool_rebuilt_from_its_canonical_form_has_the_same_version() -> None:
    for name in BUILT_INS:
        tool = read_tool(BUILTIN_DIR / f"{name}.yaml")
        assert Tool.model_validate(canonical_form(tool)).version == tool.version


def test_the_built_in_tools_have_different_versions() -> None:
    versions = {read_tool(BUILTIN_DIR / f"{name}.yaml").version for name in BUILT_INS}
    assert len(versions) == len(BUILT_INS) == 3


def test_a_tool_without_findings_keeps_the_version_it_had_before_questions_had_them() -> None:
    data = copy.deepcopy(BUILT_INS["s47-strategy"])
    for _, question in _questions(data):
        question.pop("finding", None)
    tool = read_tool("tool.yaml", text=dump(data))
    assert "finding" not in canonical_json(tool)
    # The version s47-strategy had before `finding` existed (and it had none).
    assert tool.version == "e9b651887370"
