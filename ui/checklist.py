"""The 公开完整性 checklist (公开内容清单): what the disclosure must contain, ticked or not.

A view of `services.completeness.items` for the open year: each part with ✓ (有), ✗ (缺少,
and where to fill it in) or — (本年度不需要). Read-only: the parts are filled in on their pages.
"""

from __future__ import annotations

from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from services.completeness import items
from services.workbook import Workbook

_MISSING = QBrush(QColor("#b3261e"))
_PRESENT = QBrush(QColor("#1b6e2e"))
_NEEDLESS = QBrush(QColor("#6b6b6b"))


class Checklist(QDialog):
    def __init__(self, wb: Workbook, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("checklist")
        self.head = QLabel()
        self.table = QTableWidget(0, 3, self)
        self.table.setHorizontalHeaderLabels(["内容", "状态", "在哪里填写"])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        self.fill(wb)
        h = self.table.horizontalHeader()
        h.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        h.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        h.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.head)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        self.resize(900, 560)

    def fill(self, wb: Workbook) -> None:
        """The list as the year stands now (the window calls it again after each change)."""
        self.setWindowTitle(f"公开完整性检查 — {wb.department} {wb.year} 年度")
        found = items(wb)
        missing = sum(i.missing for i in found)
        self.head.setText(f"公开文件应包含 {len(found)} 项内容，缺少 {missing} 项。" if missing else
                          f"公开文件应包含的 {len(found)} 项内容都已齐全。")
        self.table.setRowCount(len(found))
        for r, i in enumerate(found):
            state, brush = (("✓ 已有", _PRESENT) if i.present else ("— 本年度不需要", _NEEDLESS) if i.needless
                            else ("✗ 缺少", _MISSING))
            for c, text in enumerate((i.what, state, i.where if i.missing else "")):
                cell = QTableWidgetItem(text)
                if c == 1:
                    cell.setForeground(brush)
                self.table.setItem(r, c, cell)
