"""Shared fixtures: example departments, department files, and a quiet, isolated Qt for GUI tests.

GUI tests (files ``test_gui_*.py``) get, automatically: the bundled fonts and Qt's Chinese loaded, QSettings in a
temporary folder (recent files never touch the user's), and the window's modal questions
(`ui.dialogs`) answered from `dialog_answers` and recorded in `dialog_log` instead of blocking.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

# GUI tests never need a screen; CI sets this too, a plain `pytest` run gets it here.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from services.synthetic import generate
from services.templates import get_template
from services.workbook import Workbook
from tests.pg_server import pg_district, pg_server  # noqa: F401 - fixtures: a PostgreSQL server for the district tests

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_XLSX = ROOT / "resources" / "samples" / "武汉市汉阳区信访局_2020.xlsx"

#: The offscreen platform has no window system to pass size hints to or raise a window in (a
#: tooltip); it says so on every top-level window. That is the test platform, not the program.
_PLATFORM_NOISE = r"^This plugin does not support (propagateSizeHints|raise)\(\)$"


def _is_gui(item: pytest.Item) -> bool:
    return Path(str(item.fspath)).name.startswith("test_gui_")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if _is_gui(item):
            item.add_marker(pytest.mark.qt_log_ignore(_PLATFORM_NOISE))
            item.add_marker(pytest.mark.gui)


@pytest.fixture
def synthetic_wb() -> Workbook:
    """A consistent department-year (no findings) with about 30 coded rows per table."""
    return generate(get_template("national-2020"), rows=30)


@pytest.fixture
def sample_wb() -> Workbook:
    """The bundled sample department (seed 002, 武汉市汉阳区信访局 2020), imported from Excel."""
    from services.xlsx_import import import_xlsx

    return import_xlsx(SAMPLE_XLSX).workbook


@pytest.fixture
def make_department_file(tmp_path: Path):  # noqa: ANN201
    """``make_department_file(wb, name=...)``: a department file holding ``wb``; returns its path."""

    def make(wb: Workbook, name: str = "部门.sqlite") -> Path:
        from services.store import DepartmentFile

        path = tmp_path / name
        with DepartmentFile.create(path, wb.department, wb.department_code) as f:
            f.save(wb)
        return path

    return make


@pytest.fixture
def dialog_answers() -> dict[str, object]:
    """Answers for `ui.dialogs.ask` by a word of its title (default: yes), and for
    `ui.dialogs.save_changes` (``dialogs.SAVE``/``DISCARD``/``CANCEL``; default: discard) and
    `ui.dialogs.act` (one of its actions, or None for 取消; default: the first action)."""
    return {}


@pytest.fixture
def dialog_log() -> list[tuple[str, str, str]]:
    """Every modal question or error the window raised: (kind, title, text)."""
    return []


@pytest.fixture(autouse=True)
def _quiet_qt(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
              dialog_answers: dict[str, object], dialog_log: list) -> Iterator[None]:
    if not _is_gui(request.node):
        yield
        return
    qapp = request.getfixturevalue("qapp")
    from PySide6.QtCore import QSettings

    from ui import dialogs
    from ui.fonts import load_fonts

    load_fonts(qapp)
    from ui.translations import load_translations

    load_translations(qapp)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "settings"))

    def ask(parent, title, text):  # noqa: ANN001, ANN202
        dialog_log.append(("ask", title, text))
        return next((bool(v) for k, v in dialog_answers.items() if k in title), True)

    def save_changes(parent, title, text):  # noqa: ANN001, ANN202
        dialog_log.append(("save_changes", title, text))
        return next((str(v) for k, v in dialog_answers.items() if k in title), dialogs.DISCARD)

    def act(parent, title, text, actions):  # noqa: ANN001, ANN202
        dialog_log.append(("act", title, text))
        return next((v for k, v in dialog_answers.items() if k in title), actions[0])  # type: ignore[return-value]

    monkeypatch.setattr(dialogs, "ask", ask)
    monkeypatch.setattr(dialogs, "act", act)
    monkeypatch.setattr(dialogs, "save_changes", save_changes)
    monkeypatch.setattr(dialogs, "error", lambda parent, title, text: dialog_log.append(("error", title, text)))
    monkeypatch.setattr(dialogs, "report", lambda parent, title, text, details="", ok=True:
                        dialog_log.append(("report" if ok else "report!", title, f"{text}\n{details}")))
    yield
    # Qt objects left in reference cycles are collected now, while the QApplication lives,
    # not at interpreter exit after it is gone.
    gc.collect()


@pytest.fixture
def open_window(qtbot):  # noqa: ANN201
    """``open_window(path)``: the main window on a department file or workbook, shown at 1440×900."""
    from ui.document import Document
    from ui.main_window import MainWindow

    windows = []

    def open_(path: Path):  # noqa: ANN202
        win = MainWindow(Document.open(path))
        qtbot.addWidget(win)
        win.resize(1440, 900)
        with qtbot.waitExposed(win):
            win.show()
        with qtbot.waitActive(win):  # shortcuts (Ctrl+Z …) reach an active window only
            win.activateWindow()
        windows.append(win)
        return win

    yield open_
    for win in windows:
        if win.document is not None:
            win.document.close()


def press_cancel(bar) -> None:  # noqa: ANN001 - a QProgressDialog
    """Click its 取消 button, as the clerk does."""
    from PySide6.QtWidgets import QPushButton

    (button,) = [b for b in bar.findChildren(QPushButton) if b.text() == "取消"]
    button.click()


@pytest.fixture
def cancel_on_progress(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The clerk presses 取消 on the progress dialog as soon as the work first reports progress;
    what the bar said is recorded."""
    from ui import dialogs

    said: list[str] = []
    real = dialogs.Progress

    class Pressed(real):  # type: ignore[misc, valid-type]
        def advance(self, done: int, total: int, what: str) -> None:
            said.append(what)
            super().advance(done, total, what)
            press_cancel(self.bar)

    monkeypatch.setattr(dialogs, "progress", lambda *a, **k: Pressed(*a, **k))
    return said
