"""绩效自评 page: the department's and each project's self-evaluation form, edited in place.

A list of the forms (部门整体支出绩效自评表, then one 项目支出绩效自评表 per project) beside the
selected form: its head fields, the 资金 table (执行率 and 得分 computed), the indicator rows with
一级/二级 pickers, the department's small tables, the texts, and the 总分/等次 line. Every edit goes
into the forms (`services.performance`), is saved through the ``save`` callback as the JSON in
`Workbook.texts`, and is checked again through the ``refresh`` callback: cells with findings turn
red (错误) or amber (提示) with the message as tooltip. Every edit is one operation of the year's
editing session (`EntrySession.edit_forms`, typing on in one field is one step), so it is saved,
checked and undone like a figure; the page shows what an undo put back. The table models are thin
adapters over `services.performance.grid`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStyledItemDelegate,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from services.findings import Finding
from services.performance import (
    DEPARTMENT_ID,
    REPORT_KEY,
    TABLE,
    DepartmentForm,
    PerformanceForms,
    ProjectForm,
    spec_of,
)
from services.performance.grid import BlockGrid, FundGrid, Grid, IndicatorGrid
from services.performance.model import Form, form_cell
from services.performance.scoring import format_score, scores
from services.workbook import Cell
from ui import dialogs

if TYPE_CHECKING:
    from services.session import Change
    from ui.editing import SessionEditor

Index = QModelIndex | QPersistentModelIndex
R = Qt.ItemDataRole
ERROR_BG, WARNING_BG, COMPUTED_BG = QBrush(QColor("#f4a8a0")), QBrush(QColor("#fbd98c")), QBrush(QColor("#e8edf3"))
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_STYLE = {"error": "background: #f4a8a0;", "warning": "background: #fbd98c;"}


def tooltip(found: list[Finding]) -> str:
    return "\n".join(("✗ " if f.is_error else "! ") + f.message for f in found)


class GridModel(QAbstractTableModel):
    """One `Grid` of a form; findings colour its cells."""

    def __init__(self, grid: Grid, page: PerformancePage):
        super().__init__(page)
        self.grid, self.page = grid, page

    # QAbstractItemModel.rowCount
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self.grid.row_count()

    # QAbstractItemModel.columnCount
    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self.grid.column_count()

    # QAbstractItemModel.headerData
    def headerData(self, section: int, orientation: Qt.Orientation, role: int = R.DisplayRole):  # noqa: ANN201
        if role == R.DisplayRole and orientation == Qt.Orientation.Horizontal and 0 <= section < self.grid.column_count():
            return self.grid.columns[section].label
        return None

    # QAbstractItemModel.flags
    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        f = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        return f | Qt.ItemFlag.ItemIsEditable if self.grid.editable(index.row(), index.column()) else f

    # QAbstractItemModel.data
    def data(self, index: Index, role: int = R.DisplayRole):  # noqa: ANN201
        if not index.isValid():
            return None
        r, c = index.row(), index.column()
        if role == R.DisplayRole:
            return self.grid.text(r, c)
        if role == R.EditRole:
            return self.grid.edit_text(r, c)
        if role == R.TextAlignmentRole:
            return _RIGHT if self.grid.is_amount(c) else None
        if role in (R.BackgroundRole, R.ToolTipRole):
            cell = self.grid.cell(r, c)
            found = self.page.at(cell) if cell is not None else []
            if role == R.ToolTipRole:
                return tooltip(found) or None
            if found:
                return ERROR_BG if any(f.is_error for f in found) else WARNING_BG
            return COMPUTED_BG if self.grid.columns[c].kind == "computed" else None
        return None

    # QAbstractItemModel.setData: what the clerk typed, or picked
    def setData(self, index: Index, value, role: int = R.EditRole) -> bool:  # noqa: ANN001
        if role != R.EditRole or not index.isValid() or not self.grid.editable(index.row(), index.column()):
            return False
        r, c = index.row(), index.column()
        return self.page.edit(lambda: self.grid.set(r, c, str(value)), f"修改{self.grid.columns[c].label}")

    def repaint(self) -> None:
        if self.rowCount() and self.columnCount():
            self.dataChanged.emit(self.index(0, 0), self.index(self.rowCount() - 1, self.columnCount() - 1))


class ChoiceDelegate(QStyledItemDelegate):
    """一级/二级 cells: an editable combo box of the template's names (other names may be typed)."""

    # QStyledItemDelegate.createEditor
    def createEditor(self, parent: QWidget, option, index: Index) -> QWidget:  # noqa: ANN001
        model = index.model()
        choices = model.grid.choices(index.row(), index.column()) if isinstance(model, GridModel) else None
        if choices is None:
            return super().createEditor(parent, option, index)
        box = QComboBox(parent)
        box.setEditable(True)
        box.addItems(choices)
        return box

    # QStyledItemDelegate.setEditorData
    def setEditorData(self, editor: QWidget, index: Index) -> None:
        if isinstance(editor, QComboBox):
            editor.setCurrentText(str(index.data(R.EditRole) or ""))
        else:
            super().setEditorData(editor, index)

    # QStyledItemDelegate.setModelData
    def setModelData(self, editor: QWidget, model, index: Index) -> None:  # noqa: ANN001
        if isinstance(editor, QComboBox):
            model.setData(index, editor.currentText(), R.EditRole)
        else:
            super().setModelData(editor, model, index)


