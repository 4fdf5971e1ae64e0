"""Drawing the lines (排版：两端对齐与标点挤压): justified CJK lines and squeezed punctuation.

ReportLab justifies a line by widening its spaces; a Chinese line has none, so a justified 宋体
paragraph printed ragged (up to three characters short of the margin where a number or a mark had
to move down). `install` makes a justified line without spaces spread its shortfall over the gaps
between its characters (PDF character spacing, as Chinese typesetting does), the last line of a
paragraph and a line before a forced break staying as set.

`linebreak` measures a squeezed mark (标点挤压: "）。" → the "）" at half width) and writes
`linebreak.SQUEEZE` after it; `PunctTextObject` (the canvas's text object, see `canvas_class`)
draws that as a move back of half the mark's width, so what is drawn is what was measured.
"""

from __future__ import annotations

import re
from datetime import date

from reportlab.lib.rl_accel import fp_str
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.pdfgen.textobject import PDFTextObject

from services.pdf.linebreak import SQUEEZE

_EPS = 1e-6


class PunctTextObject(PDFTextObject):
    """A text object that draws `SQUEEZE` as a move back of half the mark before it."""

    def _formatText(self, text):  # noqa: ANN001, ANN202 (ReportLab's signature)
        if SQUEEZE not in text:
            return super()._formatText(text)
        parts = text.split(SQUEEZE)
        out = []
        for k, piece in enumerate(parts):
            if piece:
                out.append(super()._formatText(piece))
            if k < len(parts) - 1 and piece:
                w = stringWidth(piece[-1], self._fontname, self._fontsize)
                out.append(f"[{fp_str(500 * w / self._fontsize)}] TJ")
        return " ".join(out)


def plain(text: str) -> str:
    return text.replace(SQUEEZE, "")


def _glyphs(texts: list[str]) -> int | None:
    """The characters a line shows, or None when it has spaces between them (spaces justify it). A
    split paragraph's lines come back with a space at their end (ReportLab rejoins its lines): ignored."""
    shown = plain("".join(texts)).rstrip(" ")
    return None if " " in shown else len(shown)


def _spread(tx, extra: float, glyphs: int | None) -> bool:  # noqa: ANN001
    if glyphs is None or glyphs < 2 or abs(extra) < _EPS:
        return False
    tx.setCharSpace(extra / (glyphs - 1))
    return True




def install() -> None:
    """Justify CJK lines by character spacing (idempotent)."""
    from reportlab.platypus import paragraph

    if getattr(paragraph, "_dd_justify", False):
        return
    plain_line, frag_line = paragraph._justifyDrawParaLine, paragraph._justifyDrawParaLineX

    def justify_line(tx, offset, extraspace, words, last=0):  # noqa: ANN001, ANN202
        text = " ".join(words)
        if last or not _spread(tx, extraspace, _glyphs([text])):
            return plain_line(tx, offset, extraspace, words, last)
        try:
            return plain_line(tx, offset, 0, words, last)
        finally:
            tx.setCharSpace(0)

    def justify_frags(tx, offset, line, last=0):  # noqa: ANN001, ANN202
        texts = [w.text for w in line.words if not hasattr(w, "cbDefn")]
        if last or line.lineBreak or not _spread(tx, line.extraSpace, _glyphs(texts)):
            return frag_line(tx, offset, line, last)
        try:
            return frag_line(tx, offset, line, 1)  # 1: draw as set, the spacing does the justifying
        finally:
            tx.setCharSpace(0)

    paragraph._justifyDrawParaLine = justify_line
    paragraph._justifyDrawParaLineX = justify_frags
    paragraph._dd_justify = True


_DATE = re.compile(r"(\d{4})\s*[年\-./]\s*(\d{1,2})\s*[月\-./]\s*(\d{1,2})")


def pdf_date(year: int, published: str | None = None) -> str:
    """The PDF's dates: the document's own 公开日期 when the clerk gave one ("2024年9月30日"),
    else 12月31日 of the year — never the clock, so the same data gives the same bytes."""
    m = _DATE.search(published or "")
    if m:
        y, mo, d = (int(g) for g in m.groups())
        try:
            date(y, mo, d)
            return f"D:{y:04d}{mo:02d}{d:02d}120000+08'00'"
        except ValueError:
            pass  # not a date (2024年2月30日): the year's end
    return f"D:{year:04d}1231120000+08'00'"


def canvas_class(year: int, published: str | None = None) -> type[Canvas]:
    """A canvas whose creation and modification dates come from the data (`pdf_date`), not the
    clock, and whose text objects draw squeezed punctuation."""
    stamp = pdf_date(year, published)

    class FixedDateCanvas(Canvas):
        def __init__(self, *a, **kw):
            super().__init__(*a, **kw)
            self.setDateFormatter(lambda *_: stamp)
            self.showOutline()

        def beginText(self, x: float = 0, y: float = 0, direction: str | None = None) -> PDFTextObject:
            return PunctTextObject(self, x, y, direction=direction)

    return FixedDateCanvas
