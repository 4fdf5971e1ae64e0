"""Drafted text (起草的文字) as plain data: blocks, charts, and the marks inside the text.

What `services.disclosure.narrative` produces and `services.pdf.textflow` prints: no ReportLab here, so
the window can preview a draft and tests can read it. A placeholder span (【请填写：…】, printed
red) is wrapped in `PH_OPEN`/`PH_CLOSE`, an inline heading (printed 黑体) in `EM_OPEN`/`EM_CLOSE`;
`plain` removes the marks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

PH_OPEN, PH_CLOSE = "\x01", "\x02"  # a placeholder: printed red
EM_OPEN, EM_CLOSE = "\x03", "\x04"  # an inline heading: printed 黑体


#: a figure computed from one the clerk has not entered yet (not listed as a placeholder itself)
PENDING = PH_OPEN + "【待计算】" + PH_CLOSE


def plain(text: str) -> str:
    """The text as printed, without marks."""
    for m in (PH_OPEN, PH_CLOSE, EM_OPEN, EM_CLOSE):
        text = text.replace(m, "")
    return text


@dataclass
class Chart:
    """A chart to draw: ``pie`` (items: label → amount) or ``bar`` (categories × series)."""

    kind: str
    title: str
    items: list[tuple[str, Decimal]] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    series: list[tuple[str, list[Decimal]]] = field(default_factory=list)


@dataclass
class Block:
    """One piece of text: ``part`` (第X部分), ``title`` (part title), ``h1`` (一、), ``h2`` (（一）),
    ``lead`` (a paragraph kept with the next one, e.g. "1．…（项）。"), ``p`` (paragraph), ``chart``. ``toc`` is the 目录 entry (level 0 for parts, 1 for sections)."""

    kind: str
    text: str = ""
    toc: tuple[int, str] | None = None
    chart: Chart | None = None


@dataclass
class Draft:
    cover: dict[str, str]
    overview: list[Block]
    narrative: list[Block]
    glossary: list[Block]
    attachments: list[Block]
    #: what the clerk still has to fill in, in order of appearance (the 【请填写：…】 texts)
    placeholders: list[str]
