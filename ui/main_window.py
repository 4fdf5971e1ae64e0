"""The main window (主窗口): navigator of tables, the table form, the findings panel.

A first, minimal entry window: it shows every table of one department-year laid out with its
行次/栏次, colours failing cells, lists findings (double-click jumps to the cell) and saves each
edit at once. The full Excel-like entry form is built on the same `TableForm` core.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHeaderView,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QSplitter,
    QTableView,
    QWidget,
)

from services.engine import Checker, Delta
from services.findings import Finding
from services.forms import TableForm
from services.workbook import Cell, Workbook
from ui.table_model import TableModel


class MainWindow(QMainWindow):
    def __init__(self, wb: Workbook, save=None, source: str = "", parent: QWidget | None = None):  # noqa: ANN001
        super().__init__(parent)
        self.wb, self.save = wb, save
        self.checker = Checker(wb)
        self.forms = {no: TableForm(wb, no, self.checker) for no in wb.template.tables}
        self.models = {no: TableModel(f, self) for no, f in self.forms.items()}
        for m in self.models.values():
            m.edited.connect(self._edited)
            m.refused.connect(lambda msg: self.statusBar().showMessage(f"未保存：{msg}", 8000))
        self.setWindowTitle(f"决算公开助手 — {wb.department} {wb.year} 年度")

        self.nav = QListWidget()
        self.nav.setObjectName("navigator")
        self.view = QTableView()
        self.view.setObjectName("tableForm")
        self.view.setAlternatingRowColors(False)
        self.view.verticalHeader().setVisible(False)
        self.findings_list = QListWidget()
        self.findings_list.setObjectName("findings")
        self.findings_list.itemDoubleClicked.connect(self._jump)

        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(self.view)
        right.addWidget(self.findings_list)
        right.setSizes([640, 200])
        main = QSplitter(Qt.Orientation.Horizontal)
        main.addWidget(self.nav)
        main.addWidget(right)
        main.setSizes([300, 1140])
        self.setCentralWidget(main)

        self.nav.currentRowChanged.connect(self._show_index)
        self._fill_nav()
        self._fill_findings()
        self.nav.setCurrentRow(0)
        self.statusBar().showMessage(source)

    # ── navigation ──────────────────────────────────────────────────────────
    def _fill_nav(self) -> None:
        current = self.nav.currentRow()
        self.nav.blockSignals(True)
        self.nav.clear()
        counts: dict[str, list[int]] = {}
        for f in self.checker.findings():
            c = counts.setdefault(f.table, [0, 0])
            c[0 if f.is_error else 1] += 1
        for no, t in self.wb.template.tables.items():
            e, w = counts.get(no, [0, 0])
            badge = (f"  ✗{e}" if e else "") + (f"  !{w}" if w else "")
            item = QListWidgetItem(f"公开{no}表 {t.title}{badge}")
            item.setData(Qt.ItemDataRole.UserRole, no)
            if e:
                item.setForeground(Qt.GlobalColor.darkRed)
            self.nav.addItem(item)
        self.nav.setCurrentRow(max(current, 0))
        self.nav.blockSignals(False)

    def _show_index(self, row: int) -> None:
        if row < 0:
            return
        no = self.nav.item(row).data(Qt.ItemDataRole.UserRole)
        self.show_table(no)

    def show_table(self, no: str) -> None:
        self.view.setModel(self.models[no])
        h = self.view.horizontalHeader()
        h.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.view.setColumnWidth(0, 80)
        self.view.setColumnWidth(1, 280)
        for c in range(2, self.forms[no].column_count()):
            self.view.setColumnWidth(c, 120)
        for i in range(self.nav.count()):
            if self.nav.item(i).data(Qt.ItemDataRole.UserRole) == no and self.nav.currentRow() != i:
                self.nav.setCurrentRow(i)

    def find_table(self, text: str) -> str | None:
        for no, t in self.wb.template.tables.items():
            if text in (no, t.title) or text.lstrip("公开表").rstrip("表").zfill(2) == no or text in t.title:
                return no
        return None

    # ── findings ────────────────────────────────────────────────────────────
    def _fill_findings(self) -> None:
        self.findings_list.clear()
        for f in self.checker.findings():
            mark = "✗ 错误" if f.is_error else "! 提示"
            item = QListWidgetItem(f"{mark}  公开{f.table}表  {f.message}")
            item.setData(Qt.ItemDataRole.UserRole, f)
            item.setForeground(Qt.GlobalColor.darkRed if f.is_error else Qt.GlobalColor.darkYellow)
            self.findings_list.addItem(item)
        if not self.findings_list.count():
            self.findings_list.addItem("审核通过：没有发现问题。")

    def _jump(self, item: QListWidgetItem) -> None:
        f: Finding | None = item.data(Qt.ItemDataRole.UserRole)
        if f is None or f.cell is None:
            return
        self.jump_to(f.cell)

    def jump_to(self, cell: Cell) -> None:
        self.show_table(cell.table)
        pos = self.forms[cell.table].position(cell)
        if pos:
            idx = self.models[cell.table].index(*pos)
            self.view.setCurrentIndex(idx)
            self.view.scrollTo(idx)

    def _edited(self, cell: Cell, delta: Delta) -> None:
        for no, m in self.models.items():
            if no != cell.table:
                m.repaint_findings(delta.appeared + delta.disappeared)
        if self.save is not None:
            self.save(cell, self.wb.get(cell))
            self.statusBar().showMessage("已保存", 3000)
        else:
            self.statusBar().showMessage("修改只在本窗口中：这是从 Excel 打开的报表，请用命令 import-xlsx 导入为数据文件后再编辑保存。", 8000)
        if delta:
            self._fill_nav()
            self._fill_findings()