def _table(model: GridModel, name: str) -> QTableView:
    view = QTableView()
    view.setObjectName(name)
    view.setModel(model)
    view.setItemDelegate(ChoiceDelegate(view))
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setWordWrap(True)
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 10)
    view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    view.setTextElideMode(Qt.TextElideMode.ElideMiddle)
    _widths(view)
    _fit(view)
    model.rowsInserted.connect(lambda *_: _fit(view))
    model.rowsRemoved.connect(lambda *_: _fit(view))
    model.modelReset.connect(lambda: _fit(view))
    model.modelReset.connect(lambda: _widths(view))
    return view


def _widths(view: QTableView, widest_column: int = 180) -> None:
    """Each column as wide as its content, within reason (a long 三级指标 or 偏差原因 is elided in
    the middle, whole in its editor), so the grid fits the page on a 1024-pixel screen."""
    fm = view.fontMetrics()
    model = view.model()
    for c in range(model.columnCount()):
        head = str(model.headerData(c, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole) or "")
        texts = [str(model.index(r, c).data() or "") for r in range(model.rowCount())]
        widest = max([fm.horizontalAdvance(t) for t in texts] + [fm.horizontalAdvance(head)])
        view.setColumnWidth(c, min(max(widest + 16, 48), widest_column))


def _fit(view: QTableView) -> None:
    """All rows visible: the page scrolls, not the table."""
    rows = view.model().rowCount()
    h = view.horizontalHeader().height() + sum(view.rowHeight(r) for r in range(rows)) + 2 * view.frameWidth() + 18
    view.setMinimumHeight(h)
    view.setMaximumHeight(h)


