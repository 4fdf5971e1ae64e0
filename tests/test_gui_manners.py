"""Excel manners: F2 puts the caret at the end, Tab leaves a multi-line text box, the cursor starts
on the first cell that takes a figure (a table opened, a row added), undo and redo go to the cell
they changed, and turning 手工填写合计 off says at once which totals disagree with their parts."""

from __future__ import annotations

from decimal import Decimal

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit, QPlainTextEdit

from services.catalog import CatalogEntry
from services.workbook import Cell

D = Decimal
INCOME_1 = Cell("01", "一般公共预算财政拨款收入", 1)
TOTAL = Cell("01", "本年收入合计", 1)


@pytest.fixture
def win(open_window, make_department_file, sample_wb):
    return open_window(make_department_file(sample_wb))


def _current_cell(win):
    page = win.current_page()
    cur = page.view.currentIndex()
    return page.model.form.cell(cur.row(), cur.column())


def test_f2_puts_the_caret_after_the_figure(win, qtbot):
    win.jump_to(INCOME_1)
    view = win.current_page().view
    qtbot.keyClick(view, Qt.Key.Key_F2)
    editor = view.focusWidget()
    assert isinstance(editor, QLineEdit) and editor.text() == "707.12"
    assert not editor.hasSelectedText() and editor.cursorPosition() == len("707.12")
    qtbot.keyClick(editor, Qt.Key.Key_Backspace)
    qtbot.keyClicks(editor, "3")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    assert win.document.workbooks[2020].get(INCOME_1) == D("707.13")


def test_typing_still_replaces_the_figure(win, qtbot):
    win.jump_to(INCOME_1)
    view = win.current_page().view
    qtbot.keyClicks(view, "5")
    editor = view.focusWidget()
    assert isinstance(editor, QLineEdit) and editor.text() == "5"


def test_tab_in_a_multi_line_text_moves_to_the_next_field(win, qtbot):
    win.show_texts(2020)
    page = win.pages[("texts", 2020)]
    boxes = [e for e in page.texts.values() if isinstance(e, QPlainTextEdit)]
    assert boxes
    box = boxes[0]
    box.setFocus()
    qtbot.waitUntil(box.hasFocus)
    qtbot.keyClick(box, Qt.Key.Key_Tab)
    assert "\t" not in box.toPlainText()
    assert QApplication.focusWidget() is not box


def test_tab_in_the_performance_texts_moves_on(win, qtbot):
    page = win.show_performance(2020)
    page.add_department()
    boxes = page.findChildren(QPlainTextEdit)
    assert boxes and all(b.tabChangesFocus() for b in boxes)


@pytest.mark.parametrize("table", ["01", "02", "03", "04", "05", "06", "07"])
def test_a_table_opens_on_its_first_typeable_cell(win, table):
    page = win.show_table(table)
    cur = page.view.currentIndex()
    assert page.view.typeable(cur)
    form = page.model.form
    earlier = [(r, c) for r in range(cur.row() + 1) for c in range(form.column_count())
               if (r, c) < (cur.row(), cur.column()) and page.view.typeable(page.model.index(r, c))]
    assert not earlier


def test_table_07_opens_past_its_computed_total(win):
    win.show_table("07")
    cell = _current_cell(win)
    assert cell is not None and cell.col == 2  # 因公出国(境)费 预算数; 合计 (栏1) is computed


def test_after_adding_a_row_the_cursor_is_on_its_first_typeable_cell(win, monkeypatch):
    win.show_table("03")
    monkeypatch.setattr("ui.table_actions.pick_code", lambda *a: CatalogEntry("2070101", "行政运行"))
    win.add_row_action.trigger()
    cell = _current_cell(win)
    assert cell == Cell("03", "2070101", 2)  # 基本支出: 本年支出合计 of a 项 is the sum of its parts
    assert win.current_page().view.typeable(win.current_page().view.currentIndex())


def test_undo_and_redo_go_to_the_cell_they_changed(win, qtbot):
    typed = Cell("03", "2010301", 2)
    win.editor(2020).set_values({typed: D(1)}, "填写")
    win.show_table("01")
    win.undo_action.trigger()
    assert win.current_page().table == "03" and _current_cell(win) == typed
    win.show_table("06")
    win.redo_action.trigger()
    assert win.current_page().table == "03" and _current_cell(win) == typed
    assert win.document.workbooks[2020].get(typed) == D(1)


def _typed_total(win, qtbot):
    win.manual_action.trigger()
    assert win.editor(2020).session.manual_totals
    win.editor(2020).set_values({TOTAL: D("707.13")}, "填写合计")
    assert any(f.is_error for f in win.year_findings(2020))
    stale = win.editor(2020).session.stale_totals()
    assert TOTAL in stale  # with 收入总计, which adds it up
    return len(stale)


def test_manual_totals_off_recomputes_what_disagrees_when_the_clerk_agrees(win, qtbot, dialog_log, dialog_answers):
    stale = _typed_total(win, qtbot)
    dialog_answers["合计恢复自动计算"] = True
    win.manual_action.trigger()
    assert not win.editor(2020).session.manual_totals
    asked = [e for e in dialog_log if e[0] == "ask" and e[1] == "合计恢复自动计算"]
    assert asked and f"{stale} 个合计与明细不符" in asked[0][2]
    wb = win.document.workbooks[2020]
    assert wb.get(TOTAL) == D("707.12") and not win.year_findings(2020)
    assert win.findings.findings.rowCount() == 0 and "审核通过" in win.counts.text()
    win.undo_action.trigger()  # one step
    assert wb.get(TOTAL) == D("707.13")


def test_manual_totals_off_keeps_them_when_the_clerk_says_no(win, qtbot, dialog_answers):
    stale = _typed_total(win, qtbot)
    dialog_answers["合计恢复自动计算"] = False
    win.manual_action.trigger()
    assert win.document.workbooks[2020].get(TOTAL) == D("707.13")
    assert f"{stale} 个合计与明细不符" in win.statusBar().currentMessage()


def test_manual_totals_off_asks_nothing_when_every_total_agrees(win, dialog_log):
    win.manual_action.trigger()
    win.manual_action.trigger()
    assert not [e for e in dialog_log if e[1] == "合计恢复自动计算"]
    assert "合计恢复自动计算" in win.statusBar().currentMessage()
