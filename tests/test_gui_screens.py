"""The window on the screens offices have (1366×768 laptops, 1024×768): everything on screen,
every column a clerk types in visible without scrolling sideways, names and amounts readable,
and the window where the clerk left it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QImage

from tests.paths import FIXTURES
from ui.column_fit import fit
from ui.document import Document
from ui.main_window import MainWindow
from ui.screen import fit_on_screen

ROOT = Path(__file__).resolve().parent.parent
#: the window's share of each screen once a taskbar and a title bar have taken theirs
SCREENS = {"1366x768": (1366, 700), "1024x768": (1024, 700)}
PUTUO = ROOT / "tests" / "data" / "shared" / "samples" / "putuo_czj_2024.xlsx"


def _at(win, qtbot, size):
    win.resize(*size)
    win._lay_out()
    qtbot.waitUntil(lambda: win.size().width() == size[0])


def _typeable_columns(page):
    form, model = page.model.form, page.model
    return [c for c in range(model.columnCount())
            if any(form.cell(r, c) is not None and form.editable(r, c) for r in range(model.rowCount()))]


@pytest.mark.parametrize("screen", SCREENS)
@pytest.mark.parametrize("source,table", [("sample", "01"), ("sample", "06"), ("sample", "07"),
                                          ("zhuzhou", "06"), ("putuo", "07"), ("putuo", "06"),
                                          ("synthetic", "01"), ("synthetic", "06"), ("synthetic", "07")])
def test_every_typeable_column_is_on_screen(open_window, make_department_file, sample_wb, synthetic_wb, qtbot, screen, source, table):
    """The sample, two real workbooks, and a generated department whose 三公 run into thousands."""
    path = {"sample": None, "synthetic": None, "zhuzhou": FIXTURES / "zhuzhou_2020.xlsx", "putuo": PUTUO}[source]
    win = open_window(path or make_department_file(synthetic_wb if source == "synthetic" else sample_wb))
    _at(win, qtbot, SCREENS[screen])
    page = win.show_table(table)
    qtbot.waitUntil(lambda: page.view.viewport().width() > 0)
    page._fit()
    view = page.view
    typeable = _typeable_columns(page)
    assert typeable
    width = view.viewport().width()
    for c in typeable:
        assert view.columnViewportPosition(c) >= 0
        assert view.columnViewportPosition(c) + view.columnWidth(c) <= width, (table, c)
    assert view.horizontalScrollBar().maximum() == 0
    # every amount whole (never "…"), whatever the width
    fm = view.fontMetrics()
    form = page.model.form
    for c, col in enumerate(form.columns):
        if col.kind == "amount":
            widest = max(fm.horizontalAdvance(form.text(r, c)) for r in range(page.model.rowCount()))
            assert widest + 8 <= view.columnWidth(c)
    # the findings panel and the status bar are inside the window
    for part in (win.findings, win.statusBar()):
        top_left = part.mapTo(win, part.rect().topLeft())
        assert part.isVisible() and part.height() > 40 or part is win.statusBar()
        assert top_left.y() + part.height() <= win.height()
        assert top_left.x() + part.width() <= win.width()


def test_the_window_fits_the_smallest_screen(open_window, make_department_file, sample_wb):
    win = open_window(make_department_file(sample_wb))
    hint = win.minimumSizeHint()
    assert hint.width() <= 1024 and hint.height() <= 700


def test_a_long_name_is_elided_in_the_middle_with_the_whole_name_as_tooltip(open_window, make_department_file, sample_wb, qtbot):
    win = open_window(make_department_file(sample_wb))
    _at(win, qtbot, SCREENS["1024x768"])
    page = win.show_table("06")
    page._fit()
    form = page.model.form
    r, c = next((r, c) for r in range(page.model.rowCount()) for c, col in enumerate(form.columns)
                if col.kind == "label" and "机关事业单位基本养老保险缴费" in form.text(r, c))
    assert page.view.fontMetrics().horizontalAdvance(form.text(r, c)) > page.view.columnWidth(c)  # it is elided
    assert page.view.textElideMode() == Qt.TextElideMode.ElideMiddle
    assert page.model.index(r, c).data(Qt.ItemDataRole.ToolTipRole) == "机关事业单位基本养老保险缴费"
    _at(win, qtbot, (1920, 1040))
    page._fit()
    assert page.view.fontMetrics().horizontalAdvance(form.text(r, c)) < page.view.columnWidth(c)  # room: whole


def test_navigator_titles_wrap_instead_of_being_cut(open_window, make_department_file, sample_wb, qtbot):
    win = open_window(make_department_file(sample_wb))
    _at(win, qtbot, SCREENS["1024x768"])
    nav = win.nav
    qtbot.waitUntil(lambda: nav.viewport().width() < 260)
    nav.doItemsLayout()
    short = nav.visualRect(nav._lines[("table", 2020, "02")].index())
    long = nav.visualRect(nav._lines[("table", 2020, "07")].index())
    assert long.height() > short.height() * 1.5  # “三公”经费支出决算表 on a second line, not behind "…"


def test_columns_fit_rules():
    # fits: the names get the spare room (to at most 480), the others keep theirs
    assert fit([100, 40, 80], [60, 40, 80], [True, False, False], 400) == [280, 40, 80]
    assert fit([100, 40, 80], [60, 40, 80], [True, False, False], 2000) == [480, 40, 80]
    # short of room: the names give first, down to their least, then the amounts
    assert fit([200, 40, 100, 100], [80, 40, 70, 70], [True, False, False, False], 330) == [90, 40, 100, 100]
    assert fit([200, 40, 100, 100], [80, 40, 70, 70], [True, False, False, False], 290) == [80, 40, 85, 85]
    # no names: the amounts share the spare room
    assert fit([60, 60], [50, 50], [False, False], 200) == [90, 90]
    # it cannot fit at its least: least widths, and the view scrolls
    assert fit([200, 100], [80, 70], [True, False], 100) == [80, 70]


def test_a_saved_window_is_kept_inside_a_smaller_screen():
    laptop = QRect(0, 0, 1366, 728)
    assert fit_on_screen(QRect(600, 300, 1440, 900), laptop) == QRect(0, 0, 1366, 728)
    assert fit_on_screen(QRect(1200, 500, 800, 600), laptop) == QRect(566, 128, 800, 600)
    assert fit_on_screen(QRect(100, 50, 800, 600), laptop) == QRect(100, 50, 800, 600)
    assert fit_on_screen(QRect(-3000, 0, 800, 600), QRect(1920, 0, 1366, 728)) == QRect(1920, 0, 800, 600)


def test_the_window_reopens_where_the_clerk_left_it(qtbot, make_department_file, sample_wb):
    path = make_department_file(sample_wb)
    win = MainWindow(Document.open(path))
    qtbot.addWidget(win)
    win.restore_geometry()  # nothing saved: the screen's available area
    screen = win.screen().availableGeometry()
    assert win.windowState() & Qt.WindowState.WindowMaximized
    assert win.frameGeometry().width() <= screen.width() and win.frameGeometry().height() <= screen.height()
    win.setWindowState(Qt.WindowState.WindowNoState)
    win.resize(700, 500)
    win.move(screen.x() + 20, screen.y() + 10)
    with qtbot.waitExposed(win):
        win.show()
    win.close()
    again = MainWindow(Document.open(path))
    qtbot.addWidget(again)
    again.restore_geometry()
    assert (again.width(), again.height()) == (700, 500)
    again.close()


def _run(*args, tmp_path):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run([sys.executable, "main.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("size", ["1366x768", "1024x768"])
def test_screenshot_at_a_given_size(make_department_file, sample_wb, tmp_path, size):
    out = tmp_path / "shot.png"
    r = _run(str(make_department_file(sample_wb)), "--table", "07", "--size", size, "--screenshot", str(out), tmp_path=tmp_path)
    assert r.returncode == 0, r.stderr
    img = QImage(str(out))
    assert f"{img.width()}x{img.height()}" == size


def test_a_screenshot_leaves_nothing_beside_the_file(make_department_file, sample_wb, tmp_path):
    dept = make_department_file(sample_wb)
    before = sorted(p.name for p in dept.parent.iterdir())
    r = _run(str(dept), "--screenshot", str(tmp_path / "shot.png"), tmp_path=tmp_path)
    assert r.returncode == 0, r.stderr
    assert sorted(p.name for p in dept.parent.iterdir() if p.name != "shot.png") == before  # no -wal, -shm, .lock


def test_a_bad_size_is_refused_in_one_line(tmp_path):
    r = _run("--size", "1366", "--screenshot", str(tmp_path / "x.png"), tmp_path=tmp_path)
    assert r.returncode == 2 and "宽x高" in r.stderr and not (tmp_path / "x.png").exists()


def test_a_table_too_wide_keeps_its_codes_and_names_in_view(open_window, make_department_file, qtbot):
    """四川 2020 表5 (财政拨款支出决算明细表, a column per 经济分类) cannot fit 1024 pixels: its
    amounts scroll sideways under frozen 科目编码 and 科目名称, and no cell hides under them."""
    from services.synthetic import generate
    from services.templates import get_template

    win = open_window(make_department_file(generate(get_template("sichuan-2020"), rows=30)))
    _at(win, qtbot, SCREENS["1024x768"])
    page = win.show_table("05")
    page._fit()
    view, frozen = page.view, page.view.frozen
    qtbot.waitUntil(lambda: frozen.view.isVisible())
    assert view.horizontalScrollBar().maximum() > 0
    assert frozen.count == 2 and frozen.width == view.columnWidth(0) + view.columnWidth(1)
    last = page.model.index(5, page.model.columnCount() - 1)
    view.go_to(last)
    assert view.horizontalScrollBar().value() > 0 and frozen.view.isVisible()
    assert frozen.view.columnWidth(1) == view.columnWidth(1) and not frozen.view.isColumnHidden(1)
    assert view.columnViewportPosition(last.column()) + view.columnWidth(last.column()) <= view.viewport().width()
    first_amount = page.model.index(5, 2)
    view.go_to(first_amount)
    assert view.columnViewportPosition(2) >= frozen.width  # right of the frozen columns, not under them
    view.verticalScrollBar().setValue(view.verticalScrollBar().maximum())
    assert frozen.view.verticalScrollBar().value() == view.verticalScrollBar().value()  # rows stay side by side
    _at(win, qtbot, (2400, 1300))  # room for every column: nothing frozen
    page._fit()
    qtbot.waitUntil(lambda: not frozen.view.isVisible())


def test_only_a_one_panel_table_freezes(open_window, make_department_file, sample_wb):
    from ui.frozen import lead_columns

    win = open_window(make_department_file(sample_wb))
    assert lead_columns(win.show_table("03").model) == 2
    assert win.show_table("06").view.frozen is None and win.show_table("01").view.frozen is None
    assert win.show_table("07").view.frozen is None  # no names: nothing to freeze
