"""The report's appendices: the other findings, the agreement coefficients, the method's
details (seed, tool version) and every discrepancy, by the question's wording."""

from __future__ import annotations

from flows.report.blocks import Block, Heading, PageBreak, Table, para
from flows.report.model import BoardReport
from flows.report.register import shown
from models.calendar import long_day

COEFFICIENTS_NOTE = (
    "Percent agreement is the share of pairs of agencies that gave the same answer. Gwet's "
    "coefficient (AC1, or AC2 with ordinal weights on an ordered scale, where a near miss "
    "counts partly) and Krippendorff's alpha correct it for agreement expected by chance (1 "
    "is perfect agreement, 0 no better than chance). The words in section 2.3 are Landis and "
    "Koch's bands (1977): slight, fair, moderate, substantial, almost perfect. With so few "
    "cases the 95% intervals are wide."
)
TECHNICAL = "Appendix D: Discrepancies in full"


def other_findings(report: BoardReport) -> list[Block]:
    """Appendix A: the findings not chosen as highlights, in the tool's order."""
    blocks: list[Block] = [Heading(2, "Appendix A: Other findings", "appendix-findings")]
    if not report.other_findings:
        return [*blocks, para("Every finding is among the highlights in section 2.")]
    return [
        *blocks,
        Table(
            ("Finding", "Strength or concern", "Why"),
            tuple(
                (h.statement + (f" Coordinator's note: {h.note}" if h.note else ""), h.kind,
                 h.reason)
                for h in report.other_findings
            ),
            css="questions",
        ),
    ]  # fmt: skip


def coefficients(report: BoardReport) -> list[Block]:
    """Appendix B: percent agreement, Gwet's AC1 or AC2 and Krippendorff's alpha with their n."""
    blocks: list[Block] = [Heading(2, "Appendix B: Agreement coefficients", "appendix-agreement")]
    if not report.agreement:
        return [*blocks, para("No shared question had answers from two or more agencies.")]
    return [
        *blocks,
        Table(
            ("Question", "Cases compared", "Percent agreement", "Gwet's coefficient",
             "Krippendorff's alpha"),
            tuple(
                (a.question or a.id, str(a.n_units), a.percent_agreement,
                 f"{a.coefficient}: {a.gwet_ac1}", a.alpha)
                for a in report.agreement
            ),
            css="questions",
        ),
        para(COEFFICIENTS_NOTE, "note"),
    ]  # fmt: skip


def method_details(report: BoardReport) -> list[Block]:
    """Appendix C: what repeats the selection exactly (seed, criteria) and the tool version."""
    m = report.method
    criteria = "; ".join(f"{k}: {v}" for k, v in m.criteria.items()) or "none"
    if m.named_cases:
        criteria = "none: the cases were named"
    # Small numbers stay suppressed here as in section 1.2, or the appendix would undo it.
    strata = ", ".join(f"{name} {shown(n)}" for name, n in m.strata)
    held = long_day(m.moderation_held_on) if m.moderation_held_on else "not yet held"
    sample = f"{m.cases} cases (sample size {m.sample_size})" + (f": {strata}" if strata else "")
    rows = (
        ("Audit tool", f"{m.tool_title or m.tool}, version {m.tool_version}"),
        ("Selection criteria", criteria),
        ("How the cases were chosen", "Named cases (inspection)")
        if m.named_cases
        else ("Random seed", str(m.seed)),
        ("Sample", sample),
        ("Answers due", long_day(m.due_date)),
        ("Moderation meeting", held),
    )  # fmt: skip
    return [
        Heading(2, "Appendix C: Method details", "appendix-method"),
        para(
            "The cases were named for an inspection; a re-audit audits the same cases with "
            "the same tool version so that its figures compare."
            if m.named_cases
            else "The seed and the criteria repeat the random selection exactly; a re-audit "
            "uses the same tool version so that its figures compare."
        ),
        Table(None, rows, css="label-value"),
    ]


def discrepancies(report: BoardReport) -> list[Block]:
    """Appendix D: every discrepancy, by the question's wording, never its id (the board reads
    it; analysts have the ids in the pseudonymised answers export)."""
    blocks: list[Block] = [Heading(2, TECHNICAL, "appendix-discrepancies")]
    if not report.discrepancies:
        return [*blocks, para("Agencies did not disagree on any shared question.")]
    wording = {q.id: q.finding or q.text for q in report.questions}
    return [
        *blocks,
        Table(
            ("Case", "Question", "Answers", "Agreed answer", "Resolution"),
            tuple(
                (d.case_ref, wording.get(d.question_id, ""), d.answers,
                 d.agreed or ("resolved" if d.resolved else "not yet resolved"),
                 d.resolution or "")
                for d in report.discrepancies
            ),
            css="discrepancies",
        ),
    ]  # fmt: skip


def appendices(report: BoardReport) -> list[Block]:
    """Every appendix, from a new page."""
    return [
        PageBreak(),
        *other_findings(report),
        *coefficients(report),
        *method_details(report),
        *discrepancies(report),
    ]
