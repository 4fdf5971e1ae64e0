"""意外错误 in the window: the guard for exceptions raised inside Qt's event loop.

PySide6 hands an exception raised in a slot (a menu action, a timer, a paint) to
``sys.excepthook`` and carries on; Python's default prints a traceback to a console the clerk
does not have. Here it is logged with its traceback in the user data folder (`services.crash`)
and told in one sentence; every edit was saved when it was made, so nothing typed is lost, and
the window goes on. One message at a time: an exception while one is shown is only logged.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from types import TracebackType

from PySide6.QtWidgets import QMessageBox, QWidget

from services.crash import message, write_log


def install(parent: Callable[[], QWidget | None], *, quiet: bool = False) -> None:
    """Route the event loop's uncaught exceptions to the log and a message box over
    ``parent()`` (none when ``quiet``: a screenshot run)."""
    showing = False

    def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        nonlocal showing
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, exc, tb)
            return
        text = message(exc.with_traceback(tb), write_log(exc.with_traceback(tb), sys.argv))
        print(text, file=sys.stderr)
        if quiet or showing:
            return
        showing = True
        try:
            QMessageBox.critical(parent(), "意外错误", f"{text}。\n\n已填写的数据在每次修改时都已保存，不受影响。")
        finally:
            showing = False

    sys.excepthook = hook
