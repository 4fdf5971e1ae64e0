"""One table's page: the printed title, 部门/单位 line, the form itself and the table's note.

Mirrors the printed page ("2020 年度收入支出决算总表（表 1）", "部门：…　单位：万元", the table,
"注：…"), and sizes the columns from their content to the page's width (`ui.column_fit`): every amount
whole, names elided in the middle (their tooltip whole) only when the page is narrow.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from ui.column_fit import fit
from ui.editing import SessionEditor
from ui.sheet_view import SheetView


class TablePage(QWidget):
    def __init__(self, editor: SessionEditor, table: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.editor, self.table = editor, table
        self._shown = False
        wb = editor.session.wb
        spec = wb.table(table)
        self.model = editor.model(table)
        self.view = SheetView(self)
        self.view.setObjectName(f"table{table}")
        self.view.setModel(self.model)

        title = QLabel(f"{wb.year} 年度{spec.title}（表{int(table) if table.isdigit() else table}）")
        font = QFont(title.font())
        font.setPointSizeF(font.pointSizeF() * 1.35)
        font.setBold(True)
        title.setFont(font)
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        meta = QHBoxLayout()
        self.department = QLabel()
        meta.addWidget(self.department)
        meta.addStretch(1)
        meta.addWidget(QLabel("单位："))
        # 元: the year is typed as the ledger holds it and published in 万元 by 舍位平衡
        self.unit = QComboBox()
        self.unit.addItems(["万元", "元"])
        self.unit.setObjectName(f"unit{table}")
        self.unit.setToolTip("金额单位：选“元”可按账上的元录入（精确到分），打印和导出时按万元舍位平衡，各表合计与明细一致")
        self.unit.setEnabled(not editor.session.read_only)
        self.unit.activated.connect(self._unit_chosen)
        editor.changed.connect(self._changed)  # an undo may change the unit back
        meta.addWidget(self.unit)
        self.note = QLabel(spec.note)
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color: #4a5560;")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 4)
        layout.addWidget(title)
        layout.addLayout(meta)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.note)
        self.view.setTextElideMode(Qt.TextElideMode.ElideMiddle)  # a long 科目名称: its whole text is the tooltip
        self.size_columns()
        self.model.modelReset.connect(self.size_columns)  # rows added or removed
        self.model.dataChanged.connect(self._widen_for)
        self.refresh()
        self.view.viewport().installEventFilter(self)  # its width changes with the window and the scroll bar
        from ui.frozen import FrozenColumns, lead_columns

        # a table that cannot fit keeps its codes and names in view while its amounts scroll
        self.view.frozen = FrozenColumns(self.view) if lead_columns(self.model) else None

    def size_columns(self) -> None:
        """Each column's width from its content (`ui.column_fit`); `_fit` fits them to the page."""
        form = self.model.form
        fm = self.view.fontMetrics()
        pad = 16
        rows = range(form.row_count())

        def widest(j: int) -> int:
            return max((fm.horizontalAdvance(form.text(r, j)) for r in rows), default=0)

        amounts = [j for j, col in enumerate(form.columns) if col.kind == "amount"]
        figures = max((widest(j) for j in amounts), default=0)
        # one width for every amount of the table, as printed; room for a figure of 万元 up to 99,999.99
        amount = max(figures, fm.horizontalAdvance("99,999.99")) + pad
        least_amount = max(figures, fm.horizontalAdvance("9,999.99")) + 10  # right-aligned: a margin each side
        name_least = fm.horizontalAdvance("一" * 7) + pad  # a name elided in the middle still says what it is
        natural, least = [], []
        for j, col in enumerate(form.columns):
            if col.kind == "amount":
                natural.append(amount)
                least.append(least_amount)
            elif col.kind == "label":
                w = min(max(widest(j) + pad + 8, name_least), 480)
                natural.append(w)
                least.append(min(w, name_least))
            else:  # 行次, 科目编码: always whole
                w = max(widest(j), fm.horizontalAdvance("行次" if col.kind == "line" else "30101")) + pad
                natural.append(w)
                least.append(w)
        self._natural, self._least = natural, least
        self._names = [col.kind == "label" for col in form.columns]
        self._fit()

    def _fit(self) -> None:
        """The columns fitted to the page's width: sideways scrolling only when they cannot fit."""
        room = self.view.viewport().width() - 2
        for j, w in enumerate(fit(self._natural, self._least, self._names, room)):
            self.view.setColumnWidth(j, w)

    def _widen_for(self, top, bottom) -> None:  # noqa: ANN001 - QModelIndex
        """A figure typed wider than its column: measure the table again (rare)."""
        fm = self.view.fontMetrics()
        for r in range(top.row(), bottom.row() + 1):
            for c in range(top.column(), bottom.column() + 1):
                if fm.horizontalAdvance(self.model.form.text(r, c)) + 16 > self.view.columnWidth(c):
                    self.size_columns()
                    return

    # QWidget.showEvent: the first time on screen, scroll from the top left to the current cell (it
    # may have been chosen while the page had no size yet, and scrolled for a page of none)
    def showEvent(self, event) -> None:  # noqa: ANN001
        super().showEvent(event)
        if not self._shown:
            self._shown = True
            QTimer.singleShot(0, self, self._scroll_home)

    def _scroll_home(self) -> None:
        self.view.horizontalScrollBar().setValue(0)
        self.view.verticalScrollBar().setValue(0)
        if self.view.currentIndex().isValid():
            self.view.scrollTo(self.view.currentIndex())

    # QObject.eventFilter on the view's viewport: keep the table as wide as the page when it is resized
    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if obj is self.view.viewport() and event.type() == QEvent.Type.Resize:
            self._fit()
        return False

    def _changed(self, change) -> None:  # noqa: ANN001 - a Change
        from services.rounding import ENTRY_UNIT_KEY

        if ENTRY_UNIT_KEY in change.texts:
            self.unit.setCurrentText(self.model.form.unit)

    def _unit_chosen(self, index: int) -> None:
        unit = self.unit.itemText(index)
        if unit != self.model.form.unit:
            at = self.view.currentIndex()
            self.editor.run(lambda: self.editor.session.set_entry_unit(unit))
            if at.isValid():  # the table was laid out again: the clerk stays on the same cell
                self.view.setCurrentIndex(self.model.index(at.row(), at.column()))
        self.refresh()
        self.view.setFocus()

    def refresh(self) -> None:
        """The department's name, the unit, the table's note, and the printed sentence for an
        empty table."""
        spec, wb = self.model.form.spec, self.model.form.wb
        self.unit.setCurrentText(self.model.form.unit)
        self.department.setText(f"部门：{wb.department or '（未填写）'}")
        empty = spec.empty_note if spec.empty_note and wb.is_empty(spec.no) else ""
        self.note.setText("\n".join(t for t in (spec.note, empty) if t))
