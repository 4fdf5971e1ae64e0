"""The findings panel (审核结果): every finding of the open year, updated row by row.

After an edit only the findings that appeared or disappeared are inserted or removed (no reset,
so the list does not flicker or lose its scroll position); double-clicking a finding (or Enter)
asks the window to jump to its cell. Its last column is the clerk's 出错说明: typed in place
(F2, or just typing on the selected finding) and sent to the year's editing session (`explain`,
one undo step); an explained warning is listed as 已说明, in green, not amber.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QPainter
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from services.findings import SEVERITY_ZH, Finding

Index = QModelIndex | QPersistentModelIndex
R = Qt.ItemDataRole
_HEADERS = ["级别", "表", "行", "栏", "说明", "出错说明"]
NOTE_COLUMN = 5
_COLOURS = {"error": QBrush(QColor("#b3261e")), "warning": QBrush(QColor("#8a5a00"))}
EXPLAINED = QBrush(QColor("#1b6e2e"))


def _key(f: Finding) -> tuple:
    return (f.rule, f.cell, f.row, f.column)


class FindingsModel(QAbstractTableModel):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.items: list[Finding] = []
        #: the open year's explanations (出错说明) and how to change one (None: read-only)
        self.explanation: Callable[[Finding], str | None] = lambda _f: None
        self.explain: Callable[[Finding, str], object] | None = None

    def bind(self, explanation: Callable[[Finding], str | None], explain: Callable[[Finding, str], object] | None) -> None:
        """Read explanations with ``explanation``; type them through ``explain`` (None: read-only)."""
        self.explanation, self.explain = explanation, explain
        self.notes_changed()

    def notes_changed(self) -> None:
        """Explanations changed (typed, undone): repaint the marks and the 出错说明 column."""
        if self.items:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.items) - 1, NOTE_COLUMN))

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
        note = self.explanation(f)
        if role in (R.DisplayRole, R.EditRole):
            if index.column() == NOTE_COLUMN:
                return note or ("" if role == R.EditRole or self.explain is None else "（双击此处或按 F2 填写）")
            mark = "✗ " if f.is_error else "✓ " if note else "! "
            level = SEVERITY_ZH[f.severity] + ("·已说明" if note else "")
            where = f"公开{f.table}表" if f.table.isdigit() else f.table_title
            return [mark + level, where, f.row, f.column, f.message][index.column()]
        if role == R.ForegroundRole and index.column() == 0:
            return EXPLAINED if note and not f.is_error else _COLOURS.get(f.severity)
        if role == R.ForegroundRole and index.column() == NOTE_COLUMN and not note:
            return QBrush(QColor("#8c8c8c"))
        if role == R.ToolTipRole:
            return f"{f.message}\n出错说明：{note}" if note else f.message
        if role == R.UserRole:
            return f
        return None

    # QAbstractItemModel.flags: the 出错说明 column is typed in (unless the year is read-only)
    def flags(self, index: Index) -> Qt.ItemFlag:
        f = super().flags(index)
        if index.isValid() and index.column() == NOTE_COLUMN and self.explain is not None:
            f |= Qt.ItemFlag.ItemIsEditable
        return f

    # QAbstractItemModel.setData: an explanation typed, through the year's editing session
    def setData(self, index: Index, value, role: int = R.EditRole) -> bool:  # noqa: ANN001
        if role != R.EditRole or not index.isValid() or index.column() != NOTE_COLUMN or self.explain is None:
            return False
        self.explain(self.items[index.row()], str(value))
        return True

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
        # 出错说明 is typed in place: F2, or typing on the selected finding (double-click jumps)
        self.setEditTriggers(QAbstractItemView.EditTrigger.EditKeyPressed | QAbstractItemView.EditTrigger.AnyKeyPressed
                             | QAbstractItemView.EditTrigger.SelectedClicked)
        # 说明 wraps: a long message is read whole, not behind "…" (each row as tall as it needs)
        self.setWordWrap(True)
        self.setTextElideMode(Qt.TextElideMode.ElideMiddle)  # a long row or column name
        self.verticalHeader().setVisible(False)
        self.verticalHeader().setMinimumSectionSize(self.fontMetrics().height() + 8)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        h = self.horizontalHeader()
        fm = self.fontMetrics()
        for col, text in enumerate(("✓ 提示·已说明", "公开01表", "行30 一般公共预算", "栏1 本年支出")):
            self.setColumnWidth(col, fm.horizontalAdvance(text) + 16)
        self.setColumnWidth(NOTE_COLUMN, fm.horizontalAdvance("（双击此处或按 F2 填写）") + 24)
        # wrapped rows are measured again when 说明 gets wider or narrower
        self._measure = QTimer(self, singleShot=True, interval=0)
        self._measure.timeout.connect(lambda: self.verticalHeader().resizeSections(QHeaderView.ResizeMode.ResizeToContents))
        h.sectionResized.connect(lambda *_: self._measure.start())
        h.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        h.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)  # 说明 takes the room left
        # activated: a double-click, or Enter on the selected finding
        self.activated.connect(lambda idx: self.jump.emit(self.findings.finding(idx.row())))

    # QAbstractItemView.edit: any typing or F2 on a finding writes its 出错说明, whichever column is current
    def edit(self, index, trigger=None, event=None):  # noqa: ANN001, ANN201
        if trigger is None:
            return super().edit(index)
        if index.isValid() and index.column() != NOTE_COLUMN and trigger in (
                QAbstractItemView.EditTrigger.EditKeyPressed, QAbstractItemView.EditTrigger.AnyKeyPressed):
            index = self.findings.index(index.row(), NOTE_COLUMN)
            self.setCurrentIndex(index)
        return super().edit(index, trigger, event)

    # QAbstractScrollArea.paintEvent: say so when there is nothing to list
    def paintEvent(self, event) -> None:  # noqa: ANN001
        super().paintEvent(event)
        if self.findings.rowCount() == 0:
            p = QPainter(self.viewport())
            p.setPen(QColor("#1b6e2e"))
            p.drawText(self.viewport().rect(), int(Qt.AlignmentFlag.AlignCenter), "审核通过：本年度没有发现问题。")
            p.end()
