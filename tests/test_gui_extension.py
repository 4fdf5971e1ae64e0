"""The product's own extension for department files (``.jsgk``, which the installers associate
with the program): the window's dialogs offer it, keep it when typed, and open such a file
exactly as a ``.sqlite`` one."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from PySide6.QtWidgets import QFileDialog

from services.store import DepartmentFile
from services.workbook import Cell
from tests.paths import FIXTURES
from ui import dialogs, file_actions
from ui.main_window import MainWindow

INCOME_1 = Cell("01", "一般公共预算财政拨款收入", 1)


def test_a_typed_suffix_of_the_filter_is_kept_and_a_missing_one_added():
    filters = dialogs.DEPARTMENT_FILES
    assert dialogs.with_suffix(Path("/d/汉阳信访局"), filters) == Path("/d/汉阳信访局.sqlite")
    assert dialogs.with_suffix(Path("/d/汉阳信访局.jsgk"), filters) == Path("/d/汉阳信访局.jsgk")
    assert dialogs.with_suffix(Path("/d/汉阳信访局.JSGK"), filters) == Path("/d/汉阳信访局.JSGK")
    assert dialogs.with_suffix(Path("/d/汉阳信访局.sqlite"), filters) == Path("/d/汉阳信访局.sqlite")
    assert dialogs.with_suffix(Path("/d/信访局.2020"), filters) == Path("/d/信访局.2020.sqlite")
    assert dialogs.with_suffix(Path("/d/公开"), f"{dialogs.PDF_FILES};;{dialogs.EXCEL_FILES}") == Path("/d/公开.pdf")


def test_save_as_jsgk_then_open_it_from_the_dialog(qtbot, monkeypatch, tmp_path):
    offered: list[str] = []

    def open_answer(parent, title, start, filters, *a, **k):  # noqa: ANN001, ANN202
        offered.append(filters)
        return str(target), ""

    win = MainWindow()
    qtbot.addWidget(win)
    target = FIXTURES / "wuhan_2020.xlsx"
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(open_answer))
    assert file_actions.open_file(win)
    win.editor(2020).set_values({INCOME_1: Decimal("707.12")}, "t")
    dest = tmp_path / "汉阳信访局.jsgk"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(dest), "")))
    file_actions.save_as(win)
    assert win.document.on_disk and win.document.path == dest  # not 汉阳信访局.jsgk.sqlite
    win.document.close()
    with DepartmentFile.open(dest, readonly=True) as f:
        assert f.years() == [2020] and f.load(2020).get(INCOME_1) == Decimal("707.12")

    target = dest
    other = MainWindow()
    qtbot.addWidget(other)
    assert file_actions.open_file(other)
    assert "*.jsgk" in offered[-1].split(";;")[0]  # the department files' filter lists it
    assert other.document.on_disk and other.document.path == dest
    assert other.document.department == "武汉市汉阳区信访局"
    assert other.current_page().model.form.text(0, 2) == "707.12"
    other.document.close()


def test_the_window_has_the_products_icon_and_desktop_entry(qapp):
    from PySide6.QtGui import QIcon

    from services.product import DESKTOP_ID
    from ui.app import ICON, _identify

    before = (qapp.desktopFileName(), qapp.windowIcon())
    try:
        _identify(qapp)
        assert qapp.desktopFileName() == DESKTOP_ID == "disclosure-desk"  # the .deb's desktop entry
        assert ICON.exists() and not qapp.windowIcon().isNull()
        assert qapp.windowIcon().actualSize(QIcon(str(ICON)).availableSizes()[0]).width() == 256
    finally:
        qapp.setDesktopFileName(before[0])
        qapp.setWindowIcon(before[1])
