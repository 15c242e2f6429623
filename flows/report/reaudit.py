"""4. Re-audit and impact: what changed since the baseline, what became of the baseline's
actions and whether their success measures were met, and what the board should ask next."""

from __future__ import annotations

from collections.abc import Callable

from flows.report.blocks import Block, Bullets, ChartBlock, Heading, Run, Table, bullets, para
from flows.report.model import BoardReport, Chart, ComparisonRow
from models.calendar import long_day

CAUTION = (
    "With so few cases a change of many points can still be chance: read a change as real "
    "only where no caution is shown."
)


def _change(row: ComparisonRow) -> str:
    moved = (
        f"up {row.change_points} points"
        if row.change_points > 0
        else f"down {-row.change_points} points"
    )
    text = (
        f"{row.finding or row.text}: {row.current.label} of cases against "
        f"{row.baseline.label} at the baseline, {moved}"
    )
    return text + (f" ({row.caution})." if row.caution else ".")


def _outcomes(report: BoardReport) -> list[Block]:
    impact = report.impact
    if impact is None:
        return []
    blocks: list[Block] = [Heading(3, "4.2 The baseline's actions", "baseline-actions")]
    if not impact.outcomes:
        return [*blocks, para("The baseline round had no action plan.")]
    rows = []
    for o in impact.outcomes:
        updates = "; ".join(
            f"{long_day(u.on)}: {u.status}" + (f", {u.note}" if u.note else "") for u in o.updates
        )
        rows.append(
            (
                o.what,
                o.owner or "",
                o.status + (f" (due {long_day(o.due)})" if o.due else ""),
                updates or "none",
                o.success_measure or "none set",
                o.verdict,
            )
        )
    met = sum(o.met is True for o in impact.outcomes)
    done = sum(o.status == "done" for o in impact.outcomes)
    return [
        *blocks,
        para(
            f"The baseline's plan had {len(impact.outcomes)} actions: {done} done, and "
            f"{met} with their success measure met at this re-audit."
        ),
        Table(
            ("Action", "Lead agency", "Final status", "Updates", "Success measure",
             "At the re-audit"),
            tuple(rows),
            css="actions",
        ),
    ]  # fmt: skip


def reaudit_section(
    report: BoardReport, chart: Callable[[Chart], ChartBlock], narrative: list[Block]
) -> list[Block]:
    """Section 4: a baseline says a re-audit will follow; a re-audit shows the impact."""
    head: list[Block] = [
        Heading(2, "4. Re-audit and impact", "reaudit", edit="impact"),
        *narrative,
    ]
    cmp = report.comparison
    if cmp is None:
        return [
            *head,
            para(
                "This round is a baseline. A re-audit using the same parameters will show "
                "whether the actions above made a difference."
            ),
        ]
    head.append(para(f"This round re-audits “{cmp.baseline_title}”."))
    if cmp.note:
        return [*head, para(f"No comparison can be made: {cmp.note}.")]
    blocks: list[Block] = [*head, Heading(3, "4.1 What changed since the baseline", "changes")]
    if report.improvements:
        blocks += [
            para("The largest improvements:"),
            bullets([_change(r) for r in report.improvements]),
        ]
    if report.deteriorations:
        blocks += [
            para("The largest deteriorations:"),
            bullets([_change(r) for r in report.deteriorations]),
        ]
    if not report.improvements and not report.deteriorations:
        blocks.append(para("No finding moved between the baseline and the re-audit."))
    blocks += [
        para(CAUTION, "caution"),
        Table(
            ("Question", "Baseline", "Re-audit", "Change (points)", "Direction", "Caution"),
            tuple(
                (r.finding or r.text, r.baseline.label, r.current.label, f"{r.change_points:+d}",
                 r.direction, r.caution or "")
                for r in cmp.rows
            ),
            css="questions",
        ),
        *(chart(c) for c in report.charts if c.title.startswith("Case-level compliance")),
        *_outcomes(report),
    ]  # fmt: skip
    if report.impact is not None and report.impact.asks:
        blocks += [
            Heading(3, "4.3 What the board should ask next", "asks"),
            Bullets(tuple((Run(a),) for a in report.impact.asks)),
        ]
    return blocks
