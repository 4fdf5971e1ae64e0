"""Copy and paste of blocks, as Excel and WPS put them on the clipboard."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PySide6.QtCore import QItemSelection, QItemSelectionModel, Qt
from PySide6.QtGui import QGuiApplication

from services.workbook import Cell
from ui.clipboard import parse_tsv, to_tsv

D = Decimal


@pytest.fixture
def win(open_window, make_department_file, sample_wb):
    return open_window(make_department_file(sample_wb))


def _at(win, cell):
    win.jump_to(cell)
    page = win.current_page()
    return page


def test_paste_a_block_from_excel(win, qtbot):
    page = _at(win, Cell("03", "2010301", 2))
    # Two rows × three columns as Excel copies them: separators, a negative, a blank, CRLF.
    QGuiApplication.clipboard().setText("1,717.31\t-3.00\t\r\n12\t\t0.5\r\n")
    qtbot.keyClick(page.view, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    wb = win.document.workbooks[2020]
    assert wb.get(Cell("03", "2010301", 2)) == D("1717.31")
    assert wb.get(Cell("03", "2010301", 3)) == D("-3")
    assert wb.get(Cell("03", "2010301", 4)) is None
    assert wb.get(Cell("03", "2010308", 2)) == D(12)
    assert wb.get(Cell("03", "2010308", 3)) is None
    assert wb.get(Cell("03", "2010308", 4)) == D("0.5")
    assert wb.get(Cell("03", "2010301", 1)) == D("1714.31")  # totals filled in from the pasted parts
    assert "已粘贴 6 个数据" in win.statusBar().currentMessage()
    win.undo_action.trigger()  # the whole paste is one step
    assert wb.get(Cell("03", "2010301", 2)) == D("284.57") and wb.get(Cell("03", "2010308", 3)) == D("369.83")
    assert wb.get(Cell("03", "2010301", 1)) == D("284.57")
    win.redo_action.trigger()
    assert wb.get(Cell("03", "2010308", 4)) == D("0.5") and wb.get(Cell("03", "合计", 1)) == D("1779.53")


def test_a_paste_with_one_bad_value_changes_nothing_and_names_the_cell(win, qtbot):
    page = _at(win, Cell("03", "2010301", 2))
    before = dict(win.document.workbooks[2020].values)
    page.view.paste("1\t2\r\n3\tabc\r\n")
    assert win.document.workbooks[2020].values == before
    message = win.statusBar().currentMessage()
    assert "2010308" in message and "栏3" in message and "abc" in message and "未粘贴任何数据" in message
    assert win.editor(2020).session.undo_label() is None and not win.undo_action.isEnabled()


def test_a_paste_past_the_table_is_refused(win):
    page = _at(win, Cell("03", "2130599", 2))
    before = dict(win.document.workbooks[2020].values)
    page.view.paste("1\r\n2\r\n")
    assert win.document.workbooks[2020].values == before
    assert "放不下" in win.statusBar().currentMessage()


def test_a_paste_over_computed_cells_fills_them_from_the_parts(win):
    page = _at(win, Cell("03", "2010301", 1))
    page.view.paste("999\t100\t200\r\n")  # a row copied with its total: the total is recomputed
    wb = win.document.workbooks[2020]
    assert wb.get(Cell("03", "2010301", 1)) == D(300)
    assert "自动计算" in win.statusBar().currentMessage()


def test_one_value_fills_the_selection(win):
    page = _at(win, Cell("03", "2010301", 4))
    model, view = page.model, page.view
    a = model.index(*model.form.position(Cell("03", "2010301", 4)))
    b = model.index(*model.form.position(Cell("03", "2010308", 5)))
    view.selectionModel().select(QItemSelection(a, b), QItemSelectionModel.SelectionFlag.ClearAndSelect)
    view.paste("7\r\n")
    wb = win.document.workbooks[2020]
    assert all(wb.get(Cell("03", r, c)) == D(7) for r in ("2010301", "2010308") for c in (4, 5))


def test_copy_puts_the_shown_figures_as_tab_separated_text(win, qtbot):
    page = _at(win, Cell("03", "201", 1))
    model, view = page.model, page.view
    a = model.index(*model.form.position(Cell("03", "201", 1)))
    b = model.index(*model.form.position(Cell("03", "20103", 3)))
    view.selectionModel().select(QItemSelection(a, b), QItemSelectionModel.SelectionFlag.ClearAndSelect)
    qtbot.keyClick(view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QGuiApplication.clipboard().text() == "654.40\t284.57\t369.83\r\n654.40\t284.57\t369.83\r\n"


def test_parse_handles_excel_quoting():
    assert parse_tsv('"a\nb"\t1\r\n2\t""\r\n') == [["a\nb", "1"], ["2", ""]]
    assert parse_tsv("5") == [["5"]]
    assert parse_tsv("") == []


texts = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=8)


@given(st.lists(st.lists(texts, min_size=1, max_size=4), min_size=1, max_size=4).filter(
    lambda g: len({len(r) for r in g}) == 1 and not (len(g[-1]) == 1 and g[-1][0] == "")))
def test_copy_then_paste_gives_the_same_block(grid):
    assert parse_tsv(to_tsv(grid)) == grid
