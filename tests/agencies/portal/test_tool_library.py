"""The tool library: who may see it, versions and rounds, previews, downloads and uploads."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

from models.questionnaire import read_tool
from models.questionnaire.catalog import load_tool
from models.questionnaire.spreadsheet import read_spreadsheet
from models.questionnaire.spreadsheet_writer import tool_yaml
from tests.agencies.portal.conftest import Portal
from tests.agencies.portal.plan_helpers import BOARD, add_board_reader
from tests.agencies.portal.tool_helpers import (
    COORDINATOR,
    LEAD,
    copy_tool,
    version_of,
)
from tests.builders import tool_sheet_rows, write_workbook


def _pages() -> list[str]:
    version = version_of("domestic-abuse")
    base = f"/coordinator/tools/domestic-abuse/versions/{version}"
    return [
        "/coordinator/tools",
        f"{base}/preview",
        f"{base}/preview?agency=police",
        f"{base}/download.xlsx",
        f"{base}/download.yaml",
        "/coordinator/tools/domestic-abuse/copy",
        "/coordinator/tools/da-local/edit",
        "/coordinator/tools/da-local/edit/details",
        "/coordinator/tools/da-local/edit/sections/1",
        "/coordinator/tools/da-local/edit/sections/new",
        "/coordinator/tools/da-local/edit/sections/1/questions/new",
        "/coordinator/tools/da-local/edit/questions/info_sharing",
        "/coordinator/tools/da-local/edit/preview",
        "/coordinator/tools/da-local/edit/check",
    ]


def _posts() -> list[str]:
    base = "/coordinator/tools/da-local/edit"
    return [
        "/coordinator/tools/upload",
        "/coordinator/tools/domestic-abuse/copy",
        f"{base}/details",
        f"{base}/sections/1",
        f"{base}/sections/new",
        f"{base}/sections/1/move",
        f"{base}/sections/1/questions/new",
        f"{base}/questions/info_sharing",
        f"{base}/questions/info_sharing/move",
        f"{base}/questions/info_sharing/remove",
        f"{base}/save",
        f"{base}/discard",
    ]


def _upload(portal: Portal, name: str, body: bytes, **fields: str) -> object:
    data = {"csrf_token": portal.csrf("/tasks"), **fields}
    files = {"tool_file": (name, io.BytesIO(body), "application/octet-stream")}
    return portal.client.post(
        "/coordinator/tools/upload", data=data, files=files, follow_redirects=False
    )


def test_a_coordinator_sees_every_tool_page(tools: Portal) -> None:
    tools.sign_in(COORDINATOR)
    assert copy_tool(tools, "domestic-abuse", "da-local").status_code == 303
    for path in _pages():
        response = tools.client.get(path)
        assert response.status_code == 200, path
    assert (
        'href="/coordinator/tools">Audit tools</a>' in tools.client.get("/coordinator/rounds").text
    )


def test_a_lead_and_a_board_reader_cannot_reach_any_tool_page(
    tools: Portal, tools_dir: Path
) -> None:
    tools.sign_in(COORDINATOR)
    copy_tool(tools, "domestic-abuse", "da-local")
    before = sorted(p.name for p in tools_dir.rglob("*"))
    add_board_reader(tools)
    for email in (LEAD, BOARD):
        tools.client.cookies.clear()
        tools.sign_in(email)
        for path in _pages():
            assert tools.client.get(path).status_code == 404, (email, path)
        for path in _posts():
            response = tools.post(path, {"name": "x-local", "title": "x", "direction": "up"})
            assert response.status_code == 404, (email, path)  # type: ignore[attr-defined]
        upload = _upload(tools, "x-local.yaml", tool_yaml(load_tool("neglect")).encode())
        assert upload.status_code == 404  # type: ignore[attr-defined]
        assert 'href="/coordinator/tools"' not in tools.client.get("/tasks").text
    assert sorted(p.name for p in tools_dir.rglob("*")) == before


def test_the_library_lists_every_tool_with_the_rounds_that_used_each_version(
    tools: Portal,
) -> None:
    tools.sign_in(COORDINATOR)
    page = tools.client.get("/coordinator/tools").text
    for name in ("domestic-abuse", "neglect", "s47-strategy"):
        assert f'id="tool-{name}"' in page and version_of(name) in page
    card = page[page.index('id="tool-domestic-abuse"') : page.index('id="tool-neglect"')]
    assert f'href="/coordinator/rounds/{tools.round_id}"' in card
    assert "Domestic abuse joint audit" in card
    neglect = page[page.index('id="tool-neglect"') : page.index('id="tool-s47-strategy"')]
    assert "/coordinator/rounds/" not in neglect and "None" in neglect


def test_a_preview_shows_a_version_as_an_agency_sees_it_with_agencies_named(
    tools: Portal,
) -> None:
    tools.sign_in(COORDINATOR)
    base = f"/coordinator/tools/neglect/versions/{version_of('neglect')}/preview"
    every = tools.client.get(base).text
    tool = load_tool("neglect")
    for question in tool.questions():
        assert f'name="q__{question.id}"' in every or f'name="q__{question.id}__day"' in every
    assert "Was this child known to your agency in the period?" in every
    assert tools.client.get(base + "?agency=nobody").status_code == 404
    missing = "/coordinator/tools/neglect/versions/000000000000/preview"
    assert tools.client.get(missing).status_code == 404


def test_downloads_read_back_to_the_same_version(tools: Portal, tmp_path: Path) -> None:
    tools.sign_in(COORDINATOR)
    version = version_of("s47-strategy")
    base = f"/coordinator/tools/s47-strategy/versions/{version}"
    yaml_response = tools.client.get(f"{base}/download.yaml")
    assert "attachment" in yaml_response.headers["content-disposition"]
    assert read_tool("s47.yaml", text=yaml_response.text).version == version
    workbook = tmp_path / "s47.xlsx"
    workbook.write_bytes(tools.client.get(f"{base}/download.xlsx").content)
    assert read_spreadsheet(workbook).version == version
    assert tools.client.get(f"{base}/download.docx").status_code == 404


def test_an_uploaded_spreadsheet_is_stored_in_the_tools_folder_with_its_version(
    tools: Portal, tools_dir: Path, tmp_path: Path
) -> None:
    tools.sign_in(COORDINATOR)
    rows = tool_sheet_rows("s47-strategy")
    rows["settings"][1][0] = "s47-local"
    body = write_workbook(tmp_path / "s47-local.xlsx", rows).read_bytes()
    response = _upload(tools, "s47-local.xlsx", body)
    assert response.status_code == 303  # type: ignore[attr-defined]
    stored = read_tool(tools_dir / "s47-local.yaml")
    page = tools.client.get(response.headers["location"]).text  # type: ignore[attr-defined]
    assert f"Saved {stored.title} (s47-local), version {stored.version}" in page
    again = _upload(tools, "s47-local.xlsx", body)
    assert again.status_code == 409 and "replace" in again.text  # type: ignore[attr-defined]
    assert _upload(tools, "s47-local.xlsx", body, replace="yes").status_code == 303  # type: ignore[attr-defined]


def test_an_upload_with_mistakes_shows_each_located_problem_and_stores_nothing(
    tools: Portal, tools_dir: Path, tmp_path: Path
) -> None:
    tools.sign_in(COORDINATOR)
    rows = tool_sheet_rows("s47-strategy")
    rows["settings"][1][0] = "s47-local"
    header = rows["survey"][0]
    index = next(i for i, row in enumerate(rows["survey"]) if row[0] == "yes_partly_no_na")
    rows["survey"][index][header.index("shared")] = "usually"
    body = write_workbook(tmp_path / "broken.xlsx", rows).read_bytes()
    response = _upload(tools, "broken.xlsx", body)
    assert response.status_code == 400  # type: ignore[attr-defined]
    text = response.text  # type: ignore[attr-defined]
    assert 'class="govuk-error-summary"' in text and "<title>Error: " in text
    problem = f"survey row {index + 1}, column shared: &#34;usually&#34; is not yes or no"
    assert f"broken.xlsx: {problem}" in text
    assert 'href="#tool_file"' in text
    assert list(tools_dir.iterdir()) == []
    built_in = _upload(tools, "neglect.yaml", tool_yaml(load_tool("neglect")).encode())
    assert "is a built-in tool" in built_in.text  # type: ignore[attr-defined]
    wrong = _upload(tools, "tool.docx", b"PK")
    assert "must be an XLSX workbook" in wrong.text  # type: ignore[attr-defined]


def test_an_upload_over_the_size_cap_is_refused_before_it_is_read(
    tools: Portal, tools_dir: Path
) -> None:
    tools.sign_in(COORDINATOR)
    response = _upload(
        tools, "big.xlsx", b"0" * 2_070_000
    )  # over the tool cap, under the body limit
    assert response.status_code == 413  # type: ignore[attr-defined]
    assert "The selected file must be smaller than 2 MB" in response.text  # type: ignore[attr-defined]
    assert list(tools_dir.iterdir()) == []


def test_a_chunked_upload_over_the_cap_is_cut_off_while_it_is_read(
    tools: Portal, tools_dir: Path
) -> None:
    tools.sign_in(COORDINATOR)
    boundary = "jointaudit"
    csrf = tools.csrf("/tasks")

    def body() -> Iterator[bytes]:
        yield (
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n'
            f'{csrf}\r\n--{boundary}\r\nContent-Disposition: form-data; name="tool_file"; '
            'filename="big.xlsx"\r\n\r\n'
        ).encode()
        for _ in range(207):
            yield b"0" * 10_000  # 2.07 MB in all, sent without a length: over the tool cap

    response = tools.client.post(
        "/coordinator/tools/upload",
        content=body(),
        headers={"content-type": f"multipart/form-data; boundary={boundary}"},
    )
    assert response.status_code == 413
    assert "The selected file must be smaller than 2 MB" in response.text
    assert list(tools_dir.iterdir()) == []


def test_an_oversized_upload_from_a_lead_is_not_found_like_every_coordinator_page(
    tools: Portal,
) -> None:
    tools.sign_in(LEAD)
    response = _upload(
        tools, "big.xlsx", b"0" * 2_070_000
    )  # over the tool cap, under the body limit
    assert response.status_code == 404  # type: ignore[attr-defined]
    assert "smaller than" not in response.text  # type: ignore[attr-defined]


def test_a_tool_file_broken_by_hand_is_named_on_the_library_and_the_rest_still_shown(
    tools: Portal, tools_dir: Path
) -> None:
    (tools_dir / "broken-local.yaml").write_text("name: broken-local\ntitle: Broken\n")
    tools.sign_in(COORDINATOR)
    page = tools.client.get("/coordinator/tools")
    assert page.status_code == 200
    assert (
        "The tool file broken-local.yaml in the partnership's tools folder cannot be read"
        in page.text
    )
    assert 'id="tool-domestic-abuse"' in page.text
    assert copy_tool(tools, "domestic-abuse", "broken-local").status_code == 400
