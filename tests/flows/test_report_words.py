"""The report's small wording helpers."""

from __future__ import annotations

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
