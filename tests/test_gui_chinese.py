"""Chinese throughout: Qt's own buttons and dialogs, and no message naming a command-line flag."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from PySide6.QtWidgets import QDialogButtonBox, QFileDialog, QLabel, QMessageBox, QPushButton

from ui.translations import load_translations

UI = Path(__file__).resolve().parent.parent / "ui"
FLAG = re.compile(r"(?<![\w-])--[a-z][a-z-]+")


def test_qt_message_boxes_speak_chinese(qapp):
    assert load_translations(qapp)
    box = QMessageBox(QMessageBox.Icon.Question, "标题", "要保存吗？",
                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
    box.setDetailedText("逐条说明")
    texts = [b.text() for b in box.buttons()]
    assert "是(&Y)" in texts and "否(&N)" in texts
    assert any("详" in t for t in texts)  # 显示详情…, not "Show Details..."
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
                               | QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Discard)
    assert sorted(b.text() for b in buttons.buttons()) == sorted(["确定", "取消", "保存", "丢弃"])
    box.deleteLater()
    buttons.deleteLater()


def test_qt_file_dialog_speaks_chinese(qapp):
    load_translations(qapp)
    dialog = QFileDialog(None, "打开")
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
    words = [w.text() for w in dialog.findChildren(QLabel)] + [w.text() for w in dialog.findChildren(QPushButton)]
    assert words and not [w for w in words if re.search(r"[A-Za-z]{3,}", w.replace("&", ""))], words
    dialog.deleteLater()


def test_no_window_message_names_a_command_line_flag():
    """Every string literal of the window's code but its docstrings and the command line's own
    parser (app.py): a clerk is told what to click, never a flag to type."""
    found = []
    for path in sorted(UI.glob("*.py")):
        if path.name == "app.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docs = {id(n.body[0].value) for n in ast.walk(tree)
                if isinstance(n, (ast.Module, ast.ClassDef, ast.FunctionDef)) and ast.get_docstring(n) is not None}
        found += [f"{path.name}: {node.value[:60]}" for node in ast.walk(tree)
                  if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs
                  and FLAG.search(node.value)]
    assert not found, found
    assert FLAG.search("时可加 --allow-errors 强制上报") and not FLAG.search("行次 -- 栏次")