class FormEditor(QScrollArea):
    """One form, top to bottom as printed."""

    def __init__(self, page: PerformancePage, form: Form):
        super().__init__()
        self.page, self.form = page, form
        self.report: QPlainTextEdit | None = None
        spec = page.spec
        body = QWidget()
        lay = QVBoxLayout(body)
        head = QFormLayout()
        self.fields: dict[str, QLineEdit] = {}
        names = [("name", "项目名称"), ("department", "主管部门"), ("implementer", "项目实施单位"), ("codes", "功能分类科目")] \
            if isinstance(form, ProjectForm) else [("unit", "单位名称")]
        for key, label in names + [("filled_on", "填报日期")]:
            value = " ".join(form.codes) if key == "codes" else getattr(form, key)
            edit = QLineEdit(value)
            edit.setObjectName(f"field:{key}")
            edit.textEdited.connect(lambda text, k=key: self.page.set_field(self.form, k, text))
            head.addRow(label, edit)
            self.fields[key] = edit
        if "codes" in self.fields:
            self.fields["codes"].setPlaceholderText("如 2010308（与公开03表该科目的项目支出核对；多个用空格分开）")
        lay.addLayout(head)
        if isinstance(form, DepartmentForm):  # 附件1's text, printed before this form
            lay.addWidget(QLabel("部门整体支出绩效自评报告（印在本表之前）"))
            report = QPlainTextEdit(page.wb.texts.get(REPORT_KEY, ""))
            report.setTabChangesFocus(True)  # Tab goes on to the next field, as in a form
            report.setObjectName("text:report")
            report.setMaximumHeight(140)
            report.textChanged.connect(lambda e=report: self.page.set_report(e.toPlainText()))
            lay.addWidget(report)
            self.report = report
        self.models: dict[str, GridModel] = {}
        self.views: dict[str, QTableView] = {}
        self._grid("funds", "预算执行情况（万元）", FundGrid(form, spec), lay)
        self.texts: dict[str, QPlainTextEdit] = {}
        self._text(lay, "goal_target", "年度总体目标（预期目标）")
        self._text(lay, "goal_actual", "实际完成情况")
        ind = self._grid("indicators", "年度绩效指标", IndicatorGrid(form, spec), lay)
        buttons = QHBoxLayout()
        add, remove = QPushButton("增加指标行"), QPushButton("删除指标行")
        add.setObjectName("addIndicator")
        remove.setObjectName("removeIndicator")
        add.clicked.connect(lambda: self.page.add_indicator(self.form, ind.currentIndex().row() if ind.currentIndex().isValid() else None))
        remove.clicked.connect(lambda: self.page.remove_indicator(self.form, ind.currentIndex().row()))
        buttons.addWidget(add)
        buttons.addWidget(remove)
        buttons.addStretch(1)
        lay.addLayout(buttons)
        if isinstance(form, DepartmentForm):
            for block in spec.blocks:
                view = self._grid(f"blk:{block.id}", block.title, BlockGrid(form, block), lay)
                view.setColumnWidth(0, 190)
                more = QPushButton(f"增加机构（{block.title.split('（')[0]}）")
                more.clicked.connect(lambda _=False, v=view: self.page.add_block_row(self.form, v))
                lay.addWidget(more, 0, Qt.AlignmentFlag.AlignLeft)
        self._text(lay, "analysis", "偏差大或目标未完成原因分析")
        self._text(lay, "improvement", "改进措施及结果应用方案")
        self.summary = QLabel()
        self.summary.setObjectName("summary")
        bold = self.summary.font()
        bold.setBold(True)
        self.summary.setFont(bold)
        lay.addWidget(self.summary)
        lay.addStretch(1)
        self.setWidget(body)
        self.setWidgetResizable(True)
        _widths(ind, 160)  # from the content, not fixed widths that need 1100 pixels
        self.paint()

    def _grid(self, key: str, title: str, grid: Grid, lay: QVBoxLayout) -> QTableView:
        model = GridModel(grid, self.page)
        view = _table(model, key)
        self.models[key], self.views[key] = model, view
        lay.addWidget(QLabel(f"<b>{title}</b>"))
        lay.addWidget(view)
        return view

    def _text(self, lay: QVBoxLayout, key: str, title: str) -> None:
        lay.addWidget(QLabel(title))
        edit = QPlainTextEdit(getattr(self.form, key))
        edit.setTabChangesFocus(True)
        edit.setObjectName(f"text:{key}")
        edit.setMaximumHeight(90)
        edit.textChanged.connect(lambda k=key, e=edit: self.page.set_field(self.form, k, e.toPlainText()))
        lay.addWidget(edit)
        self.texts[key] = edit

    def paint(self) -> None:
        """Findings on every cell and field, and the 总分 line."""
        for m in self.models.values():
            m.repaint()
        for key, edit in self.fields.items():
            found = self.page.at(form_cell(self.form.id, "head", key)) if key in ("name", "codes") else []
            edit.setStyleSheet(_STYLE["error" if any(f.is_error for f in found) else "warning"] if found else "")
            edit.setToolTip(tooltip(found))
        s = scores(self.form, self.page.spec)
        found = self.page.at(form_cell(self.form.id, "head", "total")) + self.page.at(form_cell(self.form.id, "head", "grade"))
        self.summary.setText(f"总分 {format_score(s.total) if s.total is not None else '—'}　分值合计 {format_score(s.weights, None)}"
                             f"　评价等次 {s.grade or '—'}")
        self.summary.setStyleSheet(_STYLE["error" if any(f.is_error for f in found) else "warning"] if found else "")
        self.summary.setToolTip(tooltip(found))


