"""Run-time hook of the frozen program (run by PyInstaller's bootloader before ``main.py``).

Two things, each as cheap as possible, since it runs on every start (`--help` included):

1. Programs the window starts (the PDF reader, the file manager, through ``xdg-open``) get the
   desktop's environment back: the bootloader put the program's own folder first on
   ``LD_LIBRARY_PATH`` (this process's loader has read it already), and a system program would
   otherwise load our Qt, OpenSSL or SQLite instead of its own.
2. Worker processes of the consolidation (multiprocessing) find their way in a frozen program,
   as PyInstaller's own ``pyi_rth_multiprocessing`` does, but without importing multiprocessing
   on every start (15 ms of a 50 ms ``--help``): only a process started *as* a worker or helper
   (its arguments say so) imports it, with `freeze_support` made to run the worker, which
   ``main.py`` then calls. A parent needs nothing: Python starts a frozen program's workers as
   ``PROGRAM --multiprocessing-fork …`` and its helpers as ``PROGRAM -c …`` by itself.
"""

import os
import sys


def _restore_library_path() -> None:
    if not sys.platform.startswith("linux"):
        return
    original = os.environ.pop("LD_LIBRARY_PATH_ORIG", None)
    if original is None:
        os.environ.pop("LD_LIBRARY_PATH", None)
    else:
        os.environ["LD_LIBRARY_PATH"] = original


def _run_helper() -> None:
    """``PROGRAM [interpreter flags] -c 'from multiprocessing.resource_tracker import main…'``: the
    helper runs and the process ends. The program has no ``-c`` of its own and only these exact
    commands run, so the flags before it (whatever the parent's were) need no checking."""
    i = sys.argv.index("-c")
    if len(sys.argv) <= i + 1 or not all(a.startswith("-") for a in sys.argv[1:i]):
        return
    command = sys.argv[i + 1]
    if command.startswith(("from multiprocessing.resource_tracker import main",
                           "from multiprocessing.forkserver import main",
                           "import sys; from multiprocessing.forkserver import main")):
        exec(command)  # noqa: S102 - multiprocessing's own helper, as it would run under python -c
        sys.exit()


def _freeze_support() -> None:
    """`multiprocessing.freeze_support` for a frozen program on every system (Python's own acts on
    Windows only); ``main`` calls it first."""
    if "-c" in sys.argv:
        _run_helper()
    if "--multiprocessing-fork" in sys.argv:
        import multiprocessing.spawn

        if multiprocessing.spawn.is_forking(sys.argv):
            kwds: dict[str, int | None] = {}
            for arg in sys.argv[2:]:
                name, value = arg.split("=")
                kwds[name] = None if value == "None" else int(value)
            multiprocessing.spawn.spawn_main(**kwds)  # type: ignore[arg-type]
            sys.exit()


def _install() -> None:
    _restore_library_path()
    if "-c" not in sys.argv and "--multiprocessing-fork" not in sys.argv:
        return  # the clerk's start: the window or a command
    import multiprocessing

    multiprocessing.process.ORIGINAL_DIR = None  # type: ignore[attr-defined] # as PyInstaller's hook
    multiprocessing.freeze_support = _freeze_support  # type: ignore[assignment]


_install()
