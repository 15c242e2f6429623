"""Pages stay styled when the GOV.UK Frontend assets were never fetched (npm unreachable)."""

from __future__ import annotations

import re

from agencies.portal.tool_preview import render_preview
from models.questionnaire.catalog import load_tool
from tests.agencies.portal.conftest import Portal

STYLE = re.compile(r'<style nonce="([^"]+)">\s*body \{')


def test_without_the_assets_a_page_has_a_style_element_with_the_pages_nonce(
    portal: Portal,
) -> None:
    portal.client.app.state.assets = {"stylesheet": None, "script": None}  # type: ignore[attr-defined]
    portal.sign_in("lead@police.example.org")
    for path in ("/", "/tasks", f"/cases/{portal.assignments('police')[0]}"):
        response = portal.client.get(path)
        found = STYLE.search(response.text)
        assert found, path
        assert f"'nonce-{found.group(1)}'" in response.headers["content-security-policy"]
        assert "&lt;" not in response.text[: response.text.index("</head>")], path
        assert '<link rel="stylesheet"' not in response.text


def test_with_the_assets_the_page_links_the_stylesheet_instead(portal: Portal) -> None:
    portal.client.app.state.assets = {  # type: ignore[attr-defined]
        "stylesheet": "/static/govuk/govuk-frontend.min.css",
        "script": None,
    }
    page = portal.client.get("/").text
    assert '<link rel="stylesheet" href="/static/govuk/govuk-frontend.min.css">' in page
    assert "<style" not in page


def test_a_written_tool_preview_keeps_its_inline_style_without_a_nonce() -> None:
    html = render_preview(load_tool("domestic-abuse"))
    assert "<style>" in html and "nonce" not in html and "&lt;style" not in html
