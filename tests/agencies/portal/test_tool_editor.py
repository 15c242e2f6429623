"""The tool editor: drafts copied from a tool, each edit validated, versions by meaning."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from models.questionnaire import Tool, canonical_form, read_tool
from models.questionnaire.catalog import list_tools, load_tool
from models.round import AuditRound
from models.tool_version import ToolVersion
from tests.agencies.portal.conftest import Portal
from tests.agencies.portal.tool_helpers import (
    COORDINATOR,
    copy_tool,
    form_values,
    save_question,
    version_of,
)

EDIT = "/coordinator/tools/da-local/edit"


def _save(portal: Portal) -> Any:
    return portal.post(f"{EDIT}/save")


def _saved_copy(portal: Portal, tools_dir: Path) -> str:
    """Copy domestic-abuse as da-local and save it unchanged; its version."""
    portal.sign_in(COORDINATOR)
    assert copy_tool(portal, "domestic-abuse", "da-local").status_code == 303
    assert _save(portal).status_code == 303
    return read_tool(tools_dir / "da-local.yaml").version


def _stored_versions(portal: Portal, name: str) -> set[str]:
    with Session(portal.engine) as session:
        query = select(ToolVersion.version).where(col(ToolVersion.name) == name)
        return set(session.exec(query))


def test_editing_only_a_questions_wording_gives_a_new_version_and_rounds_keep_theirs(
    tools: Portal, tools_dir: Path
) -> None:
    first = _saved_copy(tools, tools_dir)
    wording = "Was information about the abuse shared between agencies in time?"
    assert save_question(tools, "da-local", "info_sharing", text=wording).status_code == 303
    check = tools.client.get(f"{EDIT}/check").text
    assert f"What changed since version {first}" in check
    assert '<td class="govuk-table__cell">Wording</td>' in check and wording in check
    assert _save(tools).status_code == 303
    saved = read_tool(tools_dir / "da-local.yaml")
    assert saved.version != first and saved.question("info_sharing").text == wording
    before = canonical_form(read_tool(tools_dir / "da-local.yaml"))
    before["sections"][1]["questions"][0]["text"] = (
        load_tool("domestic-abuse").question("info_sharing").text
    )
    assert Tool.model_validate(before).version == first  # the wording was all that changed
    assert _stored_versions(tools, "da-local") == {first, saved.version}
    with Session(tools.engine) as session:
        round_ = session.get(AuditRound, tools.round_id)
        assert round_ is not None
        launched = session.get(ToolVersion, round_.tool_version_id)
        assert launched is not None and launched.version == version_of("domestic-abuse")
    library = tools.client.get("/coordinator/tools").text
    assert first in library and saved.version in library
    assert [entry.name for entry, _ in list_tools([tools_dir])][-1] == "da-local"
    assert not (tools_dir / ".drafts" / "da-local.json").exists()


def test_resaving_a_question_with_only_its_spacing_changed_keeps_the_version(
    tools: Portal, tools_dir: Path
) -> None:
    first = _saved_copy(tools, tools_dir)
    page = tools.client.get(f"{EDIT}/questions/info_sharing").text
    assert "Was information" in page
    question = read_tool(tools_dir / "da-local.yaml").question("info_sharing")
    response = save_question(
        tools,
        "da-local",
        "info_sharing",
        text=f"  {question.text}  ",
        guidance=f"{question.guidance}\n ",
    )
    assert response.status_code == 303
    check = tools.client.get(f"{EDIT}/check").text
    assert f"Nothing has changed since version {first}" in check
    assert _save(tools).status_code == 303
    assert read_tool(tools_dir / "da-local.yaml").version == first


def test_the_details_and_a_questions_required_and_finding_are_saved_as_a_browser_sends_them(
    tools: Portal, tools_dir: Path
) -> None:
    first = _saved_copy(tools, tools_dir)
    details = form_values(tools.client.get(f"{EDIT}/details").text)
    details |= {"title": "Local domestic abuse audit", "description": "A shorter description."}
    assert tools.post(f"{EDIT}/details", details).status_code == 303
    changes = {"required": "no", "finding": "Agencies shared what they knew", "guidance": "New."}
    assert save_question(tools, "da-local", "info_sharing", **changes).status_code == 303
    assert _save(tools).status_code == 303
    saved = read_tool(tools_dir / "da-local.yaml")
    question = saved.question("info_sharing")
    assert (saved.title, saved.description.strip()) == (
        "Local domestic abuse audit",
        "A shorter description.",
    )
    assert question.required is False and question.guidance == "New."
    assert question.finding == "Agencies shared what they knew"
    assert saved.version != first
    # Everything the pages did not touch is as it was.
    before = load_tool("domestic-abuse")
    assert [q.id for q in saved.questions()] == [q.id for q in before.questions()]
    assert saved.question("risk_early").required == before.question("risk_early").required


def test_an_edit_that_breaks_a_rule_shows_an_error_summary_and_changes_nothing(
    tools: Portal, tools_dir: Path
) -> None:
    first = _saved_copy(tools, tools_dir)
    own = next(
        q for q in read_tool(tools_dir / "da-local.yaml").questions() if not q.shared and q.standard
    )
    response = save_question(tools, "da-local", own.id, rollup="all")
    assert response.status_code == 400
    assert 'class="govuk-error-summary"' in response.text and 'href="#rollup"' in response.text
    assert "A roll-up applies only to shared questions" in response.text
    assert 'id="rollup-error"' in response.text
    removed = tools.post(f"{EDIT}/questions/known_to_agency/remove")
    assert removed.status_code == 400  # type: ignore[attr-defined]
    assert "a tool must start with the question" in removed.text.lower()  # type: ignore[attr-defined]
    threshold = save_question(tools, "da-local", "info_sharing", action_threshold="most")
    assert "The action threshold must be a number" in threshold.text
    partial = save_question(
        tools,
        "da-local",
        "plan_tasks",
        action_threshold="",
        action_text="Review plans.",
        action_measure="",
    )
    assert partial.status_code == 400 and 'href="#action_threshold"' in partial.text
    assert "Enter how success will be measured" in partial.text
    assert "Nothing has changed" in tools.client.get(f"{EDIT}/check").text
    assert read_tool(tools_dir / "da-local.yaml").version == first


def test_sections_and_questions_are_added_renamed_reordered_and_removed_in_the_draft(
    tools: Portal, tools_dir: Path
) -> None:
    _saved_copy(tools, tools_dir)
    tool = read_tool(tools_dir / "da-local.yaml")
    added = tools.post(
        f"{EDIT}/sections/new",
        {"title": "Housing", "first_text": "Was housing need assessed?", "first_type": "rag"},
    )
    assert added.status_code == 303  # type: ignore[attr-defined]
    draft = tools.client.get(EDIT).text
    assert "Housing" in draft and "Was housing need assessed?" in draft
    position = len(tool.sections) - 1  # before the closing section
    assert (
        tools.post(f"{EDIT}/sections/{position}", {"title": "Housing and home"}).status_code == 303
    )  # type: ignore[attr-defined]
    assert tools.post(f"{EDIT}/sections/{position}/move", {"direction": "up"}).status_code == 303  # type: ignore[attr-defined]
    new = tools.post(
        f"{EDIT}/sections/1/questions/new",
        {
            "shown_type": "yes_partly_no_na",
            "type": "yes_partly_no_na",
            "section": "1",
            "text": "Was the child's voice recorded?",
            "shared": "yes",
            "met": "yes",
            "partly_counts_as": "half",
            "rollup": "any",
            "applies_to": ["police", "csc"],
            "when_category": "CP",
        },
    )
    assert new.status_code == 303, new.text  # type: ignore[attr-defined]
    moved = tools.post(f"{EDIT}/questions/risk_early/move", {"direction": "up"})
    assert moved.status_code == 303  # type: ignore[attr-defined]
    second = "chronology"
    assert tools.post(f"{EDIT}/questions/{second}/remove").status_code == 303  # type: ignore[attr-defined]
    check = tools.client.get(f"{EDIT}/check").text
    for expected in ("Housing and home", "Question added", "Question removed", "Order"):
        assert expected in check, expected
    assert "asked of Csc agency, Police agency" in tools.client.get(EDIT).text
    assert _save(tools).status_code == 303
    saved = read_tool(tools_dir / "da-local.yaml")
    voice = saved.question("was_the_child_s_voice_recorded")
    assert voice.shared and voice.rollup == "any" and voice.applies_to == ["csc", "police"]
    assert voice.applies_when is not None and voice.applies_when.category == ["CP"]
    assert saved.sections[position - 1].title == "Housing and home"
    assert [q.id for q in saved.sections[1].questions][:2] == ["risk_early", "info_sharing"]
    assert second not in {q.id for q in saved.questions()}


def test_changing_a_questions_type_shows_that_types_settings_before_anything_is_kept(
    tools: Portal, tools_dir: Path
) -> None:
    first = _saved_copy(tools, tools_dir)
    response = save_question(tools, "da-local", "info_sharing", type="single_choice")
    assert response.status_code == 200
    assert "The page now shows the settings of a “One option from a list” question" in response.text
    assert 'name="option_label_0"' in response.text
    assert "Nothing has changed" in tools.client.get(f"{EDIT}/check").text
    assert read_tool(tools_dir / "da-local.yaml").version == first


def test_a_copys_changes_are_shown_against_the_version_it_was_copied_from(
    tools: Portal, tools_dir: Path
) -> None:
    tools.sign_in(COORDINATOR)
    assert copy_tool(tools, "domestic-abuse", "da-local", "Our audit").status_code == 303
    check = tools.client.get(f"{EDIT}/check").text
    version = version_of("domestic-abuse")
    assert f"What changed since version {version} of domestic-abuse" in check
    for row in ("Name", "domestic-abuse", "da-local", "Title", "Our audit"):
        assert row in check, row
    assert list(tools_dir.iterdir()) == [tools_dir / ".drafts"]


def test_a_copy_needs_a_new_valid_name(tools: Portal, tools_dir: Path) -> None:
    tools.sign_in(COORDINATOR)
    taken = copy_tool(tools, "neglect", "domestic-abuse")
    assert taken.status_code == 400  # type: ignore[attr-defined]
    assert "There is already a tool named domestic-abuse" in taken.text  # type: ignore[attr-defined]
    bad = copy_tool(tools, "neglect", "My Tool")
    assert "lower-case letters" in bad.text  # type: ignore[attr-defined]
    assert tools.client.get("/coordinator/tools/neglect/edit").status_code == 404
    assert list(tools_dir.iterdir()) == []


def test_saving_a_draft_after_someone_else_saved_the_tool_is_refused_and_keeps_their_file(
    tools: Portal, tools_dir: Path
) -> None:
    first = _saved_copy(tools, tools_dir)
    assert (
        save_question(tools, "da-local", "info_sharing", text="Was it shared?").status_code == 303
    )
    theirs = (
        (tools_dir / "da-local.yaml")
        .read_text()
        .replace("title: Local audit", "title: Their audit")
    )
    (tools_dir / "da-local.yaml").write_text(theirs)
    refused = _save(tools)
    assert refused.status_code == 400
    assert "was saved by someone else since this draft began" in refused.text
    assert 'class="govuk-error-summary"' in refused.text
    assert (tools_dir / "da-local.yaml").read_text() == theirs
    assert read_tool(tools_dir / "da-local.yaml").version != first
    assert tools.post(f"{EDIT}/discard").status_code == 303
    assert "Their audit" in tools.client.get(EDIT).text
