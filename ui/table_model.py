"""The Qt model of one table form: a thin adapter over `services.forms.TableForm`.

Every override forwards to the form; the model only translates to Qt roles (text, alignment,
colours for computed cells and findings, tooltips) and emits `dataChanged` for the cells a
re-check touched, never a full reset on an edit.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor

from services.findings import Finding
from services.forms import TableForm
from services.money import AmountError
from services.workbook import Cell

ERROR_BG = QBrush(QColor("#f8c9c4"))
WARNING_BG = QBrush(QColor("#fbe3b0"))
COMPUTED_BG = QBrush(QColor("#eef1f5"))
Index = QModelIndex | QPersistentModelIndex


class TableModel(QAbstractTableModel):
    edited = Signal(object, object)  # (Cell, Delta)
    refused = Signal(str)  # a message for the clerk

    def __init__(self, form: TableForm, parent=None):  # noqa: ANN001
        super().__init__(parent)
        self.form = form

    # QAbstractItemModel.rowCount
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.form.rows)

    # QAbstractItemModel.columnCount
    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self.form.column_count()

    # QAbstractItemModel.headerData
    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: ANN201
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            heads = self.form.headers()
            return heads[section] if 0 <= section < len(heads) else None
        return str(section + 1)

    # QAbstractItemModel.flags
    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        f = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if self.form.editable(index.row(), index.column()):
            f |= Qt.ItemFlag.ItemIsEditable
        return f

    # QAbstractItemModel.data
    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: ANN201
        if not index.isValid():
            return None
        r, c = index.row(), index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return self.form.text(r, c)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if c >= self.form.LEAD:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.BackgroundRole:
            found = self.form.findings_at(r, c)
            if any(f.is_error for f in found):
                return ERROR_BG
            if found:
                return WARNING_BG
            if self.form.rows[r].computed and c >= self.form.LEAD:
                return COMPUTED_BG
            return None
        if role == Qt.ItemDataRole.ToolTipRole:
            found = self.form.findings_at(r, c)
            return "\n".join(f.message for f in found) or None
        return None

    # QAbstractItemModel.setData
    def setData(self, index: Index, value, role: int = Qt.ItemDataRole.EditRole) -> bool:  # noqa: ANN001
        if role != Qt.ItemDataRole.EditRole or not index.isValid():
            return False
        cell = self.form.cell(index.row(), index.column())
        if cell is None:
            return False
        try:
            delta = self.form.set_text(index.row(), index.column(), str(value))
        except AmountError as e:
            self.refused.emit(f"{cell.table}表 {self.form.rows[index.row()].label}：{e}")
            return False
        self.dataChanged.emit(index, index)
        self.repaint_findings(delta.appeared + delta.disappeared)
        self.edited.emit(cell, delta)
        return True

    def repaint_findings(self, findings: list[Finding]) -> None:
        for f in findings:
            if f.cell is not None and f.cell.table == self.form.no:
                self.repaint_cell(f.cell)

    def repaint_cell(self, cell: Cell) -> None:
        pos = self.form.position(cell)
        if pos is not None:
            idx = self.index(*pos)
            self.dataChanged.emit(idx, idx)
