"""The Qt model of one table form: a thin adapter over `services.forms.TableForm`.

Every override forwards to the form or the session; the model only translates to Qt roles (text,
alignment, shading of computed cells, red/amber for findings, tooltips) and emits `dataChanged`
for exactly the cells an edit touched, never a reset on an edit. Edits go to the `SessionEditor`
(``ui.editing``), which runs them through the undo stack.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from services.explanations import key_of
from services.forms import TableForm
from services.workbook import Cell

if TYPE_CHECKING:
    from ui.editing import SessionEditor

ERROR_BG = QBrush(QColor("#f4a8a0"))
WARNING_BG = QBrush(QColor("#fbd98c"))
EXPLAINED_BG = QBrush(QColor("#d7ecd3"))  # a warning with the clerk's 出错说明: seen, answered
COMPUTED_BG = QBrush(QColor("#e8edf3"))
MANUAL_TOTAL_BG = QBrush(QColor("#f4f1e4"))  # a total the clerk may type (手工合计)
LEAD_FG = QBrush(QColor("#33404d"))
COMPUTED_FG = QBrush(QColor("#28486b"))
Index = QModelIndex | QPersistentModelIndex
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_LEFT = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
_CENTRE = int(Qt.AlignmentFlag.AlignCenter)
R = Qt.ItemDataRole


class TableModel(QAbstractTableModel):
    def __init__(self, form: TableForm, editor: SessionEditor):
        super().__init__(editor)
        self.form, self.editor = form, editor
        self._bold = QFont()
        self._bold.setBold(True)

    # QAbstractItemModel.rowCount
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self.form.row_count()

    # QAbstractItemModel.columnCount
    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self.form.column_count()

    # QAbstractItemModel.headerData: the lowest header line (the grouped header paints the rest)
    def headerData(self, section: int, orientation: Qt.Orientation, role: int = R.DisplayRole):  # noqa: ANN201
        if role != R.DisplayRole or orientation != Qt.Orientation.Horizontal:
            return None
        if not 0 <= section < self.form.column_count():
            return None
        col = self.form.columns[section]
        if col.no is None:
            return {"label": "项目", "line": "行次", "code": "科目编码"}[col.kind]
        return f"{self.form.spec.column(col.no).label} 栏{col.no}"

    # QAbstractItemModel.flags
    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        f = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if self.form.editable(index.row(), index.column(), self.editor.session.manual_totals):
            f |= Qt.ItemFlag.ItemIsEditable
        return f

    # QAbstractItemModel.data
    def data(self, index: Index, role: int = R.DisplayRole):  # noqa: ANN201
        if not index.isValid():
            return None
        r, c, form = index.row(), index.column(), self.form
        if role == R.DisplayRole:
            return form.text(r, c)
        if role == R.EditRole:
            return form.edit_text(r, c)
        if role == R.TextAlignmentRole:
            kind = form.columns[c].kind
            return _RIGHT if kind == "amount" else _CENTRE if kind in ("line", "code") and not form.spec.coded else _LEFT
        cell = form.cell(r, c)
        if role == R.BackgroundRole:
            if cell is None:
                return None
            found = self.editor.session.audit.at(cell)
            if any(f.is_error for f in found):
                return ERROR_BG
            if found:
                notes = self.editor.session.wb.notes
                return EXPLAINED_BG if all(key_of(f) in notes for f in found) else WARNING_BG
            if form.computed(cell):
                return MANUAL_TOTAL_BG if self.editor.session.manual_totals else COMPUTED_BG
            return None
        if role == R.ForegroundRole:
            if cell is None:
                return LEAD_FG if form.row_at(r, c) is not None else None
            return COMPUTED_FG if form.computed(cell) else None
        if role == R.FontRole:
            row = form.row_at(r, c)
            bold = row is not None and (row.total or (form.spec.coded and len(row.code) == 3))  # totals, 类
            return self._bold if bold else None
        if role == R.ToolTipRole:
            if cell is None:  # a name, whole even where its column is too narrow for it
                return form.text(r, c).strip() or None if form.columns[c].kind == "label" else None
            found = self.editor.session.audit.at(cell)
            if found:
                return form.tooltip(found)
            return "自动计算（可在“手工填写合计”后改写）" if form.computed(cell) else None
        return None

    # QAbstractItemModel.setData: what the clerk typed, through the undo stack
    def setData(self, index: Index, value, role: int = R.EditRole) -> bool:  # noqa: ANN001
        if role != R.EditRole or not index.isValid():
            return False
        return self.editor.type_in(self.form, index.row(), index.column(), str(value))

    # ── repainting what changed ─────────────────────────────────────────────
    def repaint_cells(self, cells: list[Cell]) -> None:
        """`dataChanged` for each of these cells shown in this table (none of the others)."""
        for cell in cells:
            pos = self.form.position(cell)
            if pos is not None:
                idx = self.index(*pos)
                self.dataChanged.emit(idx, idx)

    def relayout(self) -> None:
        """Rows were added or removed: lay the table out again (rare; not on a figure's edit)."""
        self.beginResetModel()
        self.endResetModel()
