"""The board report as the portal shows it: aggregates only, case references replaced by numbers."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from datetime import date

from markupsafe import Markup, escape
from sqlmodel import Session, col, select

from flows.report.blocks import Heading
from flows.report.data import build_report
from flows.report.model import BoardReport
from flows.report.render import render_html_body, render_markdown
from flows.report.write import markdown_files
from models.moderation import Reconciliation
from models.round import AuditRound, RoundStatus

DOWNLOADS = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "md": "text/markdown; charset=utf-8",
    "zip": "application/zip",
}


def reported_rounds(*, session: Session) -> list[AuditRound]:
    """Rounds with a report (reconciled at least once and not cancelled), newest first."""
    reconciled = select(Reconciliation.round_id).distinct()
    return list(
        session.exec(
            select(AuditRound)
            .where(
                col(AuditRound.id).in_(reconciled),
                col(AuditRound.status) != RoundStatus.cancelled,
            )
            .order_by(col(AuditRound.id).desc())
        )
    )


def has_report(*, session: Session, round_id: int) -> bool:
    """Whether the round has a board report yet (reconciled at least once, not cancelled)."""
    round_ = session.get(AuditRound, round_id)
    if round_ is None or round_.status == RoundStatus.cancelled:
        return False
    found = select(Reconciliation.round_id).where(col(Reconciliation.round_id) == round_id)
    return session.exec(found.limit(1)).first() is not None


def portal_report(*, session: Session, round_id: int, today: date) -> BoardReport:
    """The round's board report without free text, discrepancies listed as case 1, 2, ..."""
    report = build_report(session=session, round_id=round_id, today=today, free_text=False)
    numbers: dict[str, int] = {}
    discrepancies = [
        row.model_copy(
            update={"case_ref": f"Case {numbers.setdefault(row.case_ref, len(numbers) + 1)}"}
        )
        for row in report.discrepancies
    ]
    return report.model_copy(update={"discrepancies": discrepancies, "comments": []})


SECTION_TITLES = {
    "issue": "1. The issue under consideration",
    "findings": "2. Findings",
    "actions": "3. Action plan",
    "impact": "4. Re-audit and impact",
}
EDIT_LABELS = {"front-sheet": "Change the front sheet", "highlights": "Add notes to the highlights"}


def edit_link(round_id: int) -> Callable[[Heading], str]:
    """A coordinator's link beside each heading they may change (the heading named for
    screen readers)."""

    def link(heading: Heading) -> str:
        label = EDIT_LABELS.get(heading.edit, "Write the commentary")
        return (
            f'<p class="govuk-body-s ja-edit"><a class="govuk-link" '
            f'href="/reports/{round_id}/edit/{escape(heading.edit)}">{label}'
            f'<span class="govuk-visually-hidden"> for {escape(heading.text)}</span></a></p>'
        )

    return link


def report_body(report: BoardReport, editable: bool = False) -> Markup:
    """The report's HTML body (escaped by the report's own writers) for a portal page, with
    edit links for a coordinator."""
    return Markup(render_html_body(report, edit_link(report.round_id) if editable else None))


def report_file(report: BoardReport, fmt: str) -> bytes:
    """The report as a downloadable DOCX, PDF, Markdown file, or a zip of the Markdown and
    the chart SVGs it links to."""
    if fmt == "docx":
        from flows.report.docx import render_docx

        return render_docx(report)
    if fmt == "pdf":
        from flows.report.pdf import render_pdf

        return render_pdf(report)
    if fmt == "zip":
        archive = io.BytesIO()
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
            for name, content in markdown_files(report):
                bundle.writestr(name, content)
        return archive.getvalue()
    return render_markdown(report).encode("utf-8")
