"""Rendering messages from Jinja2 templates: a subject and text for every channel, HTML for SMTP.

A template `NAME.txt.j2` sets its subject with `{% set subject %}...{% endset %}` and renders
the body. HTML comes from `NAME.html.j2` when the same folder has one, else from the generic
`_message.html.j2`, which lays out the text. A partnership overrides any template by putting a
file of the same name in `JOINTAUDIT_TEMPLATES_DIR`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    StrictUndefined,
    select_autoescape,
)
from jinja2 import (
    TemplateError as JinjaTemplateError,
)
from markupsafe import Markup, escape

from models.calendar import long_day, long_moment
from notifications.contexts import MessageContext
from notifications.errors import TemplateError

BUILTIN_TEMPLATES = Path(__file__).parent / "templates"
GENERIC_HTML = "_message.html.j2"
_URL = re.compile(r"https?://[^\s<>\"']+")


@dataclass(frozen=True)
class RenderedMessage:
    """A message ready for a channel; holds a raw sign-in link, so it is never stored."""

    message_id: int
    template: str
    address: str
    subject: str
    text: str
    html: str | None


def _long_date(value: date | datetime, timezone: str) -> str:
    if isinstance(value, datetime):
        return long_moment(value, timezone)
    return long_day(value)


def _plural(count: int, singular: str, plural: str | None = None) -> str:
    return f"{count} {singular if count == 1 else (plural or singular + 's')}"


def _paragraphs(text: str) -> Markup:
    """Plain text as HTML paragraphs, with web addresses made into links."""
    blocks = [block.strip() for block in re.split(r"\n\s*\n", text) if block.strip()]
    html = []
    for block in blocks:
        escaped = str(escape(block))
        linked = _URL.sub(lambda m: f'<a href="{m.group(0)}">{m.group(0)}</a>', escaped)
        html.append("<p>" + linked.replace("\n", "<br>\n") + "</p>")
    return Markup("\n".join(html))


@lru_cache(maxsize=4)
def template_environment(override_dir: Path | None, timezone: str) -> Environment:
    """The Jinja2 environment: override folder first, then the built-in templates."""
    loaders = [FileSystemLoader(BUILTIN_TEMPLATES)]
    if override_dir is not None:
        loaders.insert(0, FileSystemLoader(override_dir))
    environment = Environment(
        loader=ChoiceLoader(loaders),
        undefined=StrictUndefined,
        autoescape=select_autoescape(enabled_extensions=("html.j2",), default=False),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters["long_date"] = lambda value: _long_date(value, timezone)
    environment.filters["plural"] = _plural
    environment.filters["paragraphs"] = _paragraphs
    return environment


def _html_template_name(template: str, override_dir: Path | None) -> str:
    """A template's own HTML only when it sits beside the text in use (else the generic one)."""
    own = f"{template}.html.j2"
    if override_dir is not None and (override_dir / f"{template}.txt.j2").is_file():
        return own if (override_dir / own).is_file() else GENERIC_HTML
    if override_dir is not None and (override_dir / own).is_file():
        return own
    return own if (BUILTIN_TEMPLATES / own).is_file() else GENERIC_HTML


@dataclass(frozen=True)
class MessageRenderer:
    """Renders contexts with the configured templates."""

    override_dir: Path | None
    timezone: str
    portal_base_url: str

    def render(
        self, context: MessageContext, *, sign_in_url: str | None, with_html: bool
    ) -> tuple[str, str, str | None]:
        """The subject, text and (when asked) HTML of one message."""
        environment = template_environment(self.override_dir, self.timezone)
        values: dict[str, Any] = {
            **dict(context),
            "sign_in_url": sign_in_url,
            "portal_url": self.portal_base_url.rstrip("/"),
        }
        name = context.template
        try:
            module = environment.get_template(f"{name}.txt.j2").make_module(values)
            subject = " ".join(str(getattr(module, "subject", "")).split())
            text = str(module).strip() + "\n"
            if not subject:
                raise TemplateError(f"template {name}.txt.j2 sets no subject")
            html = None
            if with_html:
                html_template = environment.get_template(
                    _html_template_name(name, self.override_dir)
                )
                html = html_template.render(values, subject=subject, text=text)
        except JinjaTemplateError as error:
            raise TemplateError(f"template {name!r} failed to render: {error}") from error
        return subject, text, html
