"""The printed multi-row header (表头): panel titles, column groups, labels and 栏次 lines.

`QHeaderView` draws one box per column; the printed tables group columns (table 07's 预算数 /
决算数 each with 公务用车购置及运行费 over three columns, 01/04's 收入 | 支出, 06's three groups).
This header paints the `HeaderCell`s of `TableForm.header_cells` as boxes spanning sections and
lines, following the sections' live positions, so resizing and scrolling keep working as usual.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QHeaderView, QWidget

from services.forms import HeaderCell

_BG = QColor("#eef0f3")
_LINE = QColor("#aab2bc")
_TEXT = QColor("#1d232a")
_FLAGS = int(Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap)


class GroupedHeader(QHeaderView):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(Qt.Orientation.Horizontal, parent)
        self._cells: list[HeaderCell] = []
        self._heights: list[int] = []
        #: another header whose line heights this one copies (the frozen columns' header, `ui.frozen`)
        self.follows: GroupedHeader | None = None
        self.setSectionsClickable(False)
        self.setHighlightSections(False)
        self.sectionResized.connect(lambda *_: self._measure())

    def set_cells(self, lines: int, cells: list[HeaderCell]) -> None:
        self._cells = cells
        self._heights = [0] * lines
        self._measure()

    def _span_width(self, cell: HeaderCell) -> int:
        return sum(self.sectionSize(c) for c in range(cell.column, cell.column + cell.columns))

    def _measure(self) -> None:
        """Line heights so that every label fits, wrapped in its box (at most three lines)."""
        if not self._heights:
            return
        fm = self.fontMetrics()
        base = fm.height() + 8
        heights = [base] * len(self._heights)
        if self.follows is not None and len(self.follows._heights) == len(heights):
            heights, cells = list(self.follows._heights), []
        else:
            cells = self._cells
        for cell in sorted(cells, key=lambda c: c.rows):
            width = max(self._span_width(cell) - 8, 10)
            need = fm.boundingRect(QRect(0, 0, width, 1000), _FLAGS, cell.text).height() + 8
            have = sum(heights[cell.row:cell.row + cell.rows])
            if need > have:
                heights[cell.row + cell.rows - 1] += min(need - have, 2 * fm.height())
        if heights != self._heights:
            self._heights = heights
            self.geometriesChanged.emit()
        self.viewport().update()

    # QWidget.sizeHint: as tall as the printed header
    def sizeHint(self) -> QSize:
        size = super().sizeHint()
        if self._heights:
            size.setHeight(sum(self._heights))
        return size

    # QHeaderView.paintEvent: boxes spanning sections instead of one box per section
    def paintEvent(self, event: QPaintEvent) -> None:
        if not self._cells:
            super().paintEvent(event)
            return
        p = QPainter(self.viewport())
        p.fillRect(event.rect(), _BG)
        p.setPen(QPen(_LINE))
        tops = [sum(self._heights[:i]) for i in range(len(self._heights) + 1)]
        for cell in self._cells:
            x = self.sectionViewportPosition(cell.column)
            rect = QRect(x, tops[cell.row], self._span_width(cell), tops[cell.row + cell.rows] - tops[cell.row])
            if not rect.intersects(event.rect()):
                continue
            p.setPen(QPen(_LINE))
            p.drawRect(rect.adjusted(0, 0, -1, -1))
            p.setPen(QPen(_TEXT))
            p.drawText(rect.adjusted(4, 2, -4, -2), _FLAGS, cell.text)
        p.end()
