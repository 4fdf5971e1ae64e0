"""Undo and redo (Ctrl+Z / Ctrl+Y) across edits, pastes and coded rows; each step is saved too."""

from __future__ import annotations

from decimal import Decimal

import pytest
from PySide6.QtCore import Qt

from services.store import DepartmentFile
from services.workbook import Cell

D = Decimal
C = Cell("03", "2010301", 2)


@pytest.fixture
def path(make_department_file, sample_wb):
    return make_department_file(sample_wb)


def _on_disk(path, cell):
    with DepartmentFile.open(path, readonly=True) as f:
        return f.load(2020).get(cell)


def test_undo_redo_of_typed_figures_by_keyboard(open_window, path, qtbot):
    win = open_window(path)
    editor = win.editor(2020)
    editor.set_values({C: D(1)}, "a")
    editor.set_values({C: D(2)}, "b")
    wb = win.document.workbooks[2020]
    page = win.current_page() or win.show_table("03")
    win.jump_to(C)
    view = win.current_page().view
    qtbot.keyClick(view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert wb.get(C) == D(1)
    qtbot.keyClick(view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert wb.get(C) == D("284.57") and wb.get(Cell("03", "合计", 1)) == D("707.12")
    assert _on_disk(path, C) == D("284.57") and _on_disk(path, Cell("03", "合计", 2)) == D("333.02")
    qtbot.keyClick(view, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(view, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    assert wb.get(C) == D(2) and _on_disk(path, C) == D(2)
    assert page is not None


def test_undo_brings_back_the_findings(open_window, path):
    win = open_window(path)
    editor = win.editor(2020)
    editor.set_values({Cell("01", "一般公共预算财政拨款收入", 1): D(1)}, "a")
    assert win.findings.findings.rowCount() > 0
    win.undo_action.trigger()
    assert win.findings.findings.rowCount() == 0
    win.redo_action.trigger()
    assert win.findings.findings.rowCount() > 0


def test_nothing_changed_is_not_an_undo_step(open_window, path):
    win = open_window(path)
    editor = win.editor(2020)
    editor.set_values({C: D("284.57")}, "same")
    assert editor.session.undo_label() is None and not win.undo_action.isEnabled()


def test_add_and_remove_coded_rows_undo(open_window, path, monkeypatch):
    from services.catalog import CatalogEntry

    win = open_window(path)
    win.show_table("03")
    monkeypatch.setattr("ui.table_actions.pick_code", lambda *a: CatalogEntry("2070101", "行政运行"))
    win.add_row_action.trigger()
    wb = win.document.workbooks[2020]
    assert {"207", "20701", "2070101"} <= set(wb.coded["03"])
    page = win.current_page()
    cur = page.view.currentIndex()
    assert page.model.form.cell(cur.row(), cur.column()).row == "2070101"
    codes = [r.code for r in page.model.form.panels[0] if r and r.code]
    assert codes == sorted(codes)  # rows sort by code
    with DepartmentFile.open(path, readonly=True) as f:
        assert "20701" in f.load(2020).coded["03"]
    win.undo_action.trigger()
    assert "207" not in wb.coded["03"]
    win.redo_action.trigger()
    assert "2070101" in wb.coded["03"]

    # Removing 210 (with its 款 and 项 and their figures) refills 合计; undo puts it all back.
    win.jump_to(Cell("03", "210", 1))
    win.remove_row_action.trigger()
    assert not any(c.startswith("210") for c in wb.coded["03"])
    assert wb.get(Cell("03", "合计", 1)) == D("678.41")
    with DepartmentFile.open(path, readonly=True) as f:
        saved = f.load(2020)
        assert "21011" not in saved.coded["03"] and saved.get(Cell("03", "合计", 1)) == D("678.41")
    win.undo_action.trigger()
    assert wb.get(Cell("03", "2101103", 2)) == D("21.05") and wb.get(Cell("03", "合计", 1)) == D("707.12")
    with DepartmentFile.open(path, readonly=True) as f:
        saved = f.load(2020)
        assert saved.get(Cell("03", "2101103", 2)) == D("21.05") and saved.coded["03"]["2101103"] == wb.coded["03"]["2101103"]


def test_a_code_the_catalog_lacks_is_added_with_the_clerks_name(open_window, path, monkeypatch):
    from services.catalog import CatalogEntry, catalog
    from ui import dialogs
    from ui.picker import CatalogModel

    cat = catalog("功能", 2020)
    assert "2010388" not in cat
    model = CatalogModel(cat, set())
    model.set_query("2010388")
    assert model.entries[0] == CatalogEntry("2010388", "") and "科目表中没有" in model.data(model.index(0))
    model.set_query("2010308")  # a code the catalog has is not offered twice
    assert [e.code for e in model.entries].count("2010308") == 1 and not model.is_outside(model.entries[0])

    win = open_window(path)
    win.show_table("03")
    wb = win.document.workbooks[2020]
    monkeypatch.setattr("ui.table_actions.pick_code", lambda *a: CatalogEntry("2010388", ""))
    monkeypatch.setattr(dialogs, "text", lambda *a, **k: "  ")  # no name: nothing is added
    win.add_row_action.trigger()
    assert "2010388" not in wb.coded["03"]
    monkeypatch.setattr(dialogs, "text", lambda *a, **k: "政务公开专项支出")
    win.add_row_action.trigger()
    assert wb.coded["03"]["2010388"] == "政务公开专项支出"
    page = win.current_page()
    cur = page.view.currentIndex()
    assert page.model.form.cell(cur.row(), cur.column()).row == "2010388"
    with DepartmentFile.open(path, readonly=True) as f:
        assert f.load(2020).coded["03"]["2010388"] == "政务公开专项支出"
    assert wb.row_label("03", "2010388") == "政务公开专项支出"


def test_a_row_is_renamed_by_typing_its_name(open_window, path):
    win = open_window(path)
    page = win.show_table("03")
    model, form = page.model, page.model.form
    wb = win.document.workbooks[2020]
    code = "2010308"
    catalog_name = wb.row_label("03", code)
    row = next(r for r in range(model.rowCount()) if form.row_at(r, 0) and form.row_at(r, 0).code == code)
    label = next(c for c in range(model.columnCount()) if form.columns[c].kind == "label")
    index = model.index(row, label)
    assert model.flags(index) & Qt.ItemFlag.ItemIsEditable
    total_row = next(r for r in range(model.rowCount()) if form.row_at(r, label) and form.row_at(r, label).total)
    assert not model.flags(model.index(total_row, label)) & Qt.ItemFlag.ItemIsEditable  # 合计 keeps its name
    assert model.setData(index, "  信访业务（改）  ")
    assert wb.coded["03"][code] == "信访业务（改）" and "信访业务（改）" in model.data(model.index(row, label))
    with DepartmentFile.open(path, readonly=True) as f:
        assert f.load(2020).coded["03"][code] == "信访业务（改）"
    assert not model.setData(index, "名" * 101) and wb.coded["03"][code] == "信访业务（改）"  # too long: refused
    win.undo_action.trigger()
    assert wb.row_label("03", code) == catalog_name
    with DepartmentFile.open(path, readonly=True) as f:
        assert f.load(2020).row_label("03", code) == catalog_name
    win.redo_action.trigger()
    assert model.setData(index, "")  # empty: the catalog's name again
    assert wb.row_label("03", code) == catalog_name


def test_one_history_for_texts_and_figures_undone_from_the_menu(open_window, path):
    """A text typed on the 情况说明 page and a figure typed in a table are steps of one history:
    撤销 names each, puts the text back into its field and the figure into its cell."""
    win = open_window(path)
    win.show_texts(2020)
    page = win.pages[("texts", 2020)]
    field = page.texts["概况.部门职责"]
    field.setPlainText("2020年度收、支总计799.99万元。")  # contradicts table 01
    assert any(f.rule == "说明-数字不符" for f in win.year_findings(2020))
    win.editor(2020).set_values({C: D(1)}, "填写 表03")
    assert win.undo_action.text() == "撤销 填写 表03"
    win.undo_action.trigger()
    assert win.current_page() is not None and win.document.workbooks[2020].get(C) == D("284.57")
    assert win.undo_action.text() == "撤销 修改文字"
    win.undo_action.trigger()
    assert win.stack.currentWidget() is page and field.toPlainText() == ""  # shown where it was undone
    assert not any(f.rule == "说明-数字不符" for f in win.year_findings(2020))
    assert win.findings.findings.rowCount() == len(win.year_findings(2020))
    with DepartmentFile.open(path, readonly=True) as f:
        assert "概况.部门职责" not in f.load(2020).texts
    win.redo_action.trigger()
    assert field.toPlainText() == "2020年度收、支总计799.99万元。"
    prior = next(iter(page.priors.values()))
    prior.setText("12.5")
    win.undo_action.trigger()
    assert prior.text() == ""
    prior.setText("1.234")  # 上年数 to the cent, as figures
    assert "两位小数" in win.statusBar().currentMessage() and win.undo_action.text() == "撤销 修改文字"


def test_an_import_into_the_open_year_is_one_step(open_window, path, dialog_log):
    from tests.paths import FIXTURES
    from ui import file_actions

    win = open_window(path)
    wb = win.document.workbooks[2020]
    before = dict(wb.values)
    file_actions.import_excel(win, FIXTURES / "zhuzhou_2020.xlsx")
    assert any("已有 2020 年度" in text for _, _, text in dialog_log)
    assert wb.values != before and wb.department == "武汉市汉阳区信访局"  # the figures, not the name
    assert sum(f.is_error for f in win.year_findings(2020)) == 4  # zhuzhou's own four errors
    with DepartmentFile.open(path, readonly=True) as f:
        assert f.load(2020).values == wb.values
    assert win.undo_action.text() == "撤销 导入 zhuzhou_2020.xlsx"
    win.undo_action.trigger()
    assert wb.values == before and not win.year_findings(2020)
    assert win.current_page() is not None and win.current_page().model.form.wb is wb
    with DepartmentFile.open(path, readonly=True) as f:
        assert f.load(2020).values == before
