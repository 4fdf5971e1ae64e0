"""The writer's lock of a department file (编辑锁): one window or process edits a file at a time.

SQLite lets two connections write one after the other, and two windows each holding their own
copy of a year would then save totals that no longer add up with the other's details. So the
one that opens a file for writing holds an operating-system lock on a small file beside it
(``部门.sqlite.lock``) saying who holds it; another opens the file read-only and is told who.
The system releases the lock when the holder closes the file or dies, so a crash leaves
nothing locked; the holder removes the ``.lock`` file when it closes (a crash leaves it behind,
harmless and reused).
"""

from __future__ import annotations

import getpass
import os
import socket
import sys
import time
from pathlib import Path
from typing import IO

if sys.platform == "win32":
    import msvcrt
else:
    import fcntl


class Held(Exception):
    """The file is being edited elsewhere; ``str()`` says by whom, in Chinese."""

    def __init__(self, holder: str):
        self.holder = holder
        super().__init__(f"正由 {holder} 打开编辑")


def lock_path(path: Path) -> Path:
    return path.with_name(path.name + ".lock")


def _who() -> str:
    try:
        user = getpass.getuser()
    except Exception:  # noqa: BLE001 - no user name on this system: say nothing of it
        user = ""
    return f"{user}@{socket.gethostname()}（进程 {os.getpid()}，{time.strftime('%Y-%m-%d %H:%M')} 起）".lstrip("@")


def _same_file(fh: IO[str], path: Path) -> bool:
    try:
        return os.fstat(fh.fileno()).st_ino == os.stat(path).st_ino
    except OSError:
        return False


class WriterLock:
    """Held while a department file is open for writing."""

    def __init__(self, path: Path):
        self.path = lock_path(path)
        self._fh: IO[str] | None = None

    def acquire(self) -> None:
        """Take the lock, or raise `Held` naming its holder. A folder where no lock file can be
        made (a read-only share) leaves the file unlocked: SQLite's own locking still applies."""
        for _ in range(10):  # a holder may remove the lock file just as we open it: try again
            try:
                fh = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115 - held open while editing
            except OSError:
                return
            try:
                if sys.platform == "win32":
                    fh.seek(0)
                    msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)
                else:
                    fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                fh.seek(0)
                holder = fh.read().strip() or "另一个窗口或程序"
                fh.close()
                raise Held(holder) from None
            if sys.platform == "win32" or _same_file(fh, self.path):
                break
            fh.close()  # we locked a lock file its holder had just removed
        else:
            return
        fh.seek(0)
        fh.truncate()
        fh.write(_who())
        fh.flush()
        self._fh = fh

    def release(self) -> None:
        if self._fh is None:
            return
        if sys.platform != "win32":  # removed while still held, so that no folder fills with .lock files
            try:
                self.path.unlink()
            except OSError:
                pass  # someone else's folder rules: the lock file stays, harmless
        try:
            if sys.platform == "win32":
                self._fh.seek(0)
                msvcrt.locking(self._fh.fileno(), msvcrt.LK_UNLCK, 1)
            else:
                fcntl.flock(self._fh.fileno(), fcntl.LOCK_UN)
        except OSError:
            pass  # closing the file below releases it anyway
        self._fh.close()
        self._fh = None
