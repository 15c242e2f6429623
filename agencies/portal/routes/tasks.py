"""The start page, the task list, the download of an agency's answers and the static pages."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import col, select

from agencies.deps import Now, SessionDep, SignedIn, actor, not_found
from agencies.portal.fresh import sign_in_again
from agencies.portal.pages import render
from flows.answers.access import AssignmentView, visible_assignments
from flows.answers.identities import identity_for
from flows.answers.store import read_values
from flows.rounds.calendar_file import agency_calendar
from flows.rounds.views import Progress, progress_of
from models.answers import AnswerSet, AnswerSetStatus
from models.audit_log import record_event
from models.cells import safe_cell
from models.round import GrantRole

router = APIRouter()


@dataclass
class TaskGroup:
    """One round and agency on the task list: its cases with the agency's own reference."""

    round_id: int
    round_title: str
    agency_name: str
    due_date: date
    collecting: bool
    tasks: list[tuple[AssignmentView, str | None]] = field(default_factory=list)

    @property
    def progress(self) -> Progress:
        """How far the agency's cases in the round are answered."""
        return progress_of(view.assignment.status for view, _ in self.tasks)

    @property
    def complete(self) -> bool:
        """Every case answered, or collection closed: nothing left to do in the round."""
        return not self.collecting or self.progress.answered == self.progress.total


@router.get("/", response_class=HTMLResponse)
def start(
    request: Request,
) -> HTMLResponse:
    """What the service is, and the form to be emailed a sign-in link."""
    return render(request, "views/start.html", errors={}, email="")


@router.get("/accessibility", response_class=HTMLResponse)
def accessibility(
    request: Request,
) -> HTMLResponse:
    """The accessibility statement."""
    return render(request, "views/accessibility.html")


@router.get("/privacy", response_class=HTMLResponse)
def privacy(
    request: Request,
) -> HTMLResponse:
    """The privacy notice."""
    return render(request, "views/privacy.html")


@router.get("/tasks", response_model=None)
def tasks(
    request: Request,
    who: SignedIn,
    session: SessionDep,
    at: Now,
) -> Response:
    """Every round and case assigned to the person's agencies, newest round first, with the
    agency's own reference for each case (the child's identity is on the case page only);
    coordinators without assignments go to their rounds."""
    assert who.id is not None
    groups: dict[tuple[int, int], TaskGroup] = {}
    for view in visible_assignments(session=session, person_id=who.id):
        key = (view.round.id or 0, view.agency.id or 0)
        group = groups.setdefault(
            key,
            TaskGroup(key[0], view.round.title, view.agency.name, view.due_date, view.collecting),
        )
        shown = identity_for(
            session=session,
            view=view,
            person_id=who.id,
            settings=request.app.state.settings,
            now=at,
            page="task list",
        )
        group.tasks.append((view, shown.agency_reference if shown else None))
    session.commit()  # the audit log of identity views
    if request.state.coordinator and not groups:  # found by the session check
        return RedirectResponse("/coordinator/rounds", status_code=303)
    return render(
        request,
        "views/tasks.html",
        person=who,
        groups=[groups[key] for key in sorted(groups, key=lambda k: (-k[0], k[1]))],
    )


@router.get("/rounds/{round_id}/answers.csv", response_model=None)
def download(
    request: Request,
    who: SignedIn,
    round_id: int,
    session: SessionDep,
    at: Now,
) -> Response:
    """The person's agency's own submitted answers in a round, one row per answer."""
    assert who.id is not None
    views = [
        v
        for v in visible_assignments(session=session, person_id=who.id)
        if v.round.id == round_id and v.role != GrantRole.escalation
    ]
    if not views:
        raise not_found()
    again = sign_in_again(
        request, session=session, who=who, at=at, step="answers.download", resume=request.url.path
    )
    if again is not None:
        return again
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["agency", "case_ref", "version", "submitted_at", "question_id", "answer"])
    for view in views:
        submitted = session.exec(
            select(AnswerSet).where(
                col(AnswerSet.assignment_id) == view.assignment.id,
                col(AnswerSet.status) == AnswerSetStatus.submitted,
            )
        ).first()
        if submitted is None:
            continue
        for question_id, value in sorted(
            read_values(session=session, answer_set_id=submitted.id or 0).items()
        ):
            shown = ";".join(value) if isinstance(value, list | tuple) else str(value)
            writer.writerow(
                [
                    view.agency.code,
                    safe_cell(view.case_ref),
                    submitted.version,
                    submitted.submitted_at.isoformat() if submitted.submitted_at else "",
                    question_id,
                    safe_cell(shown),
                ]
            )
    record_event(
        session=session,
        actor=actor(who),
        action="answers.downloaded",
        entity_type="round",
        entity_id=round_id,
        now=at,
    )
    session.commit()
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="round-{round_id}-answers.csv"'},
    )


@router.get("/rounds/{round_id}/calendar.ics", response_model=None)
def calendar_file(
    request: Request, who: SignedIn, round_id: int, session: SessionDep, at: Now
) -> Response:
    """The due date of the person's own agencies in a round (with any extension) and the
    moderation meeting, for a lead's or deputy's calendar."""
    assert who.id is not None
    agency_ids = {
        view.agency.id or 0
        for view in visible_assignments(session=session, person_id=who.id)
        if view.round.id == round_id and view.role != GrantRole.escalation
    }
    if not agency_ids:
        raise not_found()
    host = request.url.hostname or "jointaudit"
    text = agency_calendar(
        session=session, round_id=round_id, agency_ids=agency_ids, now=at, host=host
    )
    return Response(
        text,
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="round-{round_id}.ics"'},
    )


def sign_in_redirect() -> RedirectResponse:
    """Where a visitor without a session goes."""
    return RedirectResponse("/", status_code=303)
