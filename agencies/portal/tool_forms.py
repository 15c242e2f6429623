"""The tool editor's forms: a question, a section or the tool's details, read into tool data.

Each form gives plain data for the tool (as in its YAML) and the errors of its own fields;
`field_of` places a problem the whole tool's validation found at the field that caused it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from models.questionnaire import LABELS
from models.questionnaire.conditions import AGE_BANDS, CONDITION_ATTRIBUTES
from models.questionnaire.located import Loc
from models.questionnaire.tool_diff import TYPE_LABELS

Form = Mapping[str, Any]  # a form's values: text, or a list for checkboxes
WITH_ANSWERS = {
    "yes_no_na": ("yes", "no"),
    "yes_partly_no_na": ("yes", "no"),
    "ofsted_grade": ("outstanding", "good", "requires_improvement", "inadequate"),
    "rag": ("red", "amber", "green"),
}
CHOICE_TYPES = ("single_choice", "multi_choice")
UNMEASURED = ("number", "date", "text")
ACTION_FIELDS = {
    "threshold_percent": "action_threshold",
    "action": "action_text",
    "success_measure": "action_measure",
    "owner_hint": "action_owner",
}
EXTRA_FIELDS = {
    "scale_0_10": ("low_label", "high_label"),
    "number": ("unit", "min_value", "max_value"),
    "text": ("max_length",),
}
BLANK_OPTION_ROWS = 2


def _text(form: Form, name: str) -> str:
    value = form.get(name, "")
    return (value if isinstance(value, str) else "").strip()


def _list(form: Form, name: str) -> list[str]:
    value = form.get(name, [])
    values = [value] if isinstance(value, str) else list(value)
    return [v.strip() for v in values if isinstance(v, str) and v.strip()]


def _yes(form: Form, name: str, default: bool) -> bool:
    value = _text(form, name)
    return default if value == "" else value == "yes"


def _number(form: Form, name: str, errors: dict[str, str], label: str) -> float | None:
    value = _text(form, name).removesuffix("%").strip()
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        errors[name] = f"{label} must be a number, like 80"
        return None


def condition_of(form: Form) -> dict[str, list[str]] | None:
    """The `applies_when` of the form's case checkboxes; None when none is ticked."""
    condition = {a: _list(form, f"when_{a}") for a in CONDITION_ATTRIBUTES}
    condition = {a: values for a, values in condition.items() if values}
    return condition or None


def slug_of(text: str, taken: set[str]) -> str:
    """An id for a new question from its wording: `was_the_child_seen`, unique in the tool."""
    words = re.findall(r"[a-z0-9]+", text.lower())[:6]
    base = "_".join(words)[:36].strip("_") or "question"
    if not base[0].isalpha():
        base = f"q_{base}"
    candidate, number = base, 2
    while candidate in taken:
        candidate, number = f"{base}_{number}", number + 1
    return candidate


def _standard(form: Form, kind: str, errors: dict[str, str]) -> dict[str, Any] | None:
    if kind in UNMEASURED:
        return None
    if kind == "scale_0_10":
        score = _number(form, "min_score", errors, "The lowest score that meets the standard")
        return None if score is None else {"min_score": int(score) if score.is_integer() else score}
    met = _list(form, "met")
    if not met:
        return None
    standard: dict[str, Any] = {"met": met}
    if kind == "yes_partly_no_na":
        standard["partly_counts_as"] = _text(form, "partly_counts_as") or None
        if standard["partly_counts_as"] is None:
            errors["partly_counts_as"] = "Select how a Partly answer counts"
    if kind == "multi_choice":
        standard["match"] = _text(form, "match") or "all"
    return standard


def _options(form: Form, errors: dict[str, str]) -> list[dict[str, str]]:
    options: list[dict[str, str]] = []
    index = 0
    while f"option_label_{index}" in form or f"option_id_{index}" in form:
        label, option_id = _text(form, f"option_label_{index}"), _text(form, f"option_id_{index}")
        hint = _text(form, f"option_hint_{index}")
        if label or option_id:
            taken = {option["id"] for option in options}
            option = {"id": option_id or slug_of(label, taken), "label": label, "hint": hint}
            if not label:
                errors[f"option_label_{index}"] = f"Enter the label of option {index + 1}"
            options.append(option)
        index += 1
    return options


