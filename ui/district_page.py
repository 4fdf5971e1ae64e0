"""各部门上报情况: the district's department list with status badges, and the selected one's detail.

The list (one line per department's current submission: status badge, sealed and received,
check summary at sealing and on re-check, 强制上报) and, below it, the selected department: its
re-check findings as stored and its submission history (历次上报). "查看报表" (or a double-click)
opens the department read-only in a window of its own: the same table pages and findings panel,
with every edit refused by its read-only session (`EntrySession.read_only`). All data comes from `services.exchange.status`; the
words come from `ui.district`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from services.explanations import key_of
from services.findings import Finding
from ui import dialogs
from ui.district import (
    HISTORY_COLUMNS,
    LIST_COLUMNS,
    Column,
    badge,
    detail,
    roster_line,
    same_finding,
    stored_findings,
    summary,
    tone,
)
from ui.findings_panel import FindingsPanel
from ui.performance_page import PerformancePage

if TYPE_CHECKING:  # the exchange (SQLAlchemy, ~0.4 s) is imported when a district is opened
    from services.exchange.status import DepartmentStatus

if TYPE_CHECKING:
    from ui.main_window import MainWindow

Index = QModelIndex | QPersistentModelIndex
R = Qt.ItemDataRole
_TONES = {  # (background, text) of a badge
    "error": (QBrush(QColor("#fbe0dd")), QBrush(QColor("#b3261e"))),
    "warning": (QBrush(QColor("#fdf0cf")), QBrush(QColor("#8a5a00"))),
    "ok": (QBrush(QColor("#e2f1e5")), QBrush(QColor("#1b6e2e"))),
}


# ── read-only display of a district's documents ───────────────────────────
def freeze(page: QWidget) -> None:
    """Make a texts or 绩效 page show, not edit: fields read-only, grids closed, buttons off."""
    for edit in page.findChildren(QLineEdit) + page.findChildren(QPlainTextEdit):
        edit.setReadOnly(True)
    for view in page.findChildren(QAbstractItemView):
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    for button in page.findChildren(QPushButton):
        button.setEnabled(False)
    if isinstance(page, PerformancePage):  # it builds each form's editor when the form is chosen
        def again(_row: int) -> None:
            if page.editor is not None:
                freeze(page.editor)

        page.list.currentRowChanged.connect(again)


# ── the department list ────────────────────────────────────────────────────
class StatusModel(QAbstractTableModel):
    """Department submissions (`DepartmentStatus`) by the given columns (`ui.district.Column`)."""

    def __init__(self, columns: list[Column], parent: QWidget | None = None):
        super().__init__(parent)
        self.columns = columns
        self.items: list[DepartmentStatus] = []
        self._all: list[DepartmentStatus] = []
        self._filter: tuple[str, bool] = ("", False)
        self._bold = QFont()
        self._bold.setBold(True)

    def set_items(self, items: list[DepartmentStatus]) -> None:
        """A new reading of the district file: everything may have changed."""
        self._all = list(items)
        self._show()

    def set_filter(self, text: str = "", problems_only: bool = False) -> None:
        """Show only the departments whose name or code contains ``text`` (and, with
        ``problems_only``, that have errors or warnings): a district has hundreds of them."""
        self._filter = (text.strip(), problems_only)
        self._show()

    def _show(self) -> None:
        text, problems_only = self._filter
        self.beginResetModel()
        self.items = [d for d in self._all if (not text or text in d.name or text in d.code)
                      and (not problems_only or d.errors or d.warnings)]
        self.endResetModel()

    @property
    def all_items(self) -> list[DepartmentStatus]:
        """Every department, shown or not."""
        return self._all

    def item(self, row: int) -> DepartmentStatus:
        return self.items[row]

    # QAbstractItemModel.rowCount
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.items)

    # QAbstractItemModel.columnCount
    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    # QAbstractItemModel.headerData
    def headerData(self, section: int, orientation: Qt.Orientation, role: int = R.DisplayRole):  # noqa: ANN201
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.columns):
            return None
        if role == R.DisplayRole:
            return self.columns[section].title
        if role == R.ToolTipRole:
            return self.columns[section].tip or None
        return None

    # QAbstractItemModel.flags
    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    # QAbstractItemModel.data
    def data(self, index: Index, role: int = R.DisplayRole):  # noqa: ANN201
        if not index.isValid() or not 0 <= index.row() < len(self.items):
            return None
        d, col = self.items[index.row()], self.columns[index.column()]
        if role == R.DisplayRole:
            return col.text(d)
        if role == R.UserRole:
            return d
        if role == R.ToolTipRole:
            return col.tip or None
        paint = "tone" if col.paint == "tone" else "warning" if col.paint == "forced" and d.allow_errors else None
        if paint is None:
            return None
        background, text = _TONES[tone(d) if paint == "tone" else paint]
        if role == R.BackgroundRole:
            return background
        if role == R.ForegroundRole:
            return text
        if role == R.FontRole:
            return self._bold
        return None


def _table(model: StatusModel, name: str) -> QTableView:
    view = QTableView()
    view.setObjectName(name)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setWordWrap(False)
    view.verticalHeader().setVisible(False)
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 10)
    view.horizontalHeader().setStretchLastSection(True)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    return view


class DistrictPage(QWidget):
    """One year of a district file: its departments, and the selected one's findings and history."""

    def __init__(self, path: Path, year: int, name: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self.path, self.year, self.name = Path(path), year, name
        #: the department windows opened from here, by key (reused while open)
        self.windows: dict[str, MainWindow] = {}
        title = QLabel(f"{name} {year} 年度 各部门上报情况".strip())
        font = QFont(title.font())
        font.setPointSizeF(font.pointSizeF() * 1.35)
        font.setBold(True)
        title.setFont(font)
        self.summary = QLabel()
        self.summary.setObjectName("districtSummary")
        self.search = QLineEdit()
        self.search.setObjectName("departmentSearch")
        self.search.setPlaceholderText("查找部门（名称或代码）")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(self.search.fontMetrics().horizontalAdvance("查找部门（名称或代码）") + 48)
        self.problems_only = QCheckBox("只看有问题的部门")
        self.problems_only.setObjectName("problemsOnly")
        self.search.textChanged.connect(self._refilter)
        self.problems_only.toggled.connect(self._refilter)
        finder = QHBoxLayout()
        finder.addWidget(self.summary, 1)
        finder.addWidget(self.search)
        finder.addWidget(self.problems_only)
        self.departments = StatusModel(LIST_COLUMNS, self)
        self.list = _table(self.departments, "departments")
        for col, width in enumerate((145, 190, 80, 50, 120, 120, 65, 90, 90)):
            self.list.setColumnWidth(col, width)
        self.list.selectionModel().currentRowChanged.connect(lambda cur, _prev: self._select(cur.row()))
        self.list.activated.connect(lambda idx: self.open_department(self.departments.item(idx.row()).key))

        self.detail = QLabel()
        self.detail.setObjectName("departmentDetail")
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.open_button = QPushButton("查看报表（只读）")
        self.open_button.setObjectName("openDepartment")
        self.open_button.setToolTip("在新窗口中查看该部门上报的各张表和审核结果（不能修改）")
        self.open_button.clicked.connect(self._open_selected)
        head = QHBoxLayout()
        head.addWidget(self.detail, 1)
        head.addWidget(self.open_button, 0, Qt.AlignmentFlag.AlignTop)
        self.findings = FindingsPanel()
        self.findings.setObjectName("departmentFindings")
        self.findings.jump.connect(self._jump)
        self.history = StatusModel(HISTORY_COLUMNS, self)
        history = _table(self.history, "history")
        for col, width in enumerate((170, 130, 130, 200, 100, 100, 70, 70)):
            history.setColumnWidth(col, width)
        self.missing = QListWidget()
        self.missing.setObjectName("missingDepartments")
        self.missing.setToolTip("应报部门名单（roster 命令导入）中、本年度还没有上报的部门")
        self.tabs = QTabWidget()
        self.tabs.addTab(self.findings, "复核发现的问题")
        self.tabs.addTab(history, "历次上报")
        self.tabs.addTab(self.missing, "未报送")
        below = QWidget()
        lower = QVBoxLayout(below)
        lower.setContentsMargins(0, 4, 0, 0)
        lower.addLayout(head)
        lower.addWidget(self.tabs, 1)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.list)
        split.addWidget(below)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 4)
        layout.addWidget(title, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addLayout(finder)
        layout.addWidget(split, 1)
        self.reload()

    def reload(self) -> None:
        """Read the year's departments again from the district file."""
        from services.exchange.district_file import DistrictError
        from services.exchange.status import District

        report = None
        try:
            with District(self.path) as district:
                report = district.status(self.year)
        except DistrictError as e:
            deps, missing = [], []
            self.summary.setText(f"无法读取：{e}")
            self.summary.setStyleSheet("color: #b3261e;")
        else:
            deps, missing = report.departments, report.missing(self.year)
            self.summary.setText(summary(self.name, self.year, deps, len(missing)))
            bad = any(d.errors for d in deps) or missing
            self.summary.setStyleSheet("color: #b3261e;" if bad else "color: #1b6e2e;")
        self.departments.set_items(deps)
        self.missing.clear()
        if report is not None and not report.roster:
            self.missing.addItem("还没有导入应报部门名单：上报与汇总 → 导入应报部门名单…")
            self.tabs.setTabText(2, "未报送（未导入名单）")
        else:
            self.missing.addItems([roster_line(e) for e in missing])
            self.tabs.setTabText(2, f"未报送（{len(missing)}）")
        self._select_first()

    def _refilter(self) -> None:
        self.departments.set_filter(self.search.text(), self.problems_only.isChecked())
        self._select_first()

    def _select_first(self) -> None:
        if self.departments.rowCount():
            self.list.setCurrentIndex(self.departments.index(0, 0))
        else:
            self._select(-1)

    def counts(self) -> tuple[int, int]:
        """(departments with errors outstanding, departments with only 提示), for the navigator's badge."""
        items = self.departments.all_items  # whatever the filter shows
        return sum(1 for d in items if d.errors), sum(1 for d in items if not d.errors and d.warnings)

    def selected(self) -> DepartmentStatus | None:
        row = self.list.currentIndex().row()
        return self.departments.item(row) if 0 <= row < self.departments.rowCount() else None

    def select(self, key: str) -> None:
        row = next((i for i, d in enumerate(self.departments.items) if d.key == key), None)
        if row is not None:
            self.list.setCurrentIndex(self.departments.index(row, 0))

    def _select(self, row: int) -> None:
        from services.exchange.district_file import DistrictError
        from services.exchange.status import District

        if not 0 <= row < self.departments.rowCount():
            self.detail.setText("")
            self.open_button.setEnabled(False)
            self.findings.findings.set_findings([])
            self.history.set_items([])
            return
        d = self.departments.item(row)
        self.open_button.setEnabled(True)
        notes: dict = {}
        try:
            with District(self.path) as district:
                found, past = stored_findings(district.findings(d.year, d.key)), district.history(d.year, d.key)
                # the department's 出错说明, shown with the finding they explain (read-only here)
                notes = {key_of(f): text for f, text in district.explained(d.year, d.key)}
        except DistrictError as e:
            found, past = [], []
            self.detail.setText(f"无法读取“{d.name}”的上报：{e}")
            self.detail.setStyleSheet("color: #b3261e;")
        else:
            self.detail.setText(detail(d))
            self.detail.setStyleSheet("")
        self.findings.findings.bind(lambda f: notes.get(key_of(f)), None)
        self.findings.findings.set_findings(found)
        self.history.set_items(past)
        errors = sum(f.is_error for f in found)
        self.tabs.setTabText(0, f"复核发现的问题（{errors} 错 {len(found) - errors} 提示）" if found else "复核发现的问题（无）")
        self.tabs.setTabText(1, f"历次上报（{len(past)}）")
        self.tabs.setToolTip(badge(d))

    # ── opening a department ───────────────────────────────────────────────
    def _open_selected(self) -> None:
        d = self.selected()
        if d is not None:
            self.open_department(d.key)

    def open_department(self, key: str) -> MainWindow | None:
        """The department's current submission in a read-only window of its own (one per department)."""
        from ui.district import open_department
        from ui.document import OpenError
        from ui.main_window import MainWindow

        win = self.windows.get(key)
        if win is not None and win.isVisible():
            win.raise_()
            win.activateWindow()
            return win
        try:
            doc = open_department(self.path, self.year, key)
        except OpenError as e:
            dialogs.error(self, "无法打开", str(e))
            return None
        if win is not None:
            win.deleteLater()
        win = MainWindow(doc, self.window())
        win.setWindowFlag(Qt.WindowType.Window, True)  # its own window, closed with the district's
        win.resize(1360, 860)
        win.show()
        self.windows[key] = win
        return win

    def _jump(self, stored: Finding) -> None:
        """A stored finding (it names no cell): open the department and show the same live finding."""
        d = self.selected()
        win = self.open_department(d.key) if d is not None else None
        if win is None or win.year is None:
            return
        live = next((f for f in win.findings.findings.items if same_finding(f, stored)), None)
        if live is not None:
            win.jump_to_finding(live)
