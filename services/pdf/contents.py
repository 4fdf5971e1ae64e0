"""The 目录 in one pass: its entries known before the layout, its page numbers drawn after it.

ReportLab's `TableOfContents` learns its entries and their pages in a first pass and prints them
in a second, so the whole document is laid out twice (each pass as long as the other). But the
entries are the document's own headings, known from the story before anything is laid out, and
a page number changes nothing of the 目录's layout but its own figures. So `OnePassContents`
lays the entries out at once, with dot leaders up to a slot of fixed width, and prints each page
number as a PDF form (XObject) that the document defines when the heading is placed
(`define_number`); PDF lets a page use a form defined later in the file.
"""

from __future__ import annotations

from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import KeepTogether, Paragraph, Spacer, Table
from reportlab.platypus.tableofcontents import TableOfContents

#: the page number's slot at the right of each line (room for "999" in the 目录's type)
SLOT = 28.0


def entries_of(story: list) -> list[tuple[int, str]]:
    """The 目录 entries (level, text) of a story, in the order the document will place them."""
    out: list[tuple[int, str]] = []
    for f in story:
        if isinstance(f, KeepTogether):
            out += entries_of(list(f._content))
        elif getattr(f, "toc", None):
            out.append(f.toc)
    return out


def form_name(i: int) -> str:
    return f"toc-page-{i}"


class OnePassContents(TableOfContents):
    """A 目录 whose entries are given up front; entry ``i``'s page number is form `form_name(i)`."""

    def __init__(self, entries: list[tuple[int, str, str]], **kw) -> None:  # noqa: ANN003
        super().__init__(**kw)
        self.given = entries  # (level, text as markup, bookmark key)

    def isIndexing(self) -> int:  # noqa: N802 - ReportLab's name: nothing to learn in a later pass
        return 0

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        def entry_end(canvas, kind: str, label: str) -> None:  # noqa: ANN001
            i, level = (int(x) for x in label.split(","))
            style = self.getLevelStyle(level)
            x, y = canvas._curr_tx_info["cur_x"], canvas._curr_tx_info["cur_y"]
            dot = " . "
            room = availWidth - SLOT - x
            dots = int(room / stringWidth(dot, style.fontName, style.fontSize)) if room > 0 else 0
            if dots:
                t = canvas.beginText(availWidth - SLOT - dots * stringWidth(dot, style.fontName, style.fontSize), y)
                t.setFont(style.fontName, style.fontSize)
                t.textLine(dots * dot)
                canvas.drawText(t)
            canvas.saveState()
            canvas.translate(availWidth - SLOT, y)
            canvas.doForm(form_name(i))
            canvas.restoreState()

        self.canv.setNamedCB("entryEnd", entry_end)
        rows: list[list] = []
        for i, (level, text, key) in enumerate(self.given, 1):
            style = self.getLevelStyle(level)
            if style.spaceBefore:
                rows.append([Spacer(1, style.spaceBefore)])
            rows.append([Paragraph(f'<a href="#{key}">{text}</a><onDraw name="entryEnd" label="{i},{level}"/>', style)])
        self._table = Table(rows or [[""]], colWidths=(availWidth,), style=self.tableStyle)
        self.width, self.height = self._table.wrapOn(self.canv, availWidth, availHeight)
        return self.width, self.height

    def define_number(self, canvas, i: int, level: int, page: int) -> None:  # noqa: ANN001
        """Entry ``i``'s page number, right-aligned in its slot (called as its heading is placed)."""
        style = self.getLevelStyle(level)
        canvas.beginForm(form_name(i), lowerx=0, lowery=-style.fontSize, upperx=SLOT, uppery=2 * style.fontSize)
        canvas.setFont(style.fontName, style.fontSize)
        canvas.drawRightString(SLOT, 0, str(page))
        canvas.endForm()
