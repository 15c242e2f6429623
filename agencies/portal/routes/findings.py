"""The coordinator's findings page: concerns, compliance, agreement and the agenda, and its CSV."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from agencies.deps import Coordinator, Now, SessionDep, actor
from agencies.portal.coordinator_views import page, round_or_404
from agencies.portal.fresh import sign_in_again
from flows.reconcile.agreement.reading import SCALE_NAME, agreement_sentence, short_label
from flows.reconcile.findings import AgreementFigure, Compliance, Findings, QuestionFindings
from flows.reconcile.load import round_tool
from flows.reconcile.run import latest_findings, reconcile_round
from flows.report.words import concern_states
from models.agency import agency_names
from models.audit_log import record_event
from models.cells import safe_cell
from models.errors import NotFoundError
from models.questionnaire import Tool
from models.questionnaire.scales import PartlyCountsAs
from models.round import RoundStatus

router = APIRouter(prefix="/coordinator")

STATISTICS = ("percent_agreement", "gwet_ac1", "krippendorff_alpha")
CSV_COLUMNS = (
    "question_id",
    "question",
    "figure",
    "agency",
    "met",
    "applicable",
    "percent",
    "statistic",
    "weights",
    "value",
    "ci_low",
    "ci_high",
    "n",
    "detail",
)


@dataclass(frozen=True)
class QuestionView:
    """One question's figures, with agency names and a plain reading."""

    found: QuestionFindings
    by_agency: list[tuple[str, Compliance]]
    half: bool
    figures: list[AgreementFigure]
    reading: str | None


@dataclass(frozen=True)
class AgendaItem:
    """One case and shared question for the meeting, in names and words."""

    rank: int
    case_ref: str
    question: str
    answers: list[tuple[str, str]]
    spread: int
    split: bool
    resolved: bool


def _reading(found: QuestionFindings) -> str | None:
    share, gwet = found.agreement.get("percent_agreement"), found.agreement.get("gwet_ac1")
    if share is None or gwet is None:
        return None
    return agreement_sentence(share, gwet, short_label(gwet.statistic or "Gwet's AC1"))


def question_views(findings: Findings, tool: Tool, names: dict[str, str]) -> list[QuestionView]:
    """The questions with a standard or agreement figures, in the tool's order."""
    views = []
    for found in findings.questions:
        if not found.by_agency and not found.agreement:
            continue
        standard = getattr(tool.question(found.id), "standard", None)
        half = getattr(standard, "partly_counts_as", None) == PartlyCountsAs.half
        views.append(
            QuestionView(
                found=found,
                by_agency=[(names.get(c, c), v) for c, v in found.by_agency.items()],
                half=half,
                figures=[found.agreement[k] for k in STATISTICS if k in found.agreement],
                reading=_reading(found),
            )
        )
    return views


def agenda(findings: Findings, names: dict[str, str]) -> list[AgendaItem]:
    """The discrepancies in their ranked order, with agency names and question wording."""
    wording = {q.id: q.text for q in findings.questions}
    return [
        AgendaItem(
            rank=rank,
            case_ref=item.case_ref,
            question=wording.get(item.question_id, item.question_id),
            answers=[(names.get(code, code), answer) for code, answer in item.answers.items()],
            spread=item.spread,
            split=item.standard_split,
            resolved=item.resolved,
        )
        for rank, item in enumerate(findings.discrepancies, start=1)
    ]


def _codes(findings: Findings) -> list[str]:
    codes = set(findings.not_known) | set(findings.responses)
    for question in findings.questions:
        codes |= set(question.by_agency)
    return sorted(codes)


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:.4f}"


def _row(**cells: str) -> list[str]:
    """One CSV row: the given cells in CSV_COLUMNS order, the rest empty, safe as text."""
    return [safe_cell(cells.get(column, "")) for column in CSV_COLUMNS]


