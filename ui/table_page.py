"""One table's page: the printed title, 部门/单位 line, the form itself and the table's note.

Mirrors the printed page ("2020 年度收入支出决算总表（表 1）", "部门：…　单位：万元", the table,
"注：…"), and sizes the columns for the printed layout: names wide, 行次 narrow, amounts wide
enough for ``9,999,999.99``.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from ui.editing import SessionEditor
from ui.sheet_view import SheetView


class TablePage(QWidget):
    def __init__(self, editor: SessionEditor, table: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.editor, self.table = editor, table
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
        meta.addWidget(QLabel("单位：万元"))
        self.note = QLabel(spec.note)
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color: #4a5560;")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 4)
        layout.addWidget(title)
        layout.addLayout(meta)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.note)
        self.size_columns()
        self.refresh()
        self.view.installEventFilter(self)

    def size_columns(self) -> None:
        """Base widths for the printed layout; `_fit` then gives spare room to the names."""
        form = self.model.form
        fm = self.view.fontMetrics()
        amount = max(fm.horizontalAdvance("99,999,999.99") + 18, 96)
        panels = len({c.panel for c in form.columns})
        label = {1: 300, 2: 230}.get(panels, 200)
        if form.spec.coded and panels == 1:
            label = 320
        widths = {"label": label, "line": fm.horizontalAdvance("行次") + 16, "code": fm.horizontalAdvance("2010308") + 18, "amount": amount}
        if form.column_count() > 10:  # table 07: twelve amounts on one line, as printed
            widths["label"] = 110
            widths["amount"] = max(fm.horizontalAdvance("9,999.99") + 16, 84)
        if form.spec.coded and panels > 1:  # table 06: three groups side by side
            widths["label"] = 190
        self._base = [widths[col.kind] for col in form.columns]
        self._fit()

    def _fit(self) -> None:
        """Spread the room left over among the name columns (at most 480 px each), as on paper."""
        labels = [j for j, col in enumerate(self.model.form.columns) if col.kind == "label"]
        spare = self.view.viewport().width() - sum(self._base) - 2
        extra = max(0, min(spare // max(len(labels), 1), 480 - max(self._base[j] for j in labels))) if labels else 0
        for j, w in enumerate(self._base):
            self.view.setColumnWidth(j, w + (extra if j in labels else 0))

    # QObject.eventFilter on the view: keep the table as wide as the page when it is resized
    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if obj is self.view and event.type() == QEvent.Type.Resize:
            self._fit()
        return False

    def refresh(self) -> None:
        """The department's name, the table's note, and the printed sentence for an empty table."""
        spec, wb = self.model.form.spec, self.model.form.wb
        self.department.setText(f"部门：{wb.department or '（未填写）'}")
        empty = spec.empty_note if spec.empty_note and wb.is_empty(spec.no) else ""
        self.note.setText("\n".join(t for t in (spec.note, empty) if t))
