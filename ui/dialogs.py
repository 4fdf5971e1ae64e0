"""Questions and file choices put to the clerk, in one place.

Every modal dialog of the window goes through these functions, so a test replaces them (or
`QFileDialog`'s static methods) and never blocks on a window nobody will click. File dialogs
start in the folder the clerk last used (the documents folder the first time).
"""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox, QWidget

#: a department file is a SQLite file; ``.jsgk`` (决算公开) is the product's own name for it, which
#: the installers associate with the program; both open alike (anything not a workbook is one)
DEPARTMENT_FILES = "部门数据文件 (*.sqlite *.jsgk)"
EXCEL_FILES = "Excel 报表 (*.xlsx)"
PDF_FILES = "PDF 文件 (*.pdf)"
SUBMISSION_FILES = "上报文件 (*.sqlite)"
ROSTER_FILES = "部门名单 (*.xlsx *.csv)"


FOLDER_KEY = "last_folder"
#: the three answers of `save_changes`
SAVE, DISCARD, CANCEL = "save", "discard", "cancel"


def _settings():  # noqa: ANN202
    from ui.file_actions import settings

    return settings()


def start_folder() -> Path:
    """Where a file dialog opens: the folder of the clerk's last file choice, else 文档 (Documents)."""
    from PySide6.QtCore import QStandardPaths

    last = _settings().value(FOLDER_KEY, "")
    if isinstance(last, str) and last and Path(last).is_dir():
        return Path(last)
    docs = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(docs) if docs and Path(docs).is_dir() else Path.home()


def _chosen(path: str) -> Path | None:
    """Remember the folder of what the clerk picked, for the next dialog."""
    if not path:
        return None
    p = Path(path)
    s = _settings()
    s.setValue(FOLDER_KEY, str(p.parent))
    s.sync()
    return p


def _start(suggested: str) -> str:
    return str(start_folder() / suggested) if suggested else str(start_folder())


def open_path(parent: QWidget, title: str, filters: str) -> Path | None:
    path, _ = QFileDialog.getOpenFileName(parent, title, _start(""), filters)
    return _chosen(path)


def open_paths(parent: QWidget, title: str, filters: str) -> list[Path]:
    paths, _ = QFileDialog.getOpenFileNames(parent, title, _start(""), filters)
    if paths:
        _chosen(paths[0])
    return [Path(p) for p in paths]


def existing_or_new_path(parent: QWidget, title: str, filters: str, suggested: str = "") -> Path | None:
    """A file to add to, or a new one: no "replace it?" question, since nothing is replaced."""
    path, _ = QFileDialog.getSaveFileName(parent, title, _start(suggested), filters,
                                          options=QFileDialog.Option.DontConfirmOverwrite)
    return _chosen(path)


def save_path(parent: QWidget, title: str, filters: str, suggested: str = "") -> Path | None:
    """A file to write; QFileDialog has already asked whether to replace an existing one."""
    path, _ = QFileDialog.getSaveFileName(parent, title, _start(suggested), filters)
    p = _chosen(path)
    if p is None:
        return None
    return with_suffix(p, filters)


def with_suffix(path: Path, filters: str) -> Path:
    """``path`` as typed when it ends in a suffix of the first filter ("… (*.sqlite *.jsgk)"),
    else with that filter's first suffix added."""
    first = filters.split(";;")[0]
    wanted = [w.lower() for w in re.findall(r"\*(\.[^\s)]+)", first)]
    return path if not wanted or path.suffix.lower() in wanted else path.with_name(path.name + wanted[0])


