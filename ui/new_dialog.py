"""新建部门 / 新建年度: the few facts a new department file or year needs.

Department name and code, the year, and the report template (default: the bundled template
that covers the year, `template_for_year`).
"""

from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLineEdit, QSpinBox, QWidget

from services.templates import Template, all_templates, template_for_year


class _Form(QDialog):
    def __init__(self, parent: QWidget | None, title: str, year: int, department: bool):
        super().__init__(parent)
        self.setWindowTitle(title)
        layout = QFormLayout(self)
        self.name, self.code = QLineEdit(), QLineEdit()
        if department:
            self.name.setPlaceholderText("如：武汉市汉阳区信访局")
            layout.addRow("部门名称", self.name)
            layout.addRow("部门编码", self.code)
        self.year = QSpinBox()
        self.year.setRange(2000, 2100)
        self.year.setValue(year)
        layout.addRow("年度", self.year)
        self.template = QComboBox()
        self.templates = list(all_templates().values())
        for t in self.templates:
            self.template.addItem(t.name, t.id)
        layout.addRow("报表模板", self.template)
        self.year.valueChanged.connect(self._default_template)
        self._default_template(year)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("确定")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addRow(buttons)

    def _default_template(self, year: int) -> None:
        self.template.setCurrentIndex(self.templates.index(template_for_year(year)))

    def chosen_template(self) -> Template:
        return self.templates[self.template.currentIndex()]


def ask_new_department(parent: QWidget) -> tuple[str, str, int, Template] | None:
    dlg = _Form(parent, "新建部门", date.today().year - 1, department=True)
    while dlg.exec() == QDialog.DialogCode.Accepted:
        if dlg.name.text().strip():
            return dlg.name.text().strip(), dlg.code.text().strip(), dlg.year.value(), dlg.chosen_template()
        dlg.name.setPlaceholderText("请填写部门名称")
    return None


def ask_new_year(parent: QWidget, years: list[int]) -> tuple[int, Template] | None:
    dlg = _Form(parent, "新建年度", max(years, default=date.today().year - 2) + 1, department=False)
    if dlg.exec() == QDialog.DialogCode.Accepted:
        return dlg.year.value(), dlg.chosen_template()
    return None
