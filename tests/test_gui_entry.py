"""Typing into the table forms as a clerk would: red flags, refusals, keys, totals filled in."""

from __future__ import annotations

from decimal import Decimal

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit

from services.workbook import Cell
from ui.table_model import ERROR_BG

D = Decimal
INCOME_1 = Cell("01", "一般公共预算财政拨款收入", 1)


@pytest.fixture
def win(open_window, make_department_file, sample_wb):
    return open_window(make_department_file(sample_wb))


def _goto(win, cell):
    win.jump_to(cell)
    page = win.current_page()
    return page, page.model.index(*page.model.form.position(cell))


def _type(qtbot, view, text):
    qtbot.keyClicks(view, text[0])  # the first key opens the editor (typing replaces)
    editor = view.focusWidget()
    assert isinstance(editor, QLineEdit)
    qtbot.keyClicks(editor, text[1:])
    qtbot.keyClick(editor, Qt.Key.Key_Return)


def test_wrong_figure_turns_red_and_correcting_clears(win, qtbot):
    page, idx = _goto(win, INCOME_1)
    assert idx.data(Qt.ItemDataRole.BackgroundRole) is None
    _type(qtbot, page.view, "700")
    assert win.document.workbooks[2020].get(INCOME_1) == D(700)
    assert idx.data(Qt.ItemDataRole.BackgroundRole) == ERROR_BG
    tip = idx.data(Qt.ItemDataRole.ToolTipRole)
    assert "错误" in tip and "700.00" in tip and "707.12" in tip and "相差" in tip
    assert win.findings.findings.rowCount() > 0
    assert "✗" in win.counts.text()
    _, idx = _goto(win, INCOME_1)
    _type(qtbot, page.view, "707.12")
    assert idx.data(Qt.ItemDataRole.BackgroundRole) is None
    assert win.findings.findings.rowCount() == 0


def test_totals_fill_in_as_the_clerk_types(win, qtbot):
    page, idx = _goto(win, Cell("03", "2010301", 2))
    _type(qtbot, page.view, "280.57")
    wb = win.document.workbooks[2020]
    assert wb.get(Cell("03", "2010301", 1)) == D("280.57")
    assert wb.get(Cell("03", "20103", 2)) == D("280.57")
    assert wb.get(Cell("03", "201", 1)) == D("650.40")
    assert wb.get(Cell("03", "合计", 1)) == D("703.12")
    total = page.model.index(*page.model.form.position(Cell("03", "合计", 1)))
    assert total.data() == "703.12"
    assert not total.flags() & Qt.ItemFlag.ItemIsEditable


def test_manual_totals_switch_lets_a_total_be_typed_and_checked(win, qtbot):
    page, idx = _goto(win, Cell("01", "本年收入合计", 1))
    assert not idx.flags() & Qt.ItemFlag.ItemIsEditable
    win.manual_action.trigger()
    assert idx.flags() & Qt.ItemFlag.ItemIsEditable
    _type(qtbot, page.view, "707.13")
    assert idx.data(Qt.ItemDataRole.BackgroundRole) == ERROR_BG
    assert "可能为尾数差异" in idx.data(Qt.ItemDataRole.ToolTipRole)


def test_bad_value_is_refused_in_place(win, qtbot):
    page, idx = _goto(win, INCOME_1)
    qtbot.keyClicks(page.view, "1")
    editor = page.view.focusWidget()
    qtbot.keyClicks(editor, "2a")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    assert page.view.focusWidget() is editor and editor.text() == "12a"  # still open, text kept
    assert "不是金额" in win.statusBar().currentMessage()
    assert win.document.workbooks[2020].get(INCOME_1) == D("707.12")
    qtbot.keyClick(editor, Qt.Key.Key_Escape)
    assert win.document.workbooks[2020].get(INCOME_1) == D("707.12")


def test_full_width_digits_and_separators_accepted(win, qtbot):
    page, _ = _goto(win, INCOME_1)
    qtbot.keyClicks(page.view, "1")
    editor = page.view.focusWidget()
    editor.setText("１，７１７．３１")  # as a Chinese input method commits it (QTest types Latin-1 only)
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    assert win.document.workbooks[2020].get(INCOME_1) == D("1717.31")


