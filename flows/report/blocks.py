"""The report as neutral blocks (headings, paragraphs, lists, tables, charts) that the HTML,
Markdown and DOCX writers each print, so the formats cannot drift apart; plain text only."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

Style = Literal["body", "note", "provisional", "caution", "lead"]


@dataclass(frozen=True)
class Run:
    """A piece of text, optionally strong or emphasised."""

    text: str
    strong: bool = False
    emphasis: bool = False


@dataclass(frozen=True)
class Heading:
    """A numbered or plain heading; `edit` names the commentary a coordinator may change."""

    level: int
    text: str
    anchor: str = ""
    edit: str = ""


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of runs."""

    runs: tuple[Run, ...]
    style: Style = "body"


@dataclass(frozen=True)
class Bullets:
    """A bulleted (or numbered) list; each item a tuple of runs."""

    items: tuple[tuple[Run, ...], ...]
    numbered: bool = False


@dataclass(frozen=True)
class Table:
    """A table; `header` None for a label/value table (its first column is the row header)."""

    header: tuple[str, ...] | None
    rows: tuple[tuple[str, ...], ...]
    caption: str = ""
    css: str = ""


@dataclass(frozen=True)
class ChartBlock:
    """An SVG chart with its caption and alternative text."""

    title: str
    svg: str
    alt: str
    width: int
    height: int


@dataclass(frozen=True)
class PageBreak:
    """A new page in paged formats (PDF, DOCX)."""


Block = Heading | Paragraph | Bullets | Table | ChartBlock | PageBreak


@dataclass
class Document:
    """The report's blocks in order, and its title for page footers."""

    title: str
    author: str
    blocks: list[Block] = field(default_factory=list)

    def add(self, *blocks: Block) -> None:
        """Append blocks."""
        self.blocks.extend(blocks)


def para(text: str, style: Style = "body") -> Paragraph:
    """A one-run paragraph."""
    return Paragraph((Run(text),), style)


def bullets(lines: list[str]) -> Bullets:
    """A bulleted list of plain lines."""
    return Bullets(tuple((Run(line),) for line in lines))


_INLINE = re.compile(r"\*\*(?P<strong>[^*\n]+)\*\*|\*(?P<em>[^*\n]+)\*|_(?P<em2>[^_\n]+)_")
_ITEM = re.compile(r"^\s*(?:(?P<bullet>[-*])|(?P<number>\d+)[.)])\s+(?P<text>.*)$")


def inline(text: str) -> tuple[Run, ...]:
    """Markdown-lite emphasis: **strong**, *emphasis* or _emphasis_; everything else literal."""
    runs: list[Run] = []
    at = 0
    for match in _INLINE.finditer(text):
        if match.start() > at:
            runs.append(Run(text[at : match.start()]))
        if match.group("strong"):
            runs.append(Run(match.group("strong"), strong=True))
        else:
            runs.append(Run(match.group("em") or match.group("em2"), emphasis=True))
        at = match.end()
    if at < len(text):
        runs.append(Run(text[at:]))
    return tuple(runs)


def markdown_lite(text: str) -> list[Block]:
    """The coordinator's commentary as blocks: paragraphs (blank-line separated) and lists."""
    blocks: list[Block] = []
    for chunk in re.split(r"\n\s*\n", text.strip()):
        lines = [line.strip() for line in chunk.splitlines() if line.strip()]
        if not lines:
            continue
        items = [_ITEM.match(line) for line in lines]
        if all(items):
            numbered = bool(items[0] and items[0].group("number"))
            blocks.append(
                Bullets(tuple(inline(m.group("text")) for m in items if m), numbered=numbered)
            )
        else:
            blocks.append(Paragraph(inline(" ".join(lines))))
    return blocks
