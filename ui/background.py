"""Long work off the window's thread (后台任务): import, export, the PDF, the seal, consolidation.

`run` does a job in a worker thread while a window-modal progress dialog shows what it is doing;
the window keeps repainting and answering. A job that reports progress can be cancelled: its next
report raises `Cancelled` inside it, and the core's own all-or-nothing writing (a ``.part`` file
renamed into place, a work copy discarded) leaves every file as it was. A job without reports is
cancelled when it ends: what it made is thrown away (the caller writes it into place only after).
The dialog itself is `ui.dialogs.progress`, so tests can watch and press it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import QEventLoop, QObject, Signal
from PySide6.QtWidgets import QWidget

from ui import dialogs

T = TypeVar("T")
Progress = Callable[[int, int, str], None]


class Cancelled(Exception):
    """The clerk pressed 取消: the job stopped and changed nothing."""


class _Bridge(QObject):
    """Lives on the window's thread; the worker emits, the window's event loop delivers."""

    progressed = Signal(int, int, str)
    ended = Signal()


def run(parent: QWidget, title: str, label: str, job: Callable[[Progress], T], *, cancellable: bool = True) -> T:
    """``job(progress)`` in a worker thread; its result, or its exception (`Cancelled` if the clerk
    cancelled). ``progress(done, total, what)`` moves the bar and is where a cancel takes effect."""
    bridge = _Bridge()
    stop = threading.Event()
    outcome: dict[str, object] = {}

    def report(done: int, total: int, what: str) -> None:
        if stop.is_set():
            raise Cancelled
        bridge.progressed.emit(done, total, what)

    def work() -> None:
        try:
            outcome["result"] = job(report)
        except BaseException as e:  # noqa: BLE001 - handed to the window's thread, raised there
            outcome["error"] = e
        finally:
            bridge.ended.emit()

    loop = QEventLoop()
    bar = dialogs.progress(parent, title, label, stop.set if cancellable else None)
    bridge.progressed.connect(bar.advance)
    bridge.ended.connect(loop.quit)
    worker = threading.Thread(target=work, name=f"后台：{title}", daemon=True)
    worker.start()
    loop.exec()  # until the worker says it ended (a queued signal: even an early end is not missed)
    worker.join()
    cancelled = stop.is_set()
    bar.finish()
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    if cancelled:
        raise Cancelled
    return outcome["result"]  # type: ignore[return-value]
