"""The year kept in 元 (舍位平衡), from the window: the unit chosen on a table's page, figures typed
in 元 and stored exactly, every page showing 元, undo bringing 万元 back; nothing else changes."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit

from services.rounding import ENTRY_UNIT_KEY
from services.store import DepartmentFile
from services.workbook import Cell

C = Cell("03", "2010301", 2)  # 行政运行 基本支出, 284.57 万元 in the sample


def test_typing_in_yuan(open_window, make_department_file, sample_wb, qtbot):
    path = make_department_file(sample_wb)
    win = open_window(path)
    win.jump_to(C)
    page = win.current_page()
    idx = page.model.index(*page.model.form.position(C))
    assert idx.data() == "284.57" and page.unit.currentText() == "万元"
    page.unit.setCurrentIndex(1)
    page.unit.activated.emit(1)  # as a click on “元” does
    assert idx.data() == "2,845,700.00"
    qtbot.keyClicks(page.view, "1")
    editor = page.view.focusWidget()
    assert isinstance(editor, QLineEdit)
    qtbot.keyClicks(editor, "234567.89")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    wb = win.document.workbooks[2020]
    assert wb.get(C) == Decimal("123.456789")  # 1,234,567.89 元, exact
    assert idx.data() == "1,234,567.89"
    with DepartmentFile.open(path, readonly=True) as f:
        stored = f.load(2020)
    assert stored.get(C) == Decimal("123.456789") and stored.texts.get(ENTRY_UNIT_KEY) == "元"
    total = win.show_table("01")
    assert total.unit.currentText() == "元"  # the whole year is in 元
    win.undo_action.trigger()  # the figure
    win.undo_action.trigger()  # the unit
    assert wb.get(C) == Decimal("284.57") and ENTRY_UNIT_KEY not in wb.texts
    assert total.unit.currentText() == "万元"
