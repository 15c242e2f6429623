"""Typed message contexts: what each template may say, and nothing that identifies a child.

By construction a context holds only short labels chosen by the partnership (round title,
agency name), counts, dates and internal numbers: no case objects, case references, names
of children or free text from answers. `tests/notifications/test_contexts.py` enforces it.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, ClassVar, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

from notifications.errors import TemplateError

Label = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Count = Annotated[int, Field(ge=0)]
Number = Annotated[int, Field(ge=1)]


class MessageContext(BaseModel):
    """What every message knows; subclasses name their template."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    template: ClassVar[str]
    sign_in_link: ClassVar[bool] = False
    """Whether the message carries a fresh sign-in link for its recipient."""

    partnership_name: Label

    def landing(self) -> str | None:
        """The portal page the message's sign-in link opens after signing in (None: home)."""
        return None


class InvitationContext(MessageContext):
    """A round has launched: the agency lead is asked to audit its cases."""

    template: ClassVar[str] = "invitation"
    sign_in_link: ClassVar[bool] = True
    round_title: Label
    agency_name: Label
    case_count: Number
    due_date: date
    round_id: Number | None = None
    """For the link to the lead's calendar file of the round."""


class ReminderContext(MessageContext):
    """A gentle reminder before the due date."""

    template: ClassVar[str] = "reminder"
    sign_in_link: ClassVar[bool] = True
    round_title: Label
    agency_name: Label
    due_date: date
    outstanding_count: Count
    reminder_number: Number


class OverdueContext(MessageContext):
    """The due date has passed with cases still outstanding."""

    template: ClassVar[str] = "overdue"
    sign_in_link: ClassVar[bool] = True
    round_title: Label
    agency_name: Label
    due_date: date
    days_overdue: Number
    outstanding_count: Number


class EscalationContext(MessageContext):
    """To the agency's escalation contact: the lead has not answered in time."""

    template: ClassVar[str] = "escalation"
    round_title: Label
    agency_name: Label
    due_date: date
    days_overdue: Number
    outstanding_count: Number


ChaseStep = Literal["alert", "escalation", "coordinator"]


class ImmediateConcernContext(MessageContext):
    """An auditor raised a concern for a child: the front door must look at once.

    `step` is the first alert or a chase of an unacknowledged concern; `state` is the
    concern's plain-English state when the message was queued (our sentence, no free text).
    """

    template: ClassVar[str] = "immediate_concern"
    sign_in_link: ClassVar[bool] = True
    round_title: Label
    agency_name: Label
    concern_id: Number
    raised_at: AwareDatetime
    immediate_risk: bool = False
    state: Label = "Raised, not yet acknowledged"
    step: ChaseStep = "alert"

    def landing(self) -> str | None:
        """The concern's own page."""
        return f"/concerns/{self.concern_id}"


class ResponsesCompleteContext(MessageContext):
    """To the coordinator: every agency has answered every case."""

    template: ClassVar[str] = "responses_complete"
    sign_in_link: ClassVar[bool] = True
    round_title: Label
    agency_count: Number
    case_count: Number


class ActionPlanReadyContext(MessageContext):
    """A draft action plan is ready for review."""

    template: ClassVar[str] = "action_plan_ready"
    sign_in_link: ClassVar[bool] = True
    round_title: Label
    action_count: Number
    review_by: date | None = None


class ActionDueContext(MessageContext):
    """An action this person leads is due soon (or is overdue)."""

    template: ClassVar[str] = "action_due"
    sign_in_link: ClassVar[bool] = True
    round_title: Label
    action_number: Number
    due_date: date
    rag_status: Literal["green", "amber", "red"]


class RoundUpdateContext(MessageContext):
    """Something about a round changed (due date, cases, agencies); `change` is our sentence."""

    template: ClassVar[str] = "round_update"
    sign_in_link: ClassVar[bool] = True
    round_title: Label
    change: Label
    due_date: date


class SignInLinkContext(MessageContext):
    """Someone asked the portal to email them a new sign-in link."""

    template: ClassVar[str] = "sign_in_link"
    sign_in_link: ClassVar[bool] = True
    landing_page: str | None = Field(default=None, max_length=200)
    """The page to open after signing in (a step that asked for a fresh sign-in)."""

    def landing(self) -> str | None:
        """The step to resume, if any."""
        return self.landing_page


class DigestContext(MessageContext):
    """To the coordinator, daily: what is outstanding in a round across agencies (counts only)."""

    template: ClassVar[str] = "digest"
    sign_in_link: ClassVar[bool] = True
    round_title: Label
    agency_count: Number
    outstanding_count: Number
    overdue_agency_count: Count
    overdue_count: Count


class ChannelCheckContext(MessageContext):
    """`jointaudit notify test`: proves the configured channel delivers."""

    template: ClassVar[str] = "channel_check"
    sent_at: AwareDatetime


CONTEXT_TYPES: dict[str, type[MessageContext]] = {
    cls.template: cls
    for cls in (
        InvitationContext,
        ReminderContext,
        OverdueContext,
        EscalationContext,
        ImmediateConcernContext,
        ResponsesCompleteContext,
        ActionPlanReadyContext,
        ActionDueContext,
        RoundUpdateContext,
        SignInLinkContext,
        DigestContext,
        ChannelCheckContext,
    )
}


def context_from_stored(template: str, data: dict[str, Any]) -> MessageContext:
    """Validate a stored context again (it may predate a template change)."""
    context_type = CONTEXT_TYPES.get(template)
    if context_type is None:
        raise TemplateError(f"unknown message template {template!r}")
    try:
        return context_type.model_validate(data)
    except ValueError as error:
        raise TemplateError(f"stored context no longer fits template {template!r}") from error


__all__ = [
    "CONTEXT_TYPES",
    "ActionDueContext",
    "ActionPlanReadyContext",
    "ChannelCheckContext",
    "ChaseStep",
    "DigestContext",
    "EscalationContext",
    "ImmediateConcernContext",
    "InvitationContext",
    "MessageContext",
    "OverdueContext",
    "ReminderContext",
    "ResponsesCompleteContext",
    "RoundUpdateContext",
    "SignInLinkContext",
    "context_from_stored",
]
