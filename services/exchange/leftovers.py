"""Nothing outlives a killed consolidation (中断后的残留): its gate workers follow their parent,
and the work copy a killed run left beside the district file is removed by the next run.

A consolidation killed from outside (the task manager, a closed terminal, kill -9) runs no
clean-up code: its worker processes would wait for work forever, holding the caller's pipes, and
its ``<district>.<pid>.consolidating`` copy would stay, one per killed run.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from pathlib import Path


def follow_parent() -> None:
    """Worker initializer: exit as soon as the process that started this one is gone.
    ``parent_process().join()`` waits on the parent's sentinel (a pipe on POSIX, the process
    handle on Windows), so this works wherever multiprocessing does, without polling."""
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def wait() -> None:
        parent.join()
        os._exit(1)  # no clean-up to run: the parent's transaction is gone with it

    threading.Thread(target=wait, name="follow-parent", daemon=True).start()


def _running(pid: int) -> bool:
    """Whether a run with this pid may still be going. On Windows os.kill would terminate the
    process, so there the answer is no and the copy's removal fails instead while it is open."""
    if pid == os.getpid():
        return True
    if os.name == "nt":
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def stale_copies(target: Path) -> list[Path]:
    """The work copies beside ``target`` whose run is not going any more (on Windows: every
    copy, which `remove_stale_copies` then tries)."""
    out = []
    for copy in target.parent.glob(f"{glob_escape(target.name)}.*.consolidating"):
        pid_text = copy.name[len(target.name) + 1:-len(".consolidating")]
        if pid_text.isdigit() and not _running(int(pid_text)):
            out.append(copy)
    return out


def remove_stale_copies(target: Path) -> list[Path]:
    """Remove the work copies (and their journals) that killed runs left beside ``target``;
    the removed copies. A copy of a run still going (its process alive, or, on Windows, the
    file still open) is left alone."""
    removed: list[Path] = []
    for copy in stale_copies(target):
        try:
            for p in (copy, *(copy.with_name(copy.name + s) for s in ("-wal", "-shm", "-journal"))):
                p.unlink(missing_ok=True)
        except OSError:  # Windows: still open by a live run
            continue
        removed.append(copy)
    return removed


def glob_escape(name: str) -> str:
    import glob

    return glob.escape(name)
