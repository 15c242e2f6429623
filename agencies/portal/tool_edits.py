"""Edits of a tool's data for the editor: find, add, move and remove sections and questions."""

from __future__ import annotations

from typing import Any

from models.questionnaire import CLOSING_QUESTION_IDS

Data = dict[str, Any]


def locate(data: Data, question_id: str) -> tuple[int, int] | None:
    """The section and position of a question, if the tool has it."""
    for s_index, section in enumerate(data["sections"]):
        for q_index, question in enumerate(section["questions"]):
            if question["id"] == question_id:
                return s_index, q_index
    return None


def question_ids(data: Data) -> set[str]:
    """Every question id of the tool."""
    return {q["id"] for section in data["sections"] for q in section["questions"]}


def end_of(data: Data, s_index: int) -> int:
    """Where a question added to a section goes: its end, or before the closing questions."""
    questions = data["sections"][s_index]["questions"]
    closing = [i for i, q in enumerate(questions) if q["id"] in CLOSING_QUESTION_IDS]
    return closing[0] if closing and s_index == len(data["sections"]) - 1 else len(questions)


def put_question(data: Data, question: Data, *, s_index: int, replacing: str | None) -> None:
    """Replace a question where it is (or move it to the end of another section), or add it."""
    place = locate(data, replacing) if replacing else None
    if place is not None and place[0] == s_index:
        data["sections"][s_index]["questions"][place[1]] = question
        return
    if place is not None:
        del data["sections"][place[0]]["questions"][place[1]]
    data["sections"][s_index]["questions"].insert(end_of(data, s_index), question)


def move_question(data: Data, question_id: str, step: int) -> None:
    """Move a question up or down; past a section's edge it joins the neighbouring section."""
    place = locate(data, question_id)
    if place is None:
        return
    s_index, q_index = place
    questions = data["sections"][s_index]["questions"]
    target = q_index + step
    if 0 <= target < len(questions):
        questions[q_index], questions[target] = questions[target], questions[q_index]
        return
    neighbour = s_index + step
    if 0 <= neighbour < len(data["sections"]):
        question = questions.pop(q_index)
        others = data["sections"][neighbour]["questions"]
        others.insert(len(others) if step < 0 else 0, question)


def remove_question(data: Data, question_id: str) -> None:
    """Remove a question; a section left without questions goes too."""
    place = locate(data, question_id)
    if place is None:
        return
    s_index, q_index = place
    del data["sections"][s_index]["questions"][q_index]
    if not data["sections"][s_index]["questions"]:
        del data["sections"][s_index]


def move_section(data: Data, s_index: int, step: int) -> None:
    """Swap a section with its neighbour."""
    sections, target = data["sections"], s_index + step
    if 0 <= s_index < len(sections) and 0 <= target < len(sections):
        sections[s_index], sections[target] = sections[target], sections[s_index]


def add_section(data: Data, section: Data) -> int:
    """Add a section before the closing one; its index."""
    index = max(len(data["sections"]) - 1, 1)
    data["sections"].insert(index, section)
    return index