def test_enter_tab_and_arrows_move(win, qtbot):
    page, idx = _goto(win, Cell("03", "2010301", 2))
    view = page.view
    form = page.model.form
    qtbot.keyClick(view, Qt.Key.Key_Return)  # down, skipping nothing editable
    assert form.cell(view.currentIndex().row(), view.currentIndex().column()) == Cell("03", "2010308", 2)
    qtbot.keyClick(view, Qt.Key.Key_Tab)
    assert form.cell(view.currentIndex().row(), view.currentIndex().column()) == Cell("03", "2010308", 3)
    qtbot.keyClick(view, Qt.Key.Key_Backtab)
    qtbot.keyClick(view, Qt.Key.Key_Backtab)  # 栏1 is computed: Shift+Tab skips it to the previous row's end
    assert form.cell(view.currentIndex().row(), view.currentIndex().column()) == Cell("03", "2010301", 6)
    qtbot.keyClick(view, Qt.Key.Key_Down)  # arrows go everywhere, as in Excel
    assert form.cell(view.currentIndex().row(), view.currentIndex().column()) == Cell("03", "2010308", 6)
    qtbot.keyClick(view, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    assert form.cell(view.currentIndex().row(), view.currentIndex().column()) == Cell("03", "2010301", 6)


def test_typing_then_enter_commits_and_moves_down(win, qtbot):
    page, _ = _goto(win, Cell("03", "2010301", 4))
    _type(qtbot, page.view, "5")
    view, form = page.view, page.model.form
    assert win.document.workbooks[2020].get(Cell("03", "2010301", 4)) == D(5)
    assert form.cell(view.currentIndex().row(), view.currentIndex().column()) == Cell("03", "2010308", 4)


def test_typing_replaces_and_f2_edits(win, qtbot):
    page, idx = _goto(win, INCOME_1)
    view = page.view
    qtbot.keyClicks(view, "9")
    editor = view.focusWidget()
    assert editor.text() == "9"  # replaced, not appended
    qtbot.keyClick(editor, Qt.Key.Key_Escape)
    view.setCurrentIndex(idx)
    qtbot.keyClick(view, Qt.Key.Key_F2)
    editor = view.focusWidget()
    assert isinstance(editor, QLineEdit) and editor.text() == "707.12"
    qtbot.keyClick(editor, Qt.Key.Key_Home)
    qtbot.keyClicks(editor, "1")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    assert win.document.workbooks[2020].get(INCOME_1) == D("1707.12")


def test_a_third_decimal_is_refused_with_the_cell_named(win, qtbot):
    page, idx = _goto(win, INCOME_1)
    with qtbot.waitSignal(win.editor(2020).refused) as said:
        assert not page.model.setData(idx, "707.125")
    assert "超过两位小数" in said.args[0] and "一般公共预算财政拨款收入" in said.args[0]
    assert win.document.workbooks[2020].get(INCOME_1) == D("707.12")  # unchanged
    assert page.model.setData(idx, "707.130")  # zeros after the cent are the cent
    assert win.document.workbooks[2020].get(INCOME_1) == D("707.13")


def test_typing_into_a_computed_total_says_where_to_type(win, qtbot):
    total = Cell("01", "本年收入合计", 1)
    page, idx = _goto(win, total)
    with qtbot.waitSignal(page.view.refused) as said:
        qtbot.keyClicks(page.view, "5")
    assert "自动计算" in said.args[0] and "本年收入合计 = 一至八项收入之和" in said.args[0] and "手工填写合计" in said.args[0]
    assert win.document.workbooks[2020].get(total) == D("707.12")


def test_delete_clears_the_selection_in_one_step(win, qtbot):
    page, idx = _goto(win, Cell("03", "2010301", 2))
    view, model = page.view, page.model
    start = model.index(*model.form.position(Cell("03", "2010301", 2)))
    end = model.index(*model.form.position(Cell("03", "2010308", 3)))
    from PySide6.QtCore import QItemSelection, QItemSelectionModel

    view.selectionModel().select(QItemSelection(start, end), QItemSelectionModel.SelectionFlag.ClearAndSelect)
    qtbot.keyClick(view, Qt.Key.Key_Delete)
    wb = win.document.workbooks[2020]
    assert wb.get(Cell("03", "2010301", 2)) is None and wb.get(Cell("03", "2010308", 3)) is None
    assert wb.get(Cell("03", "合计", 1)) == D("707.12") - D("284.57") - D("369.83")
    win.undo_action.trigger()
    assert wb.get(Cell("03", "2010301", 2)) == D("284.57") and wb.get(Cell("03", "合计", 1)) == D("707.12")


def test_double_click_on_a_finding_jumps_to_its_cell(win, qtbot):
    win.editor(2020).set_values({INCOME_1: D(1)}, "t")
    win.show_table("05")
    panel = win.findings
    row = next(i for i, f in enumerate(panel.findings.items) if f.cell == INCOME_1)
    idx = panel.model().index(row, 4)
    panel.scrollTo(idx)
    pos = panel.visualRect(idx).center()
    qtbot.mouseClick(panel.viewport(), Qt.MouseButton.LeftButton, pos=pos)  # a real double-click's first click
    qtbot.mouseDClick(panel.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    page = win.current_page()
    assert page.table == "01"
    cur = page.view.currentIndex()
    assert page.model.form.cell(cur.row(), cur.column()) == INCOME_1


def test_navigator_badges_count_findings(win):
    from ui.navigator import COUNTS

    win.editor(2020).set_values({INCOME_1: D(1)}, "t")
    item = win.nav._lines[("table", 2020, "01")]
    errors, warnings = item.data(COUNTS)
    assert errors >= 1


def test_tab_and_arrows_commit_while_typing(win, qtbot):
    page, _ = _goto(win, Cell("03", "2010301", 4))
    view, form = page.view, page.model.form
    qtbot.keyClicks(view, "6")
    qtbot.keyClick(view.focusWidget(), Qt.Key.Key_Tab)
    assert win.document.workbooks[2020].get(Cell("03", "2010301", 4)) == D(6)
    assert form.cell(view.currentIndex().row(), view.currentIndex().column()) == Cell("03", "2010301", 5)
    qtbot.keyClicks(view, "7")
    qtbot.keyClick(view.focusWidget(), Qt.Key.Key_Down)  # typing mode: an arrow commits and moves
    assert win.document.workbooks[2020].get(Cell("03", "2010301", 5)) == D(7)
    assert form.cell(view.currentIndex().row(), view.currentIndex().column()) == Cell("03", "2010308", 5)


def test_leaving_a_bad_value_by_clicking_away_stores_nothing(win, qtbot):
    page, idx = _goto(win, INCOME_1)
    qtbot.keyClicks(page.view, "x")
    other = page.model.index(idx.row() + 1, idx.column())
    qtbot.mouseClick(page.view.viewport(), Qt.MouseButton.LeftButton, pos=page.view.visualRect(other).center())
    qtbot.waitUntil(lambda: "未保存" in win.statusBar().currentMessage())
    assert win.document.workbooks[2020].get(INCOME_1) == D("707.12")