def ask(parent: QWidget, title: str, text: str) -> bool:
    answer = QMessageBox.question(parent, title, text, QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
    return answer == QMessageBox.StandardButton.Yes


def save_changes(parent: QWidget, title: str, text: str) -> str:
    """保存更改？ as Excel asks it: `SAVE`, `DISCARD` (不保存) or `CANCEL` (stay)."""
    box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.NoButton, parent)
    save = box.addButton("保存为部门数据文件…", QMessageBox.ButtonRole.AcceptRole)
    discard = box.addButton("不保存", QMessageBox.ButtonRole.DestructiveRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(save)
    box.exec()
    clicked = box.clickedButton()
    return SAVE if clicked is save else DISCARD if clicked is discard else CANCEL


def act(parent: QWidget, title: str, text: str, actions: list[str]) -> str | None:
    """A question answered by one of ``actions`` (buttons, the first the default); None: 取消."""
    box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.NoButton, parent)
    buttons = [box.addButton(a, QMessageBox.ButtonRole.AcceptRole) for a in actions]
    box.addButton(QMessageBox.StandardButton.Cancel)
    if buttons:
        box.setDefaultButton(buttons[0])
    box.exec()
    clicked = box.clickedButton()
    return next((a for a, b in zip(actions, buttons) if b is clicked), None)


class Progress:
    """A window-modal progress bar for work done in the background (`ui.background`); with
    ``on_cancel`` it has a 取消 button (pressing it once asks the work to stop)."""

    def __init__(self, parent: QWidget, title: str, label: str, on_cancel=None) -> None:  # noqa: ANN001
        from PySide6.QtCore import Qt
        from PySide6.QtWidgets import QProgressDialog

        self.bar = QProgressDialog(label, "取消" if on_cancel else "", 0, 0, parent)
        self.bar.setObjectName("progress")
        self.bar.setWindowTitle(title)
        self.bar.setWindowModality(Qt.WindowModality.WindowModal)
        self.bar.setAutoReset(False)
        self.bar.setAutoClose(False)
        self.bar.setMinimumDuration(0)
        if on_cancel is None:
            self.bar.setCancelButton(None)
        else:
            self.bar.canceled.connect(on_cancel)
            self.bar.canceled.connect(lambda: self.bar.setLabelText("正在取消，文件保持原样…"))
        self.bar.show()

    def advance(self, done: int, total: int, what: str) -> None:
        if self.bar.wasCanceled():
            return
        self.bar.setMaximum(max(total, 1))
        self.bar.setValue(min(done, max(total, 1)))
        if what:
            self.bar.setLabelText(what)

    def finish(self) -> None:
        self.bar.canceled.disconnect()  # closing a QProgressDialog emits canceled: not the clerk's
        self.bar.close()
        self.bar.deleteLater()


def progress(parent: QWidget, title: str, label: str, on_cancel=None) -> Progress:  # noqa: ANN001
    return Progress(parent, title, label, on_cancel)


def text(parent: QWidget, title: str, label: str, value: str = "") -> str | None:
    """A line of text from the clerk; None when cancelled."""
    answer, ok = QInputDialog.getText(parent, title, label, text=value)
    return answer if ok else None


def choose(parent: QWidget, title: str, label: str, items: list[str], current: int = 0) -> int | None:
    """The index of one of ``items`` the clerk picked; None when cancelled."""
    answer, ok = QInputDialog.getItem(parent, title, label, items, current, False)
    return items.index(answer) if ok and answer in items else None


def show_file(path: Path) -> None:
    """Open a written file with the program the system uses for it (the PDF reader)."""
    from PySide6.QtCore import QUrl
    from PySide6.QtGui import QDesktopServices

    QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


def error(parent: QWidget, title: str, text: str) -> None:
    QMessageBox.critical(parent, title, text)


def report(parent: QWidget, title: str, text: str, details: str = "", *, ok: bool = True) -> None:
    """An outcome to read: a sentence, and the line-by-line account under 显示详细信息."""
    box = QMessageBox(QMessageBox.Icon.Information if ok else QMessageBox.Icon.Warning, title, text,
                      QMessageBox.StandardButton.Ok, parent)
    if details:
        box.setDetailedText(details)
    box.exec()
