"""Printing a year with errors asks first: how many, go to the first, or print anyway."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QFileDialog

from services.xlsx_import import import_xlsx
from tests.paths import FIXTURES
from ui import dialogs, file_actions


@pytest.fixture
def zhuzhou(open_window, make_department_file, monkeypatch):
    """株洲 2020: its four real errors (表1 and 表4 总计, the fund balance, 表6 301)."""
    monkeypatch.setattr(dialogs, "show_file", lambda path: None)
    return open_window(make_department_file(import_xlsx(FIXTURES / "zhuzhou_2020.xlsx").workbook))


def _saves_to(monkeypatch, path, asked):
    def answer(*a, **k):  # noqa: ANN202
        asked.append(a[1])
        return str(path), ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(answer))


def _asked(dialog_log):
    return [e for e in dialog_log if e[0] == "act" and e[1] == "导出公开 PDF"]


def test_go_to_the_first_error_prints_nothing(zhuzhou, dialog_answers, dialog_log, monkeypatch, tmp_path):
    win = zhuzhou
    win.show_table("07")
    asked: list[str] = []
    _saves_to(monkeypatch, tmp_path / "公开.pdf", asked)
    dialog_answers["导出公开 PDF"] = file_actions.GO_TO_ERROR
    win.pdf_action.trigger()
    (question,) = _asked(dialog_log)
    errors = [f for f in win.year_findings(2020) if f.is_error]
    assert len(errors) == 4 and "4 个错误" in question[2] and "收入总计" in question[2]
    assert not asked and not (tmp_path / "公开.pdf").exists()
    page = win.current_page()
    cur = page.view.currentIndex()
    assert page.table == "01" and page.model.form.cell(cur.row(), cur.column()) == errors[0].cell


def test_print_anyway_writes_the_pdf(zhuzhou, dialog_answers, dialog_log, monkeypatch, tmp_path):
    asked: list[str] = []
    _saves_to(monkeypatch, tmp_path / "公开.pdf", asked)
    dialog_answers["导出公开 PDF"] = file_actions.PRINT_ANYWAY
    zhuzhou.pdf_action.trigger()
    assert _asked(dialog_log) and asked
    assert (tmp_path / "公开.pdf").read_bytes().startswith(b"%PDF")


def test_cancel_does_nothing(zhuzhou, dialog_answers, dialog_log, monkeypatch, tmp_path):
    asked: list[str] = []
    _saves_to(monkeypatch, tmp_path / "公开.pdf", asked)
    dialog_answers["导出公开 PDF"] = None
    zhuzhou.pdf_action.trigger()
    assert _asked(dialog_log) and not asked and not (tmp_path / "公开.pdf").exists()


def test_a_year_without_errors_is_printed_without_the_question(open_window, make_department_file, sample_wb,
                                                               monkeypatch, tmp_path, dialog_log):
    monkeypatch.setattr(dialogs, "show_file", lambda path: None)
    win = open_window(make_department_file(sample_wb))
    asked: list[str] = []
    _saves_to(monkeypatch, tmp_path / "公开.pdf", asked)
    win.pdf_action.trigger()
    assert not _asked(dialog_log) and (tmp_path / "公开.pdf").exists()
