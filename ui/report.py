"""The import report (导入报告): what an Excel import decided and every figure it could not place.

Shown without blocking the window, so the clerk can keep it open beside the tables while fixing
what was not placed.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget


def report_text(source: Path, notes: list[str], unplaced: list[str], placed: int | None) -> str:
    lines = [f"来源：{source}"]
    if placed is not None:
        lines.append(f"已导入 {placed} 个数据。")
    if notes:
        lines += ["", "说明："] + [f"  · {n}" for n in notes]
    if unplaced:
        lines += ["", f"以下 {len(unplaced)} 个数据未能放入报表，请核对后手工填写："] + [f"  - {u}" for u in unplaced]
    else:
        lines += ["", "所有数据都已放入报表。"]
    return "\n".join(lines)


class ImportReport(QDialog):
    """``reimport``, when given, reads the same workbook again with the template the clerk picks
    (换用其他报表模板); ``template`` is the id of the one the import took."""

    def __init__(self, source: Path, notes: list[str], unplaced: list[str], placed: int | None, parent: QWidget | None = None,
                 reimport: Callable[[str], None] | None = None, template: str = ""):
        super().__init__(parent)
        self.reimport, self.template = reimport, template
        self.setWindowTitle("导入报告")
        self.resize(640, 420)
        self.text = report_text(source, notes, unplaced, placed)
        view = QPlainTextEdit(self.text)
        view.setReadOnly(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText("关闭")
        buttons.rejected.connect(self.close)
        if reimport is not None:
            self.other = QPushButton("换用其他报表模板…")
            self.other.clicked.connect(self.choose_template)
            buttons.addButton(self.other, QDialogButtonBox.ButtonRole.ActionRole)
        layout = QVBoxLayout(self)
        head = f"{len(unplaced)} 个数据未能放入" if unplaced else "导入完成"
        layout.addWidget(QLabel(head))
        layout.addWidget(view)
        layout.addWidget(buttons)

    def choose_template(self) -> None:
        from services.templates import all_templates
        from ui import dialogs

        temps = sorted(all_templates().values(), key=lambda t: (t.region != "全国", t.region, min(t.years)))
        items = [f"{t.name}（{t.region}，{min(t.years)}–{max(t.years)} 年度）" for t in temps]
        current = next((i for i, t in enumerate(temps) if t.id == self.template), 0)
        picked = dialogs.choose(self, "换用其他报表模板", "按哪个报表模板重新导入这个 Excel 文件？", items, current)
        if picked is None or temps[picked].id == self.template or self.reimport is None:
            return
        self.close()
        self.reimport(temps[picked].id)
