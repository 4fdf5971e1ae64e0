"""Never loses a change: an edited workbook from Excel asks 保存更改？ before it goes, a plain start
opens the clerk's last file, and file dialogs start where the clerk last was."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QFileDialog

from services.store import DepartmentFile
from services.workbook import Cell
from tests.paths import FIXTURES
from ui import dialogs, file_actions
from ui.app import SAMPLE_NAME

ROOT = Path(__file__).resolve().parent.parent
D = Decimal
INCOME_1 = Cell("01", "一般公共预算财政拨款收入", 1)
WUHAN = FIXTURES / "wuhan_2020.xlsx"


@pytest.fixture
def excel_window(open_window):
    win = open_window(WUHAN)
    assert not win.document.on_disk
    return win


def _saves_to(monkeypatch, path, seen=None):
    def answer(parent, title, start, filters, **_):  # noqa: ANN001, ANN202
        if seen is not None:
            seen.append(start)
        return str(path), ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(answer))


def _asked(dialog_log):
    return [entry for entry in dialog_log if entry[0] == "save_changes"]


def test_an_edited_workbook_asks_before_closing_and_cancel_stays(excel_window, dialog_answers, dialog_log):
    win = excel_window
    win.editor(2020).set_values({INCOME_1: D("1.23")}, "t")
    dialog_answers["保存更改"] = dialogs.CANCEL
    assert not win.close()
    assert win.isVisible() and win.document.workbooks[2020].get(INCOME_1) == D("1.23")
    (entry,) = _asked(dialog_log)
    assert entry[1] == "保存更改？" and "wuhan_2020.xlsx" in entry[2]


def test_save_on_close_writes_a_department_file(excel_window, dialog_answers, monkeypatch, tmp_path):
    win = excel_window
    win.editor(2020).set_values({INCOME_1: D("1.23")}, "t")
    dialog_answers["保存更改"] = dialogs.SAVE
    dest = tmp_path / "汉阳信访局.sqlite"
    _saves_to(monkeypatch, dest)
    assert win.close()
    with DepartmentFile.open(dest, readonly=True) as f:
        assert f.load(2020).get(INCOME_1) == D("1.23")


def test_save_cancelled_in_the_file_dialog_keeps_the_window(excel_window, dialog_answers, monkeypatch, tmp_path):
    win = excel_window
    win.editor(2020).set_values({INCOME_1: D("1.23")}, "t")
    dialog_answers["保存更改"] = dialogs.SAVE
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: ("", "")))
    assert not win.close() and win.isVisible()


def test_discard_closes_without_writing(excel_window, dialog_answers, dialog_log, tmp_path):
    win = excel_window
    win.editor(2020).set_values({INCOME_1: D("1.23")}, "t")
    dialog_answers["保存更改"] = dialogs.DISCARD
    assert win.close()
    assert len(_asked(dialog_log)) == 1 and not list(tmp_path.glob("*.sqlite"))


def test_an_unedited_workbook_and_a_department_file_close_without_a_question(excel_window, open_window,
                                                                             make_department_file, sample_wb, dialog_log):
    assert excel_window.close()
    win = open_window(make_department_file(sample_wb))
    win.editor(2020).set_values({INCOME_1: D("1.23")}, "t")  # already in the file
    assert win.close()
    assert not _asked(dialog_log)


def test_opening_another_file_asks_too(excel_window, dialog_answers, dialog_log, make_department_file, sample_wb):
    win = excel_window
    win.editor(2020).set_values({INCOME_1: D("1.23")}, "t")
    other = make_department_file(sample_wb)
    dialog_answers["保存更改"] = dialogs.CANCEL
    assert not file_actions.open_file(win, other)
    assert win.document.path == WUHAN and len(_asked(dialog_log)) == 1
    dialog_answers["保存更改"] = dialogs.DISCARD
    assert file_actions.open_file(win, other)
    assert win.document.path == other


def test_file_dialogs_start_in_documents_then_in_the_last_folder(excel_window, monkeypatch, tmp_path):
    from PySide6.QtCore import QStandardPaths

    win = excel_window
    seen: list[str] = []
    folder = tmp_path / "决算"
    folder.mkdir()
    _saves_to(monkeypatch, folder / "汉阳.sqlite", seen)
    assert file_actions.save_as(win)
    docs = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    first = Path(seen[0])
    assert first.name.endswith(".sqlite") and str(first.parent) in (docs, str(Path.home()))
    _saves_to(monkeypatch, folder / "导出.xlsx", seen)
    file_actions.export_excel(win)
    assert Path(seen[1]).parent == folder  # the folder of the last choice, with the suggested name
    assert (folder / "导出.xlsx").exists()


def _start(tmp_path, recent):
    """A plain ``main.py`` (no FILE) with its own settings and data folders; the file it opened."""
    config, data = tmp_path / "config", tmp_path / "data"
    if recent is not None:
        s = QSettings(str(config / "DisclosureDesk" / "desk.ini"), QSettings.Format.IniFormat)
        s.setValue(file_actions.RECENT_KEY, [str(p) for p in recent])
        s.sync()
    out = tmp_path / "findings.json"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(config), "XDG_DATA_HOME": str(data)}
    r = subprocess.run([sys.executable, "main.py", "--findings-json", str(out), "--screenshot", str(tmp_path / "s.png")],
                       cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    return {f["department"] for f in json.loads(out.read_text(encoding="utf-8"))}, r.stderr


def test_a_plain_start_opens_the_last_file_and_the_sample_only_the_first_time(tmp_path, make_department_file):
    from services.xlsx_import import import_xlsx

    zhuzhou = make_department_file(import_xlsx(FIXTURES / "zhuzhou_2020.xlsx").workbook, "株洲.sqlite")
    opened, _ = _start(tmp_path, [zhuzhou])
    assert opened == {"株洲市渌口区信访局"}
    gone = tmp_path / "已删除.sqlite"
    opened, _ = _start(tmp_path, [gone, zhuzhou])  # one no longer there: the next
    assert opened == {"株洲市渌口区信访局"}
    first = tmp_path / "first"
    first.mkdir()
    opened, _ = _start(first, None)  # nothing opened before: the sample, which has no findings
    assert opened == set() and (first / "data" / "DisclosureDesk" / SAMPLE_NAME).is_file()