def question_from_form(
    form: Form, *, kind: str, question_id: str, errors: dict[str, str]
) -> dict[str, Any]:
    """The question the form describes, as tool data; field problems go into `errors`."""
    question: dict[str, Any] = {"id": question_id, "type": kind, "text": _text(form, "text")}
    if not question["text"]:
        errors["text"] = "Enter the question's wording"
    question["guidance"] = _text(form, "guidance")
    question["required"] = _yes(form, "required", True)
    question["shared"] = _yes(form, "shared", False)
    if kind != "text":
        question["allow_na"] = _yes(form, "allow_na", True)
    question["applies_to"] = _list(form, "applies_to")
    question["applies_when"] = condition_of(form)
    question["finding"] = _text(form, "finding") or None
    question["standard"] = _standard(form, kind, errors)
    question["rollup"] = _text(form, "rollup") or None
    threshold = _number(form, "action_threshold", errors, "The action threshold")
    action, measure = _text(form, "action_text"), _text(form, "action_measure")
    if threshold is not None or action or measure:
        needed = {
            "action_threshold": (threshold is None, "Enter the threshold, a per cent like 80"),
            "action_text": (not action, "Enter the action to suggest"),
            "action_measure": (not measure, "Enter how success will be measured"),
        }
        for name, (missing, text) in needed.items():
            if missing:
                errors.setdefault(name, text)
        question["action_rule"] = {
            "threshold_percent": int(threshold) if threshold is not None else None,
            "action": action,
            "success_measure": measure,
            "owner_hint": _text(form, "action_owner") or None,
        }
    for name in EXTRA_FIELDS.get(kind, ()):
        if name in ("min_value", "max_value", "max_length"):
            value = _number(form, name, errors, name.replace("_", " ").capitalize())
            if value is not None:
                question[name] = int(value) if name == "max_length" else value
        else:
            question[name] = _text(form, name)
    if kind == "number":
        question["whole_number"] = _yes(form, "whole_number", True)
    if kind in CHOICE_TYPES:
        question["options"] = _options(form, errors)
        if kind == "single_choice":
            question["ordered"] = _yes(form, "ordered", False)
    return question


def form_of_question(question: Mapping[str, Any]) -> dict[str, Any]:
    """The form's values showing a question (the inverse of `question_from_form`)."""
    values: dict[str, Any] = {
        key: question.get(key) or ""
        for key in ("text", "guidance", "finding", "rollup", "low_label", "high_label", "unit")
    }
    for key in ("required", "shared", "allow_na", "whole_number", "ordered"):
        if key in question:
            values[key] = "yes" if question[key] else "no"
    for key in ("min_value", "max_value", "max_length"):
        values[key] = "" if question.get(key) is None else f"{question[key]:g}"
    values["applies_to"] = list(question.get("applies_to") or [])
    condition = question.get("applies_when") or {}
    for attribute in CONDITION_ATTRIBUTES:
        values[f"when_{attribute}"] = list(condition.get(attribute) or [])
    standard = question.get("standard") or {}
    values["met"] = list(standard.get("met") or [])
    values["partly_counts_as"] = standard.get("partly_counts_as") or ""
    values["match"] = standard.get("match") or "all"
    values["min_score"] = "" if standard.get("min_score") is None else str(standard["min_score"])
    rule = question.get("action_rule") or {}
    values["action_threshold"] = str(rule.get("threshold_percent") or "")
    values["action_text"] = rule.get("action") or ""
    values["action_measure"] = rule.get("success_measure") or ""
    values["action_owner"] = rule.get("owner_hint") or ""
    options = list(question.get("options") or [])
    values["options"] = options + [{"id": "", "label": "", "hint": ""}] * BLANK_OPTION_ROWS
    return values


def met_choices(kind: str, options: Sequence[Mapping[str, Any]]) -> list[tuple[str, str]]:
    """The answers a standard can name for this type of question, with their labels."""
    if kind in CHOICE_TYPES:
        return [(o["id"], o["label"]) for o in options if o.get("id") and o.get("label")]
    return [(value, LABELS[value]) for value in WITH_ANSWERS.get(kind, ())]


def type_choices() -> list[tuple[str, str]]:
    """Every type of question, in plain words."""
    return list(TYPE_LABELS.items())


def age_band_choices() -> list[tuple[str, str]]:
    """The register's age bands."""
    return [
        (band, band.replace("under-1", "Under 1").replace("18+", "18 or over"))
        for band in AGE_BANDS
    ]


def field_of(loc: Loc, prefix: Loc) -> str | None:
    """The form field a problem at `loc` belongs to, when it lies under `prefix`; else None."""
    if loc[: len(prefix)] != prefix:
        return None
    rest = loc[len(prefix) :]
    if not rest:
        return "text"
    key = str(rest[0])
    if key == "standard":
        part = str(rest[1]) if len(rest) > 1 else "met"
        return part if part in ("partly_counts_as", "min_score", "match") else "met"
    if key == "action_rule":
        return ACTION_FIELDS.get(str(rest[1]) if len(rest) > 1 else "", "action_threshold")
    if key == "applies_when":
        attribute = str(rest[1]) if len(rest) > 1 else "category"
        return f"when_{attribute if attribute in CONDITION_ATTRIBUTES else 'category'}"
    if key == "options":
        index = rest[1] if len(rest) > 1 else 0
        return f"option_{'id' if rest[-1] == 'id' else 'label'}_{index}"
    return key if key != "questions" else "text"
