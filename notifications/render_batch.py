"""Rendering a batch: each distinct context once, with a slot where each message's link goes.

Messages of one batch mostly share their context (a launch's invitations differ by agency at
most), and only the sign-in link differs between them. So a context is validated and rendered
once with a random placeholder token in its link; each message then gets a copy with its own
token put in the placeholder's place. A template that transforms the link (so the placeholder
would not come through intact) is noticed by rendering it with two placeholders, and is then
rendered message by message, as before.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from typing import Any

from notifications.contexts import context_from_stored
from notifications.errors import TemplateError
from notifications.render import MessageRenderer, RenderedMessage
from notifications.tokens import TOKEN_BYTES, sign_in_url


def _slot() -> str:
    # Same alphabet and length as a real token, so escaping and wrapping treat both alike.
    return secrets.token_urlsafe(TOKEN_BYTES)


@dataclass(frozen=True)
class PreparedTemplate:
    """One context rendered once: its subject, and text and HTML with the link as a slot."""

    template: str
    with_link: bool
    subject: str
    text: str
    html: str | None
    slot: str | None = None
    """The placeholder token in text and HTML; None when the link must be rendered per message."""

    def message(
        self,
        *,
        renderer: MessageRenderer,
        context: Any,
        message_id: int,
        address: str,
        token: str | None,
    ) -> RenderedMessage:
        """This template for one message, carrying its own sign-in token."""
        subject, text, html = self.subject, self.text, self.html
        if token is not None and self.slot is not None:
            text = text.replace(self.slot, token)
            html = html.replace(self.slot, token) if html is not None else None
        elif self.with_link:  # no slot to fill, or no person to sign in: render this one
            link = sign_in_url(renderer.portal_base_url, token) if token is not None else None
            subject, text, html = renderer.render(
                context, sign_in_url=link, with_html=html is not None
            )
        return RenderedMessage(
            message_id=message_id,
            template=self.template,
            address=address,
            subject=subject,
            text=text,
            html=html,
        )


@dataclass
class BatchRenderer:
    """Renders stored contexts, remembering each distinct one (and its failure) for the run."""

    renderer: MessageRenderer
    _prepared: dict[tuple[str, str, bool], tuple[Any, PreparedTemplate] | TemplateError] = field(
        default_factory=dict
    )

    def prepare(
        self, template: str, stored: dict[str, Any], *, with_html: bool
    ) -> tuple[Any, PreparedTemplate]:
        """The validated context and its rendering; raises TemplateError (also when cached)."""
        key = (template, json.dumps(stored, sort_keys=True, default=str), with_html)
        found = self._prepared.get(key)
        if found is None:
            try:
                found = self._render(template, stored, with_html=with_html)
            except TemplateError as error:
                found = error
            self._prepared[key] = found
        if isinstance(found, TemplateError):
            raise found
        return found

    def _render(
        self, template: str, stored: dict[str, Any], *, with_html: bool
    ) -> tuple[Any, PreparedTemplate]:
        context = context_from_stored(template, stored)
        base = self.renderer.portal_base_url
        if not context.sign_in_link:
            subject, text, html = self.renderer.render(
                context, sign_in_url=None, with_html=with_html
            )
            return context, PreparedTemplate(template, False, subject, text, html)
        first, second = _slot(), _slot()
        one = self.renderer.render(
            context, sign_in_url=sign_in_url(base, first), with_html=with_html
        )
        two = self.renderer.render(
            context, sign_in_url=sign_in_url(base, second), with_html=with_html
        )
        subject, text, html = one
        exact = (
            first not in subject
            and subject == two[0]
            and text.replace(first, second) == two[1]
            and (html or "").replace(first, second) == (two[2] or "")
        )
        return context, PreparedTemplate(
            template, True, subject, text, html, slot=first if exact else None
        )
