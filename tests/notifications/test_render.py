from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from notifications.contexts import (
    ActionDueContext,
    ActionPlanReadyContext,
    ChannelCheckContext,
    EscalationContext,
    ImmediateConcernContext,
    MessageContext,
    OverdueContext,
    ReminderContext,
    ResponsesCompleteContext,
    RoundUpdateContext,
)
from notifications.errors import TemplateError
from notifications.render import MessageRenderer, template_environment
from tests.notifications.messages import PARTNERSHIP, invitation

LINK = "http://127.0.0.1:8000/sign-in/raw-token"
RAISED = datetime(2026, 7, 1, 9, 5, tzinfo=UTC)
EXAMPLES: list[MessageContext] = [
    invitation(),
    ReminderContext(
        partnership_name=PARTNERSHIP,
        round_title="R",
        agency_name="Police",
        due_date=date(2026, 12, 18),
        outstanding_count=1,
        reminder_number=2,
    ),
    OverdueContext(
        partnership_name=PARTNERSHIP,
        round_title="R",
        agency_name="Police",
        due_date=date(2026, 12, 18),
        days_overdue=3,
        outstanding_count=2,
    ),
    EscalationContext(
        partnership_name=PARTNERSHIP,
        round_title="R",
        agency_name="Police",
        due_date=date(2026, 12, 18),
        days_overdue=3,
        outstanding_count=2,
    ),
    ImmediateConcernContext(
        partnership_name=PARTNERSHIP,
        round_title="R",
        agency_name="Police",
        concern_id=12,
        raised_at=RAISED,
    ),
    ResponsesCompleteContext(
        partnership_name=PARTNERSHIP, round_title="R", agency_count=5, case_count=8
    ),
    ActionPlanReadyContext(partnership_name=PARTNERSHIP, round_title="R", action_count=4),
    ActionDueContext(
        partnership_name=PARTNERSHIP,
        round_title="R",
        action_number=2,
        due_date=date(2027, 1, 4),
        rag_status="amber",
    ),
    RoundUpdateContext(
        partnership_name=PARTNERSHIP,
        round_title="R",
        due_date=date(2027, 1, 4),
        change="the due date is now Monday 04 January 2027",
    ),
    ChannelCheckContext(partnership_name=PARTNERSHIP, sent_at=RAISED),
]


def renderer(override: Path | None = None) -> MessageRenderer:
    return MessageRenderer(
        override_dir=override, timezone="Europe/London", portal_base_url="http://127.0.0.1:8000/"
    )


@pytest.mark.parametrize("context", EXAMPLES, ids=lambda c: c.template)
def test_every_template_renders_a_subject_text_and_html(context: MessageContext) -> None:
    link = LINK if context.sign_in_link else None
    subject, text, html = renderer().render(context, sign_in_url=link, with_html=True)
    assert subject and "\n" not in subject and len(subject) < 150
    assert PARTNERSHIP in text and "{{" not in text and "((" not in text
    assert html is not None and "<html" in html and subject.split(":")[0] in html
    if link:
        assert link in text and f'href="{link}"' in html


def test_dates_read_as_people_write_them_in_local_time() -> None:
    _, text, _ = renderer().render(EXAMPLES[4], sign_in_url=None, with_html=False)
    assert "1 July 2026 at 10:05" in text  # 09:05 UTC is 10:05 British Summer Time


def test_without_a_sign_in_link_the_message_points_to_the_portal() -> None:
    _, text, _ = renderer().render(EXAMPLES[3], sign_in_url=None, with_html=False)
    assert "http://127.0.0.1:8000" in text and "/sign-in/" not in text


def test_html_escapes_what_the_partnership_typed() -> None:
    context = invitation(agency_name="Police <b>PPU</b> & co")
    _, text, html = renderer().render(context, sign_in_url=LINK, with_html=True)
    assert "Police <b>PPU</b> & co" in text
    assert html is not None and "Police &lt;b&gt;PPU&lt;/b&gt; &amp; co" in html


def test_a_partnership_template_overrides_the_built_in_one(tmp_path: Path) -> None:
    (tmp_path / "invitation.txt.j2").write_text(
        "{% set subject %}Please audit {{ round_title }}{% endset %}"
        "Hello from {{ partnership_name }}: {{ sign_in_url }}\n"
    )
    subject, text, html = renderer(tmp_path).render(invitation(), sign_in_url=LINK, with_html=True)
    assert subject == "Please audit Domestic abuse joint audit 2026"
    assert text == f"Hello from {PARTNERSHIP}: {LINK}\n"
    assert html is not None and "Hello from" in html  # the generic HTML follows the new text


def test_a_template_using_an_undefined_value_fails_instead_of_printing_nothing(
    tmp_path: Path,
) -> None:
    template_environment.cache_clear()
    (tmp_path / "invitation.txt.j2").write_text(
        "{% set subject %}S{% endset %}Dear {{ lead_name }}\n"
    )
    with pytest.raises(TemplateError, match="lead_name"):
        renderer(tmp_path).render(invitation(), sign_in_url=LINK, with_html=False)


def test_a_template_without_a_subject_is_refused(tmp_path: Path) -> None:
    (tmp_path / "invitation.txt.j2").write_text("No subject here\n")
    with pytest.raises(TemplateError, match="sets no subject"):
        renderer(tmp_path).render(invitation(), sign_in_url=LINK, with_html=False)
