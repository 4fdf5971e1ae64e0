"""部门概况与情况说明: the department's name and code, and everything the clerk writes or enters.

第一部分 部门概况 (职责, 机构设置, 人员构成), the reasons and notes quoted in 第三部分 情况说明, and
the figures no table holds (会议费, 政府采购, 车辆 …) are kept with the year in `Workbook.texts`
under the keys of ``resources/texts/narrative.toml`` (read through `services.disclosure.texts`, as the
PDF reads them); last, the 上年数 the 情况说明 compares with (`narrative.prior_cells`), kept in
`Workbook.prior`. Texts are saved on every change, as figures are; a figure field that is not a
number is marked and not saved.
"""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QPlainTextEdit, QScrollArea, QVBoxLayout, QWidget

from services.disclosure.narrative import budget_codes, prior_cells
from services.disclosure.texts import TextField, field, find_table, narrative_spec, text_fields
from services.money import AmountError, parse_amount, round_cent, to_storage
from services.published.sections import section_order
from services.session import Change
from services.workbook import Cell, Workbook
from ui.document import Document, OpenError
from ui.editing import SessionEditor

Section = tuple[str, list[TextField]]


def sections(wb: Workbook) -> list[Section]:
    """The fields to show for a year, grouped as the document uses them; key patterns expanded
    over the 三公 items, the vehicle types and the 项 codes of the 一般公共预算 table."""
    narrative = {s.get("id"): s for s in narrative_spec()["narrative"]["section"]}
    items = [i["key"] for i in narrative.get("三公", {}).get("items", [])]
    vehicles = narrative.get("国有资产", {}).get("vehicle_types", [])
    groups: dict[str, list[TextField]] = {"概况": [], "原因": [], "说明": [], "数字": []}
    for f in text_fields():
        if "{科目}" in f.key:
            continue  # per code, below
        expanded = ([field(f.key, 项目=i) for i in items] if "{项目}" in f.key
                    else [field(f.key, 类型=v) for v in vehicles] if "{类型}" in f.key else [f])
        for g in expanded:
            kind = "数字" if g.kind in ("金额", "数量") else "原因" if g.kind == "原因" else \
                "概况" if g.key.startswith(("概况.", "封面.")) else "说明"
            groups[kind].append(g)
    per_code: list[TextField] = []
    t05 = find_table(wb.template, "一般公共预算支出表")
    for code in budget_codes(wb) if t05 else ():  # at the level 五（三） is written (类, 款 or 项)
        name = f"{code} {wb.row_label(t05.no, code)}"  # type: ignore[union-attr]
        per_code += [field("数据.年初预算.{科目}", 科目=code, 科目名称=name),
                     field("原因.预算执行.{科目}", 科目=code, 科目名称=name)]
    # sections read from a published PDF or a Word file (import-pdf, import-docx), by their headings
    read = [TextField(k, k.split(".", 1)[1], "文字")
            for k in sorted((k for k in wb.texts if k.startswith("情况说明.")), key=section_order)]
    return [
        ("第一部分 部门概况", groups["概况"]),
        ("第三部分 情况说明：从已公开的文件读入的各节", read),
        ("第三部分 情况说明：增减变化的主要原因", groups["原因"]),
        ("第三部分 情况说明：单位的说明文字", groups["说明"]),
        ("报表中没有、情况说明要引用的数字", groups["数字"]),
        ("一般公共预算财政拨款支出：各科目的年初预算数与差异原因", per_code),
    ]


def parse_or_none(text: str) -> Decimal | None:
    """The amount in a field, or None (blank, or not a number)."""
    try:
        return parse_amount(text)
    except AmountError:
        return None


def figure_problem(f: TextField, text: str) -> str | None:
    """Why ``text`` is not a valid figure for ``f`` (金额 in 万元, 数量 a whole number), or None."""
    if not text.strip():
        return None
    try:
        value = parse_amount(text)
    except AmountError as e:
        return str(e)
    if f.kind == "数量" and (value is None or value < 0 or value != value.to_integral_value()):
        return f"“{text.strip()}”不是个数，请填写整数"
    return None


