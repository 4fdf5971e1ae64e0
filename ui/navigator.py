"""The navigator (导航): the department's years and, per year, its tables with error/warning badges.

A tree of years; under each, 部门概况与情况说明 and the 公开 tables by number and title. A badge
(red: errors, amber: warnings) shows each table's count; after an edit only the tables whose
counts changed are repainted.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QAbstractItemView, QStyledItemDelegate, QStyleOptionViewItem, QTreeView, QWidget

from services.findings import TEXT_TABLE

KIND = Qt.ItemDataRole.UserRole  # ("year", y) | ("texts", y) | ("table", y, no) | ("district", y)
COUNTS = Qt.ItemDataRole.UserRole + 1  # (errors, warnings), or None before the year is checked
_PILLS = ((0, QColor("#c62828"), "✗"), (1, QColor("#c77700"), "!"))


class _BadgeDelegate(QStyledItemDelegate):
    """Draws the counts as small pills at the right of a table's line."""

    # QAbstractItemDelegate.paint
    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> None:
        counts = index.data(COUNTS)
        pills = [(colour, f"{mark}{counts[i]}") for i, colour, mark in _PILLS if counts and counts[i]]
        fm = option.fontMetrics  # type: ignore[attr-defined]
        widths = [fm.horizontalAdvance(text) + 12 for _, text in pills]
        opt = QStyleOptionViewItem(option)
        opt.rect = option.rect.adjusted(0, 0, -sum(w + 4 for w in widths), 0)  # type: ignore[attr-defined]
        super().paint(painter, opt, index)
        x = option.rect.right() - 4  # type: ignore[attr-defined]
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        for (colour, text), w in zip(reversed(pills), reversed(widths)):
            h = fm.height() + 4  # as tall as one line, beside a title on one line or two
            rect = QRect(x - w, option.rect.center().y() - h // 2, w, h)  # type: ignore[attr-defined]
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(colour)
            painter.drawRoundedRect(rect, 7, 7)
            painter.setPen(QColor("white"))
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
            x -= w + 4
        painter.restore()

    # QAbstractItemDelegate.sizeHint
    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        opt = QStyleOptionViewItem(option)
        counts = index.data(COUNTS)
        fm = option.fontMetrics  # type: ignore[attr-defined]
        pills = sum(fm.horizontalAdvance(f"{mark}{counts[i]}") + 16 for i, _, mark in _PILLS if counts and counts[i])
        view = self.parent()
        if isinstance(view, QTreeView):  # the tree does not pass its width: wrap at what the line has
            depth, up = 0, index.parent()
            while up.isValid():
                depth, up = depth + 1, up.parent()
            width = view.viewport().width() - view.indentation() * (depth + int(view.rootIsDecorated())) - pills
            opt.rect = QRect(0, 0, max(width, 40), fm.height())  # type: ignore[attr-defined]
        s = super().sizeHint(opt, index)
        return QSize(s.width(), max(s.height() + 6, fm.height() + 10))


class Navigator(QTreeView):
    chosen = Signal(object)  # the KIND tuple of the clicked line

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.items = QStandardItemModel(self)
        self.setModel(self.items)
        self.setHeaderHidden(True)
        self.setItemDelegate(_BadgeDelegate(self))
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        # A long title wraps onto a second line instead of being cut ("07 …“三公”经费支出决…").
        self.setWordWrap(True)
        self.setUniformRowHeights(False)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._lines: dict[tuple, QStandardItem] = {}
        self.selectionModel().currentChanged.connect(self._current)

    # QWidget.resizeEvent: wrapped titles take as many lines as the new width needs
    def resizeEvent(self, event) -> None:  # noqa: ANN001
        super().resizeEvent(event)
        self.scheduleDelayedItemsLayout()

    def set_years(self, years: dict[int, list[tuple[str, str]]]) -> None:
        """Years (newest first) with their tables as (number, title)."""
        self.items.clear()
        self._lines = {}
        for year in sorted(years, reverse=True):
            top = self._item(f"{year} 年度", ("year", year))
            self._lines[("year", year)] = top
            texts = self._item("部门概况与情况说明", ("texts", year))
            top.appendRow(texts)
            self._lines[("texts", year)] = texts
            for no, title in years[year]:
                line = self._item(f"{no}  {title}", ("table", year, no))
                line.setToolTip(f"公开{no}表 {title}")
                top.appendRow(line)
                self._lines[("table", year, no)] = line
            perf = self._item("绩效自评（附件）", ("table", year, "绩效"))
            perf.setToolTip("部门整体支出绩效自评表、项目支出绩效自评表")
            top.appendRow(perf)
            self._lines[("table", year, "绩效")] = perf
            self.items.appendRow(top)
        self.expandAll()

    def add_district(self, year: int, counts: tuple[int, int]) -> None:
        """A district file's 各部门上报情况 line, first under its year; the badges count departments
        (with errors outstanding, with only 提示)."""
        top = self._lines.get(("year", year))
        if top is None:
            return
        line = self._item("各部门上报情况", ("district", year))
        line.setToolTip("各部门的上报、复核结果与历次上报" + (f"\n{counts[0]} 个部门有未改正的错误" if counts[0] else ""))
        line.setData(counts, COUNTS)
        top.insertRow(0, line)
        self._lines[("district", year)] = line

    @staticmethod
    def _item(text: str, kind: tuple) -> QStandardItem:
        item = QStandardItem(text)
        item.setData(kind, KIND)
        item.setEditable(False)
        return item

    def set_counts(self, year: int, counts: dict[str, tuple[int, int]]) -> None:
        """Badges of one year's tables; a table without findings gets none."""
        for (kind, *rest), item in self._lines.items():
            if kind in ("table", "texts") and rest[0] == year:
                # the text rules' findings belong to the page of the texts
                new = counts.get(rest[1] if kind == "table" else TEXT_TABLE, (0, 0))
                if item.data(COUNTS) != new:
                    item.setData(new, COUNTS)
                    e, w = new
                    item.setToolTip(item.toolTip().split("\n")[0] + (f"\n{e} 个错误，{w} 个提示" if e or w else ""))
        total = [sum(c[i] for c in counts.values()) for i in (0, 1)]
        year_item = self._lines.get(("year", year))
        if year_item is not None and year_item.data(COUNTS) != tuple(total):
            year_item.setData(tuple(total), COUNTS)

    def select(self, kind: tuple) -> None:
        item = self._lines.get(kind)
        if item is not None and self.currentIndex() != item.index():
            self.setCurrentIndex(item.index())

    def _current(self, index: QModelIndex) -> None:
        kind = index.data(KIND)
        if kind is not None:
            self.chosen.emit(kind)
