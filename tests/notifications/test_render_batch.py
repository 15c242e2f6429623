"""A batch renders each distinct context once and gives every message its own sign-in link."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from notifications.contexts import MessageContext
from notifications.errors import TemplateError
from notifications.render import MessageRenderer
from notifications.render_batch import BatchRenderer
from tests.notifications.messages import invitation
from tests.notifications.test_render import EXAMPLES

BASE = "http://127.0.0.1:8000"


@dataclass(frozen=True)
class CountingRenderer(MessageRenderer):
    """The real renderer, counting how often it renders."""

    renders: list[str] = field(default_factory=list)

    def render(
        self, context: MessageContext, *, sign_in_url: str | None, with_html: bool
    ) -> tuple[str, str, str | None]:
        self.renders.append(context.template)
        return super().render(context, sign_in_url=sign_in_url, with_html=with_html)


def _renderer(override: Path | None = None) -> CountingRenderer:
    return CountingRenderer(override_dir=override, timezone="Europe/London", portal_base_url=BASE)


def _stored(context: MessageContext) -> dict[str, Any]:
    return context.model_dump(mode="json")


def _message(batch: BatchRenderer, stored: dict[str, Any], n: int, token: str | None) -> Any:
    context, template = batch.prepare("invitation", stored, with_html=True)
    return template.message(
        renderer=batch.renderer, context=context, message_id=n, address=f"{n}@x.org", token=token
    )


def test_messages_sharing_a_context_are_rendered_once_and_each_carries_only_its_own_link() -> None:
    renderer = _renderer()
    batch = BatchRenderer(renderer)
    police, csc = _stored(invitation()), _stored(invitation(agency_name="Children's services"))
    tokens = [f"token-{n:02d}-" + "x" * 34 for n in range(4)]
    messages = [_message(batch, police if n < 3 else csc, n, tokens[n]) for n in range(4)]
    assert len(renderer.renders) == 4  # two distinct contexts, each with two placeholders
    for message, token in zip(messages, tokens, strict=True):
        assert f"{BASE}/sign-in/{token}" in message.text
        assert f'href="{BASE}/sign-in/{token}"' in (message.html or "")
        assert not any(
            other in message.text + (message.html or "") for other in tokens if other != token
        )
    expected = renderer.render(
        invitation(), sign_in_url=f"{BASE}/sign-in/{tokens[1]}", with_html=True
    )
    assert (messages[1].subject, messages[1].text, messages[1].html) == expected
    assert "Children's services" in messages[3].text


def test_a_message_without_a_person_to_sign_in_points_to_the_portal_instead() -> None:
    batch = BatchRenderer(_renderer())
    message = _message(batch, _stored(invitation()), 1, None)
    assert "/sign-in/" not in message.text and BASE in message.text


def test_a_template_that_reshapes_the_link_is_rendered_per_message_with_the_real_token(
    tmp_path: Path,
) -> None:
    (tmp_path / "invitation.txt.j2").write_text(
        "{% set subject %}Audit{% endset %}Shout: {{ sign_in_url | upper }}\n"
    )
    renderer = _renderer(tmp_path)
    batch = BatchRenderer(renderer)
    stored = _stored(invitation())
    first, second = (_message(batch, stored, n, f"tok{n}" + "a" * 40) for n in (1, 2))
    assert f"/SIGN-IN/TOK1{'A' * 40}" in first.text
    assert f"/SIGN-IN/TOK2{'A' * 40}" in second.text
    assert len(renderer.renders) == 2 + 2  # the two placeholder renders, then one per message


def test_a_context_that_fails_to_render_fails_every_message_with_it_but_renders_once(
    tmp_path: Path,
) -> None:
    (tmp_path / "invitation.txt.j2").write_text("{% set subject %}S{% endset %}{{ nope }}\n")
    renderer = _renderer(tmp_path)
    batch = BatchRenderer(renderer)
    for _ in range(3):
        with pytest.raises(TemplateError, match="'nope' is undefined"):
            batch.prepare("invitation", _stored(invitation()), with_html=False)
    assert len(renderer.renders) == 1


@pytest.mark.parametrize("context", EXAMPLES, ids=lambda c: c.template)
def test_every_built_in_template_takes_its_link_through_the_placeholder(
    context: MessageContext,
) -> None:
    _, template = BatchRenderer(_renderer()).prepare(
        context.template, _stored(context), with_html=True
    )
    assert template.with_link is context.sign_in_link
    assert (template.slot is not None) is context.sign_in_link  # none falls back per message
