"""The report's small wording helpers."""

from __future__ import annotations

from flows.report.moderated import grouped_answers
from flows.report.words import and_list


def test_a_list_reads_a_b_and_c() -> None:
    assert and_list([]) == "" and and_list(["Police"]) == "Police"
    assert and_list(["Police", "Health"]) == "Police and Health"
    assert and_list(["Police", "Health", "Education"]) == "Police, Health and Education"


def test_a_name_with_its_own_comma_makes_the_list_take_semicolons() -> None:
    names = ["Northbridge Police", "Public Protection Unit, Probation Service", "Education"]
    assert and_list(names) == (
        "Northbridge Police; Public Protection Unit, Probation Service; and Education"
    )


def test_answers_are_grouped_by_value_with_the_agencies_that_gave_them() -> None:
    names = {"police": "Police", "health": "Health", "education": "Education"}
    answers = {"police": "Yes", "health": "Yes", "education": "No"}
    assert grouped_answers(answers, names) == "Yes: Police, Health; No: Education"


def test_grouped_answers_keep_a_name_with_its_own_comma_whole() -> None:
    names = {
        "csc": "Children's Social Care",
        "probation": "Probation Service, Northbridge delivery unit",
        "police": "Northbridge Police, Public Protection Unit",
    }
    answers = {"csc": "10", "probation": "10", "police": "7"}
    assert grouped_answers(answers, names) == (
        "10: Children's Social Care; and Probation Service, Northbridge delivery unit. "
        "7: Northbridge Police, Public Protection Unit"
    )
