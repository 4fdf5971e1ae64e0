"""Long work off the window's thread: the window answers while it runs, the progress bar moves,
取消 stops it and leaves every file as it was."""

from __future__ import annotations

import hashlib
import threading
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QFileDialog, QProgressDialog

from tests.conftest import press_cancel
from ui import background


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def win(open_window, make_department_file, sample_wb):
    return open_window(make_department_file(sample_wb))


def test_the_window_answers_while_the_work_runs(win):
    answered = threading.Event()
    QTimer.singleShot(50, answered.set)  # runs only if the window's event loop is free

    def job(progress):  # noqa: ANN001, ANN202
        progress(0, 2, "等待窗口")
        return answered.wait(timeout=10)

    assert background.run(win, "测试", "工作中…", job) is True
    assert not [d for d in win.findChildren(QProgressDialog) if d.isVisible()]  # the bar is gone when the work is done


def test_cancel_stops_the_work_at_its_next_report(win, cancel_on_progress):
    steps: list[int] = []

    def job(progress):  # noqa: ANN001, ANN202
        for i in range(5000):  # up to 10 s: a step of real work each time
            progress(i, 5000, f"第 {i} 步")
            steps.append(i)
            time.sleep(0.002)
        return "done"

    with pytest.raises(background.Cancelled):
        background.run(win, "测试", "工作中…", job)
    # the bar is moved by queued signals: the work may run a little ahead before the click, and
    # stops at its first report after it
    assert cancel_on_progress[0] == "第 0 步" and len(steps) < 5000


def test_an_error_in_the_work_reaches_the_window(win):
    def job(progress):  # noqa: ANN001, ANN202
        raise OSError("磁盘已满")

    with pytest.raises(OSError, match="磁盘已满"):
        background.run(win, "测试", "工作中…", job)


def _saves_to(monkeypatch, path):
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(path), "")))


def test_a_cancelled_pdf_leaves_the_old_file_as_it_was(win, monkeypatch, tmp_path, cancel_on_progress):
    (tmp_path / "out").mkdir()
    dest = tmp_path / "out" / "公开.pdf"
    dest.write_bytes(b"%PDF-1.4 the printed one")
    before = _sha(dest)
    _saves_to(monkeypatch, dest)
    win.pdf_action.trigger()
    assert cancel_on_progress and cancel_on_progress[0].startswith("正在生成：")
    assert _sha(dest) == before and [p.name for p in dest.parent.iterdir()] == ["公开.pdf"]  # no .part left
    assert "已取消" in win.statusBar().currentMessage()


def test_the_pdf_reports_progress_and_is_written(win, monkeypatch, tmp_path):
    from ui import dialogs

    monkeypatch.setattr(dialogs, "show_file", lambda p: None)
    said: list[str] = []
    real = dialogs.Progress

    class Watched(real):  # type: ignore[misc, valid-type]
        def advance(self, done, total, what):  # noqa: ANN001, ANN202
            said.append(what)
            super().advance(done, total, what)

    monkeypatch.setattr(dialogs, "progress", lambda *a, **k: Watched(*a, **k))
    dest = tmp_path / "公开.pdf"
    _saves_to(monkeypatch, dest)
    win.pdf_action.trigger()
    assert dest.read_bytes().startswith(b"%PDF") and len(said) > 3


def test_a_cancelled_excel_export_leaves_the_old_file(win, monkeypatch, tmp_path):
    from ui import dialogs

    (tmp_path / "out").mkdir()
    dest = tmp_path / "out" / "导出.xlsx"
    dest.write_bytes(b"old")
    _saves_to(monkeypatch, dest)

    class PressedAtOnce(dialogs.Progress):
        def __init__(self, *a, **k):  # noqa: ANN002, ANN003
            super().__init__(*a, **k)
            press_cancel(self.bar)  # pressed while the export runs

    monkeypatch.setattr(dialogs, "progress", lambda *a, **k: PressedAtOnce(*a, **k))
    win.export_action.trigger()
    assert dest.read_bytes() == b"old" and [p.name for p in dest.parent.iterdir()] == ["导出.xlsx"]
    assert "保持原样" in win.statusBar().currentMessage()


def test_a_cancelled_import_changes_nothing(win, monkeypatch, tmp_path):
    from tests.paths import FIXTURES
    from ui import dialogs

    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(FIXTURES / "zhuzhou_2020.xlsx"), "")))

    class PressedAtOnce(dialogs.Progress):
        def __init__(self, *a, **k):  # noqa: ANN002, ANN003
            super().__init__(*a, **k)
            press_cancel(self.bar)

    monkeypatch.setattr(dialogs, "progress", lambda *a, **k: PressedAtOnce(*a, **k))
    values = dict(win.document.workbooks[2020].values)
    win.import_action.trigger()
    assert win.document.workbooks[2020].values == values and win.editor(2020).session.undo_label() is None
    assert "已取消导入" in win.statusBar().currentMessage()