class PerformancePage(QWidget):
    refused = Signal(str)  # what was typed was not accepted, and why

    def __init__(self, editor: SessionEditor, parent: QWidget | None = None):
        super().__init__(parent)
        self.editor_of_year, self.session = editor, editor.session
        self.wb = self.session.wb
        self.forms = self.session.performance
        self.spec = spec_of(self.wb, self.forms)
        self.findings: list[Finding] = []
        self._by_cell: dict[Cell, list[Finding]] = {}
        self.list = QListWidget()
        self.list.setObjectName("forms")
        self.list.currentRowChanged.connect(self._show)
        left = QWidget()
        side = QVBoxLayout(left)
        side.addWidget(self.list)
        for text, slot, name in (("增加项目", self.add_project, "addProject"), ("删除选中的表", self.remove_project, "removeProject"),
                                 ("增加部门整体支出绩效自评表", self.add_department, "addDepartment")):
            b = QPushButton(text)
            b.setObjectName(name)
            b.clicked.connect(slot)
            side.addWidget(b)
        self.editor: FormEditor | None = None
        self.holder = QVBoxLayout()
        right = QWidget()
        right.setLayout(self.holder)
        split = QSplitter()
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(1, 1)
        split.setSizes([190, 1000])  # the list's names wrap: the forms keep the width
        self.list.setWordWrap(True)
        QVBoxLayout(self).addWidget(split)
        self.findings = self.session.audit.of("绩效")
        self._index()
        self._fill_list(0)
        editor.changed.connect(self.changed)

    # ── findings ────────────────────────────────────────────────────────────
    def at(self, cell: Cell) -> list[Finding]:
        return self._by_cell.get(cell, [])

    def _index(self) -> None:
        self._by_cell = {}
        for f in self.findings:
            # every form cell the rule read: the three projects whose sum disagrees with table 03
            for cell in dict.fromkeys(([f.cell] if f.cell else []) + [c for c in f.cells if c.table == TABLE]):
                self._by_cell.setdefault(cell, []).append(f)

    def refresh(self) -> None:
        """The year's 绩效 findings again (the audit ran after every change) and repaint."""
        self.findings = self.session.audit.of("绩效")
        self._index()
        self._label_list()
        if self.editor is not None:
            self.editor.paint()

    def changed(self, change: Change) -> None:
        """Any change to the year: the forms an undo or redo put back, the findings again."""
        if change.whole:
            return  # the window lays the year out again
        if self.session.performance is not self.forms:  # an undo or redo: other forms now
            self.forms = self.session.performance
            self._fill_list(self.list.currentRow())
        elif REPORT_KEY in change.texts and self.editor is not None and self.editor.report is not None:
            text = change.texts[REPORT_KEY][1] or ""
            if self.editor.report.toPlainText() != text:
                self.editor.report.blockSignals(True)
                self.editor.report.setPlainText(text)
                self.editor.report.blockSignals(False)
        self.refresh()

    # ── the list of forms ───────────────────────────────────────────────────
    def _fill_list(self, row: int) -> None:
        """The list of forms again, with ``row`` selected and shown."""
        self.list.blockSignals(True)
        self.list.clear()
        for _ in self.forms.forms():
            self.list.addItem("")
        row = min(max(row, 0), self.list.count() - 1)
        self.list.setCurrentRow(row)
        self.list.blockSignals(False)
        self._label_list()
        self._show(row)

    def _label_list(self) -> None:
        self.findChild(QPushButton, "addDepartment").setEnabled(self.forms.department is None)
        self.findChild(QPushButton, "removeProject").setEnabled(self.current_form() is not None)
        for i, f in enumerate(self.forms.forms()):
            mine = [x for x in self.findings if x.cell is not None and x.cell.row.split(":")[0] == f.id]
            e = sum(x.is_error for x in mine)
            badge = (f"  ✗{e}" if e else "") + (f"  !{len(mine) - e}" if len(mine) - e else "")
            name = "部门整体支出绩效自评表" if isinstance(f, DepartmentForm) else (f.name or "（未命名项目）")  # type: ignore[union-attr]
            item = self.list.item(i)
            if item is not None:
                item.setText(name + badge)

    def _show(self, row: int) -> None:
        if self.editor is not None:
            self.holder.removeWidget(self.editor)
            self.editor.setParent(None)  # off the page now, not when the event loop deletes it
            self.editor.deleteLater()
            self.editor = None
        forms = self.forms.forms()
        if 0 <= row < len(forms):
            self.editor = FormEditor(self, forms[row])
            self.holder.addWidget(self.editor)

    def current_form(self) -> Form | None:
        forms = self.forms.forms()
        row = self.list.currentRow()
        return forms[row] if 0 <= row < len(forms) else None

    # ── edits ───────────────────────────────────────────────────────────────
    def edit(self, change: Callable[[], None], what: str, merge: str | None = None, rebuild: bool = False) -> bool:
        """Apply a change to the forms as one session operation (saved, checked, undoable);
        False (and `refused`) if refused."""
        done = self.editor_of_year.run(lambda: self.session.edit_forms(lambda _forms: change(), what, merge), self.refused.emit)
        if self.session.performance is not self.forms:  # refused after a partial change: as it was
            self.forms = self.session.performance
            self._fill_list(self.list.currentRow())
        if done is None:
            return False
        if rebuild:
            self._fill_list(self.list.currentRow())
        return True

    def set_field(self, form: Form, key: str, text: str) -> None:
        def change() -> None:
            if key == "codes":
                form.codes = [c for c in text.replace("，", " ").replace(",", " ").split() if c]  # type: ignore[attr-defined]
            else:
                setattr(form, key, text)

        self.edit(change, "修改文字", merge=f"{form.id}:{key}")
        if key == "name":
            self._label_list()

    def set_report(self, text: str) -> None:
        """The 自评报告 is a text of the year like the 情况说明's."""
        self.editor_of_year.run(lambda: self.session.set_text(REPORT_KEY, text))

    def import_forms(self, forms: PerformanceForms) -> None:
        """Replace the forms with imported ones (`services.performance.xlsx`); undoable."""
        forms.template = forms.template or self.spec.id
        done = self.editor_of_year.run(lambda: self.session.edit_forms(lambda _old: forms, "导入绩效自评表"), self.refused.emit)
        if done is not None:
            self.forms = self.session.performance
            self._fill_list(0)

    def add_project(self) -> None:
        p = ProjectForm(self.forms.new_project_id(), department=self.wb.department, implementer=self.wb.department,
                        execution_weight=self.spec.decimal("execution_weight", "20"))
        self.edit(lambda: self.forms.projects.append(p), "增加项目")
        self._fill_list(len(self.forms.forms()) - 1)

    def remove_project(self) -> None:
        """Remove the selected form, after asking (it can be undone, but a form is a page of work)."""
        form = self.current_form()
        if form is None:
            return
        name = form.name if isinstance(form, ProjectForm) else "部门整体支出绩效自评表"
        if not dialogs.ask(self, "删除绩效自评表", f"删除“{name or '未命名项目'}”的绩效自评表？（可撤销）"):
            return
        if isinstance(form, ProjectForm):
            self.edit(lambda: self.forms.projects.remove(form), "删除项目", rebuild=True)
        elif isinstance(form, DepartmentForm):
            self.edit(lambda: setattr(self.forms, "department", None), "删除部门整体表", rebuild=True)

    def add_department(self) -> None:
        if self.forms.department is None:
            d = DepartmentForm(DEPARTMENT_ID, unit=self.wb.department, execution_weight=self.spec.decimal("execution_weight", "20"))
            self.edit(lambda: setattr(self.forms, "department", d), "增加部门整体表")
            self._fill_list(0)

    def add_indicator(self, form: Form, after: int | None) -> None:
        model = self.editor.models["indicators"] if self.editor else None
        grid = IndicatorGrid(form, self.spec)
        at = [0]

        def change() -> None:
            at[0] = grid.add_row(after)
            if model is not None:
                model.beginInsertRows(QModelIndex(), at[0], at[0])
                model.endInsertRows()

        self.edit(change, "增加指标行")

    def remove_indicator(self, form: Form, row: int) -> None:
        model = self.editor.models["indicators"] if self.editor else None
        if not 0 <= row < len(form.indicators):
            return

        def change() -> None:
            if model is not None:
                model.beginRemoveRows(QModelIndex(), row, row)
            del form.indicators[row]
            if model is not None:
                model.endRemoveRows()

        self.edit(change, "删除指标行")

    def add_block_row(self, form: DepartmentForm, view: QTableView) -> None:
        model = view.model()
        assert isinstance(model, GridModel) and isinstance(model.grid, BlockGrid)
        grid = model.grid

        def change() -> None:
            n = grid.row_count()
            model.beginInsertRows(QModelIndex(), n, n)
            grid.add_row()
            model.endInsertRows()

        self.edit(change, "增加机构")

    # ── jumping to a finding ────────────────────────────────────────────────
    def show_finding(self, f: Finding) -> None:
        """Select the form and the cell or field a finding names."""
        if f.cell is None:
            return
        form_id, _, part = f.cell.row.partition(":")
        ids = [x.id for x in self.forms.forms()]
        if form_id in ids:
            self.list.setCurrentRow(ids.index(form_id))
        if self.editor is None:
            return
        key = "funds" if part.startswith("fund") else "indicators" if part.startswith("ind") else \
            part.rsplit(":", 1)[0] if part.startswith("blk:") else None
        if key and key in self.editor.views:
            view, model = self.editor.views[key], self.editor.models[key]
            row = int(part.rsplit(":", 1)[1]) if part.startswith("blk:") else int(re.sub(r"\D", "", part) or 0)
            for c in range(model.columnCount()):
                if model.grid.cell(row, c) == f.cell:
                    view.setCurrentIndex(model.index(row, c))
                    self.editor.ensureWidgetVisible(view)
                    view.setFocus()
                    return
        elif part == "head":
            edit = self.editor.fields.get(("name", "department", "implementer", "codes")[f.cell.col] if f.cell.col < 4 else "")
            (edit or self.editor.summary).setFocus()
