"""The findings panel (审核结果): every finding of the open year, updated row by row.

After an edit only the findings that appeared or disappeared are inserted or removed (no reset,
so the list does not flicker or lose its scroll position); double-clicking a finding (or Enter)
asks the window to jump to its cell.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QPainter
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from services.findings import SEVERITY_ZH, Finding

Index = QModelIndex | QPersistentModelIndex
R = Qt.ItemDataRole
_HEADERS = ["级别", "表", "行", "栏", "说明"]
_COLOURS = {"error": QBrush(QColor("#b3261e")), "warning": QBrush(QColor("#8a5a00"))}


def _key(f: Finding) -> tuple:
    return (f.rule, f.cell, f.row, f.column)


class FindingsModel(QAbstractTableModel):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.items: list[Finding] = []

    # QAbstractItemModel.rowCount
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.items)

    # QAbstractItemModel.columnCount
    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(_HEADERS)

    # QAbstractItemModel.headerData
    def headerData(self, section: int, orientation: Qt.Orientation, role: int = R.DisplayRole):  # noqa: ANN201
        if role == R.DisplayRole and orientation == Qt.Orientation.Horizontal and 0 <= section < len(_HEADERS):
            return _HEADERS[section]
        return None

    # QAbstractItemModel.data
    def data(self, index: Index, role: int = R.DisplayRole):  # noqa: ANN201
        if not index.isValid() or not 0 <= index.row() < len(self.items):
            return None
        f = self.items[index.row()]
        if role == R.DisplayRole:
            mark = "✗ " if f.is_error else "! "
            where = f"公开{f.table}表" if f.table.isdigit() else f.table_title
            return [mark + SEVERITY_ZH[f.severity], where, f.row, f.column, f.message][index.column()]
        if role == R.ForegroundRole and index.column() == 0:
            return _COLOURS.get(f.severity)
        if role == R.ToolTipRole:
            return f.message
        if role == R.UserRole:
            return f
        return None

    def finding(self, row: int) -> Finding:
        return self.items[row]

    def set_findings(self, new: list[Finding]) -> None:
        """Become ``new`` by removing and inserting rows (findings keep the template's order)."""
        keys = {_key(f) for f in new}
        for i in reversed(range(len(self.items))):
            if _key(self.items[i]) not in keys:
                self.beginRemoveRows(QModelIndex(), i, i)
                del self.items[i]
                self.endRemoveRows()
        have = {_key(f): f for f in self.items}
        if [_key(f) for f in self.items] != [_key(f) for f in new if _key(f) in have]:
            self.beginResetModel()  # the order itself changed (rows were re-laid out): start over
            self.items = list(new)
            self.endResetModel()
            return
        for i, f in enumerate(new):
            old = have.get(_key(f))
            if old is None:
                self.beginInsertRows(QModelIndex(), i, i)
                self.items.insert(i, f)
                self.endInsertRows()
            elif old != f:
                self.items[i] = f
                self.dataChanged.emit(self.index(i, 0), self.index(i, len(_HEADERS) - 1))


class FindingsPanel(QTableView):
    jump = Signal(object)  # the Finding to show

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.findings = FindingsModel(self)
        self.setModel(self.findings)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        # 说明 wraps: a long message is read whole, not behind "…" (each row as tall as it needs)
        self.setWordWrap(True)
        self.setTextElideMode(Qt.TextElideMode.ElideMiddle)  # a long row or column name
        self.verticalHeader().setVisible(False)
        self.verticalHeader().setMinimumSectionSize(self.fontMetrics().height() + 8)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        h = self.horizontalHeader()
        fm = self.fontMetrics()
        for col, text in enumerate(("✗ 错误", "公开01表", "行30 一般公共预算", "栏1 本年支出")):
            self.setColumnWidth(col, fm.horizontalAdvance(text) + 16)
        # wrapped rows are measured again when 说明 gets wider or narrower
        self._measure = QTimer(self, singleShot=True, interval=0)
        self._measure.timeout.connect(lambda: self.verticalHeader().resizeSections(QHeaderView.ResizeMode.ResizeToContents))
        h.sectionResized.connect(lambda *_: self._measure.start())
        h.setStretchLastSection(True)
        h.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        # activated: a double-click, or Enter on the selected finding
        self.activated.connect(lambda idx: self.jump.emit(self.findings.finding(idx.row())))

    # QAbstractScrollArea.paintEvent: say so when there is nothing to list
    def paintEvent(self, event) -> None:  # noqa: ANN001
        super().paintEvent(event)
        if self.findings.rowCount() == 0:
            p = QPainter(self.viewport())
            p.setPen(QColor("#1b6e2e"))
            p.drawText(self.viewport().rect(), int(Qt.AlignmentFlag.AlignCenter), "审核通过：本年度没有发现问题。")
            p.end()
