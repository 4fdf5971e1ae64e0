"""Text flowables (文字排版): drafted `Block`s → ReportLab paragraphs, headings and charts.

Marks in drafted text become markup here: a placeholder (【请填写：…】) prints red, an inline
heading prints 黑体. Headings carry their 目录 entry (`TocParagraph.toc`), which the document
template turns into a 目录 line with its page number, a PDF bookmark and a link.
"""

from __future__ import annotations

import re

from reportlab.platypus import CondPageBreak, KeepTogether, Paragraph

from services.disclosure.blocks import EM_CLOSE, EM_OPEN, PH_CLOSE, PH_OPEN, Block
from services.pdf.fonts import HEI, with_fallback
from services.pdf.headwords import escape
from services.pdf.styles import PLACEHOLDER_COLOR

#: Control and format characters (an escape sequence, a bell, a bidi override, a zero-width
#: joiner pasted into a name) print as boxes or reorder a line; only a line break is kept.
_INVISIBLE = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb]")
#: The same without the drafting marks (PH_OPEN … EM_CLOSE are \x01–\x04), for drafted text.
_INVISIBLE_BUT_MARKS = re.compile(r"[\x00\x05-\x09\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb]")


def esc(text: str) -> str:
    return escape(_INVISIBLE.sub("", text))


def markup(text: str, font: str | None = None) -> str:
    """Drafted text (with marks) as paragraph markup; ``font``: the paragraph's, when it may lack
    some characters (楷体), which then print in 宋体."""
    s = escape(_INVISIBLE_BUT_MARKS.sub("", text))
    if font is not None:
        s = with_fallback(s, font)
    return (
        s.replace(PH_OPEN, f'<font color="{PLACEHOLDER_COLOR}">')
        .replace(PH_CLOSE, "</font>")
        .replace(EM_OPEN, f'<font name="{HEI}">')
        .replace(EM_CLOSE, "</font>")
    )


class TocParagraph(Paragraph):
    """A heading with a 目录 entry: ``toc = (level, text)``."""

    def __init__(self, text: str, style, toc: tuple[int, str] | None = None, **kw):  # noqa: ANN003
        # ``**kw``: a heading too long for the rest of a page is split by ReportLab, which makes
        # the parts with ``bulletText=``/``frags=``; only the first part carries the 目录 entry.
        super().__init__(text, style, **kw)
        self.toc = toc

    def split(self, availWidth: float, availHeight: float) -> list:  # noqa: N803 - ReportLab's signature
        parts = super().split(availWidth, availHeight)
        if parts:  # the first part is where the heading starts: its 目录 entry and bookmark
            parts[0].toc = self.toc
        return parts


#: blocks that must not end a page (``lead``: a numbered item's first line, printed as body text)
HEADINGS = ("h1", "h2", "lead")


def _height(p: Paragraph, width: float) -> float:
    """The height a heading takes as it will be set (measured, not estimated from its width)."""
    return p.wrap(width, 10_000)[1] + p.getSpaceBefore() + p.getSpaceAfter()


def block_flowables(blocks: list[Block], styles, width: float, charts: list[int]) -> list:
    """Flowables for drafted blocks; ``charts`` counts figures across the document (图1, 图2 …)."""
    from services.pdf.charts import chart_flowables

    out: list = []
    flows = [_flowable(b, styles, width, charts, chart_flowables) for b in blocks]
    for i, (b, f) in enumerate(zip(blocks, flows)):
        if b.kind in HEADINGS and (i == 0 or blocks[i - 1].kind not in HEADINGS + ("part", "title")):
            # a heading (and the headings right after it) never ends a page: it moves down with two
            # lines of the text under it (the break is measured on the headings as they are set)
            need = 2 * styles.body.leading + 1
            for h, hf in zip(blocks[i:], flows[i:]):
                if h.kind not in HEADINGS:
                    break
                need += _height(hf, width)
            out.append(CondPageBreak(need))
        out.append(f)
    return out


def _flowable(b: Block, styles, width: float, charts: list[int], chart_flowables):  # noqa: ANN001, ANN202
    if b.kind == "part":
        return TocParagraph(markup(b.text), styles.part, toc=b.toc)
    if b.kind == "title":
        return Paragraph(markup(b.text), styles.part_sub)
    if b.kind == "h1":
        return TocParagraph(markup(b.text), styles.h1, toc=b.toc)
    if b.kind == "h2":
        return Paragraph(markup(b.text, styles.h2.fontName), styles.h2)
    if b.kind == "chart" and b.chart is not None:
        charts[0] += 1
        return KeepTogether(chart_flowables(b.chart, charts[0], styles, width))
    return Paragraph(markup(b.text), styles.body)