def csv_rows(findings: Findings, tool: Tool, names: dict[str, str]) -> list[list[str]]:
    """The page's figures as rows of CSV_COLUMNS (text cells made safe for spreadsheets)."""
    rows: list[list[str]] = []
    for view in question_views(findings, tool, names):
        q = view.found
        levels = [("compliance by agency", name, c) for name, c in view.by_agency]
        if q.case_level is not None:
            state = "provisional" if q.case_level_provisional else "moderated"
            levels.append((f"case level ({state})", "", q.case_level))
        for figure, agency, c in levels:
            rows.append(
                _row(
                    question_id=q.id,
                    question=q.text,
                    figure=figure,
                    agency=agency,
                    met=f"{c.met:g}",
                    applicable=str(c.applicable),
                    percent="" if c.percent is None else str(c.percent),
                    detail="Partly counts as half" if view.half else "",
                )
            )
        for f in view.figures:
            rows.append(
                _row(
                    question_id=q.id,
                    question=q.text,
                    figure="agreement",
                    statistic=f.statistic or "",
                    weights=f.weights or "",
                    value=_number(f.value),
                    ci_low=_number(f.ci_low),
                    ci_high=_number(f.ci_high),
                    n=str(f.n_units),
                    detail=f.reason or "",
                )
            )
    for item in agenda(findings, names):
        answers = "; ".join(f"{name}: {answer}" for name, answer in item.answers)
        why = (
            "both sides of the standard"
            if item.split
            else f"{item.spread} steps apart"
            if item.spread > 1
            else "different answers"
        )
        rows.append(
            _row(
                question=item.question,
                figure=f"agenda {item.rank}",
                detail=f"case {item.case_ref}: {answers} ({why})",
            )
        )
    return rows


def _load(session: Session, round_id: int) -> tuple[Findings | None, Tool]:
    round_or_404(session=session, round_id=round_id)
    tool = round_tool(session=session, round_id=round_id)
    try:
        return latest_findings(session=session, round_id=round_id), tool
    except NotFoundError:
        return None, tool


@router.get("/rounds/{round_id}/findings", response_class=HTMLResponse)
def findings_page(
    request: Request, round_id: int, _coordinator: Coordinator, session: SessionDep
) -> HTMLResponse:
    """The round's latest findings, most urgent first, as the moderation meeting reads them."""
    round_ = round_or_404(session=session, round_id=round_id)
    findings, tool = _load(session, round_id)
    if findings is None:
        return page(request, "findings.html", round=round_, findings=None)
    names = agency_names(session=session, codes=_codes(findings))
    return page(
        request,
        "findings.html",
        round=round_,
        findings=findings,
        names=names,
        questions=question_views(findings, tool, names),
        agenda=agenda(findings, names),
        scale_name=SCALE_NAME,
        concern_states=concern_states(findings.concerns),
    )


@router.post("/rounds/{round_id}/reconcile", response_model=None)
def reconcile_now(round_id: int, who: Coordinator, session: SessionDep, at: Now) -> Response:
    """Close collection and compute the findings now; pressed again, it changes nothing."""
    round_ = round_or_404(session=session, round_id=round_id)
    findings, _tool = _load(session, round_id)
    if findings is None and round_.status == RoundStatus.collecting:
        reconcile_round(session=session, round_id=round_id, now=at, actor=actor(who))
        session.commit()
    return RedirectResponse(f"/coordinator/rounds/{round_id}/findings", status_code=303)


@router.get("/rounds/{round_id}/findings.csv", response_model=None)
def findings_csv(
    request: Request, round_id: int, who: Coordinator, session: SessionDep, at: Now
) -> Response:
    """The findings page's figures as CSV (no identities; case references on the agenda)."""
    findings, tool = _load(session, round_id)
    if findings is None:
        return Response("This round has not been reconciled yet.", status_code=409)
    again = sign_in_again(
        request, session=session, who=who, at=at, step="findings.export", resume=request.url.path
    )
    if again is not None:
        return again
    names = agency_names(session=session, codes=_codes(findings))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    writer.writerows(csv_rows(findings, tool, names))
    record_event(
        session=session,
        actor=actor(who),
        action="findings.exported",
        entity_type="round",
        entity_id=round_id,
        now=at,
        details={"format": "csv"},
    )
    session.commit()
    return Response(
        "\ufeff" + out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="round-{round_id}-findings.csv"'},
    )
