"""The import report (导入报告): what an Excel import decided and every figure it could not place.

Shown without blocking the window, so the clerk can keep it open beside the tables while fixing
what was not placed.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPlainTextEdit, QVBoxLayout, QWidget


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
    def __init__(self, source: Path, notes: list[str], unplaced: list[str], placed: int | None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("导入报告")
        self.resize(640, 420)
        self.text = report_text(source, notes, unplaced, placed)
        view = QPlainTextEdit(self.text)
        view.setReadOnly(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText("关闭")
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        head = f"{len(unplaced)} 个数据未能放入" if unplaced else "导入完成"
        layout.addWidget(QLabel(head))
        layout.addWidget(view)
        layout.addWidget(buttons)
