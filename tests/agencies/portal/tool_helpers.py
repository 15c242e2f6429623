"""A portal whose partnership has a tools folder, and ways to drive the tool editor."""

from __future__ import annotations

import re
from typing import Any

from models.questionnaire.catalog import load_tool
from tests.agencies.portal.conftest import Portal

COORDINATOR = "casey@testshire.example.org"
LEAD = "lead@police.example.org"


def version_of(name: str) -> str:
    """The version of a built-in tool."""
    return load_tool(name).version


def form_values(html: str) -> dict[str, Any]:
    """What a browser would send for a page's form as it stands: text, ticked boxes, selections."""
    values: dict[str, Any] = {}
    for match in re.finditer(r"<input\b[^>]*>", html):
        tag = match.group(0)
        name = re.search(r'\bname="([^"]+)"', tag)
        value = re.search(r'\bvalue="([^"]*)"', tag)
        kind = re.search(r'\btype="([^"]+)"', tag)
        if not name or name.group(1) == "csrf_token":
            continue
        if kind and kind.group(1) in ("radio", "checkbox"):
            if " checked" in tag:
                values.setdefault(name.group(1), []).append(value.group(1) if value else "")
            continue
        values[name.group(1)] = _unescape(value.group(1) if value else "")
    for match in re.finditer(r'<textarea\b[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', html, re.S):
        values[match.group(1)] = _unescape(match.group(2))
    for match in re.finditer(r'<select\b[^>]*name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected', match.group(2))
        values[match.group(1)] = chosen.group(1) if chosen else ""
    return values


def _unescape(text: str) -> str:
    import html

    return html.unescape(text)


def copy_tool(portal: Portal, source: str, name: str, title: str = "Local audit") -> Any:
    """Copy a tool under a new name through the copy form."""
    return portal.post(f"/coordinator/tools/{source}/copy", {"name": name, "title": title})


def save_question(portal: Portal, tool: str, question_id: str, **changes: Any) -> Any:
    """Open a question's page, change some fields and send it back, as a browser would."""
    page = portal.client.get(f"/coordinator/tools/{tool}/edit/questions/{question_id}")
    assert page.status_code == 200, page.text
    values = form_values(page.text) | changes
    return portal.post(f"/coordinator/tools/{tool}/edit/questions/{question_id}", values)