class DepartmentPage(QScrollArea):
    saved = Signal(object)  # None when saved, else why not (str)
    refused = Signal(str)  # a figure field that is not a number: not saved, and why

    def __init__(self, document: Document, editor: SessionEditor, parent: QWidget | None = None):
        super().__init__(parent)
        self.document, self.editor, self.session = document, editor, editor.session
        session = self.session
        wb = session.wb
        body = QWidget()
        layout = QVBoxLayout(body)
        head = QFormLayout()
        self.name = QLineEdit(wb.department)
        self.code = QLineEdit(wb.department_code)
        self.name.setObjectName("departmentName")
        for w in (self.name, self.code):
            w.editingFinished.connect(self._department)
        head.addRow("部门名称", self.name)
        head.addRow("部门编码", self.code)
        head.addRow("年度", QLabel(f"{wb.year} 年度"))
        head.addRow("报表模板", QLabel(wb.template.name))
        where = str(document.path) if document.on_disk else f"{document.path}（Excel，修改只在本窗口中，请“另存为”部门数据文件）"
        head.addRow("数据文件", QLabel(where))
        layout.addLayout(head)
        self.texts: dict[str, QPlainTextEdit | QLineEdit] = {}
        bold = QFont(self.font())
        bold.setBold(True)
        for title, fields in sections(wb):
            if not fields:
                continue
            heading = QLabel(title)
            heading.setFont(bold)
            layout.addSpacing(10)
            layout.addWidget(heading)
            figures = QFormLayout()
            for f in fields:
                label = f.what + ("（可不填）" if f.optional else "")
                edit: QLineEdit | QPlainTextEdit
                if f.kind in ("金额", "数量"):
                    edit = QLineEdit(wb.texts.get(f.key, ""))
                    edit.setMaximumWidth(220)
                    edit.textChanged.connect(lambda text, f=f, e=edit: self._figure(f, e, text))
                    figures.addRow(label, edit)
                else:
                    layout.addWidget(QLabel(label))
                    edit = QPlainTextEdit(wb.texts.get(f.key, ""))
                    edit.setTabChangesFocus(True)  # Tab goes on to the next field, as in a form
                    edit.setMinimumHeight(54 if f.kind == "原因" else 70)
                    edit.setMaximumHeight(90 if f.kind == "原因" else 130)
                    edit.textChanged.connect(lambda k=f.key, e=edit: self._text(k, e.toPlainText()))
                    layout.addWidget(edit)
                edit.setObjectName(f"text:{f.key}")
                self.texts[f.key] = edit
            if figures.rowCount():
                layout.addLayout(figures)
        self.priors: dict[Cell, QLineEdit] = {}
        cells = prior_cells(wb)
        if cells:
            heading = QLabel("上年数（万元）：情况说明与上年比较时用；新建年度时从上一年度带入，也可以在这里填写")
            heading.setFont(bold)
            layout.addSpacing(10)
            layout.addWidget(heading)
            figures = QFormLayout()
            for cell in cells:
                edit = QLineEdit(to_storage(wb.prior.get(cell)) or "")
                edit.setMaximumWidth(220)
                edit.setObjectName(f"prior:{cell.table}:{cell.row}:{cell.col}")
                edit.textChanged.connect(lambda text, c=cell, e=edit: self._prior(c, e, text))
                figures.addRow(session.form(cell.table).describe(cell), edit)
                self.priors[cell] = edit
            layout.addLayout(figures)
        layout.addStretch(1)
        self.setWidget(body)
        self.setWidgetResizable(True)

    def _department(self) -> None:
        wb = self.session.wb
        name, code = self.name.text().strip(), self.code.text().strip()
        if (name, code) == (wb.department, wb.department_code):
            return
        try:
            self.document.set_department(name, code)
        except OpenError as e:
            self.saved.emit(str(e))
            return
        self.saved.emit(None)

    def _text(self, key: str, text: str) -> None:
        # Saved on every change: a text typed is never lost, like a figure (one undo step per field).
        self.editor.run(lambda: self.session.set_text(key, text))

    def changed(self, change: Change) -> None:
        """Show texts and 上年数 an undo or redo put back (without typing them again)."""
        for key, (_, text) in change.texts.items():
            edit = self.texts.get(key)
            if edit is not None and (edit.text() if isinstance(edit, QLineEdit) else edit.toPlainText()) != (text or ""):
                edit.blockSignals(True)
                if isinstance(edit, QLineEdit):
                    edit.setText(text or "")
                else:
                    edit.setPlainText(text or "")
                edit.blockSignals(False)
        for cell, (_, value) in change.prior.items():
            line = self.priors.get(cell)
            if line is not None and parse_or_none(line.text()) != value:
                line.blockSignals(True)
                line.setText(to_storage(value) or "")
                line.blockSignals(False)

    def _refused(self, edit: QLineEdit, what: str, problem: str | None) -> bool:
        """Mark a figure field that is not a number (and say so); clear the mark when it is."""
        edit.setStyleSheet("background: #f4a8a0;" if problem else "")
        edit.setToolTip(problem or "")
        if problem:
            self.refused.emit(f"{what}：{problem}")
        return problem is not None

    def _prior(self, cell: Cell, edit: QLineEdit, text: str) -> None:
        try:
            value = parse_amount(text)
        except AmountError as e:
            self._refused(edit, f"上年数 {self.session.form(cell.table).describe(cell)}", str(e))
            return
        if value is not None and value != round_cent(value):
            self._refused(edit, f"上年数 {self.session.form(cell.table).describe(cell)}", "金额以万元为单位，只填到分（两位小数）")
            return
        self._refused(edit, "", None)
        self.editor.run(lambda: self.session.set_prior(cell, value))

    def _figure(self, f: TextField, edit: QLineEdit, text: str) -> None:
        if not self._refused(edit, f.what, figure_problem(f, text)):
            self._text(f.key, text.strip())
