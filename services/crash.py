"""The last line of defence (意外错误): an exception no check foresaw becomes one short sentence
for the clerk and a log file with the traceback for technical support, in the user data folder.

Every known failure already has its own sentence; this catches only what is left (a bug, a
library failing in a way nobody saw), so the clerk never faces a traceback and the support
desk still gets one.
"""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TextIO

#: Exit code of a command that failed unexpectedly (as an unreadable file: nothing was changed
#: that the command would not have changed atomically).
EXIT_UNEXPECTED = 2
#: Tests and portable installs point the logs elsewhere.
LOG_DIR_ENV = "DISCLOSUREDESK_LOG_DIR"


def log_dir() -> Path:
    if os.environ.get(LOG_DIR_ENV):
        return Path(os.environ[LOG_DIR_ENV])
    from platformdirs import user_data_path

    return user_data_path("DisclosureDesk", appauthor=False) / "logs"


def write_log(exc: BaseException, argv: list[str]) -> Path | None:
    """The traceback in a new log file; None when even that cannot be written."""
    try:
        folder = log_dir()
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"错误-{datetime.now():%Y%m%d-%H%M%S}-{os.getpid()}.log"
        from services import product

        text = (f"{product.NAME} {product.VERSION}\n"
                f"python {sys.version.split()[0]} {sys.platform}\nargv: {argv!r}\n\n"
                + "".join(traceback.format_exception(exc)))
        path.write_text(text, encoding="utf-8")
        return path
    except Exception:  # noqa: BLE001 - the guard itself must never fail
        return None


def message(exc: BaseException, log: Path | None) -> str:
    from services.identity import printable

    what = printable(f"{type(exc).__name__}: {exc}")[:120]
    where = f"详细信息已写入 {log}，请把该文件交给技术支持" if log else "请把这条信息交给技术支持"
    if isinstance(exc, MemoryError):
        return f"内存不足，未能完成（{where}）"
    return f"程序出现意外错误，未能完成（{what}）；{where}"


def guarded(run: Callable[[], int], argv: list[str], stderr: TextIO | None = None) -> int:
    """``run()``'s exit code; an unexpected exception is logged and told in one line."""
    try:
        return run()
    except (SystemExit, KeyboardInterrupt, BrokenPipeError):
        raise
    except BaseException as e:  # noqa: BLE001 - this is the one place that catches everything
        log = write_log(e, argv)
        out = stderr or sys.stderr
        try:
            out.write(message(e, log) + "\n")
        except Exception:  # noqa: BLE001
            pass
        return EXIT_UNEXPECTED
