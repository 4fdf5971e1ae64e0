"""An exception inside the window's event loop (a slot) is logged with its traceback in the
user data folder and told in one sentence; the window goes on (issue 18, item 5)."""

from __future__ import annotations

import sys

import pytest
from PySide6.QtWidgets import QMessageBox, QPushButton

from services.crash import LOG_DIR_ENV
from ui.slot_guard import install


@pytest.mark.qt_no_exception_capture
def test_an_exception_in_a_slot_is_logged_and_told(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv(LOG_DIR_ENV, str(tmp_path))
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(QMessageBox, "critical", staticmethod(lambda parent, title, text: shown.append((title, text))))
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # put back after the test
    button = QPushButton("试一下")
    qtbot.addWidget(button)
    install(lambda: button)

    def broken() -> None:
        raise ZeroDivisionError("除以零")

    button.clicked.connect(broken)
    button.click()
    assert len(shown) == 1
    title, text = shown[0]
    assert title == "意外错误" and "ZeroDivisionError" in text and "不受影响" in text
    logs = list(tmp_path.glob("错误-*.log"))
    assert len(logs) == 1
    body = logs[0].read_text(encoding="utf-8")
    assert "Traceback" in body and "in broken" in body and "除以零" in body
    button.click()
    assert len(shown) == 2  # the window went on: the next failure is told too
