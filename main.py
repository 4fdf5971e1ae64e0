"""决算公开助手 (Disclosure Desk): the entry point, for the window and the command line.

``python main.py`` opens the window on the bundled sample department (or a file given as the
only argument); ``python main.py check|import-xlsx|export-xlsx …`` runs without a display (`services.cli`).
Only what a command needs is imported, and only when it needs it.
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    if getattr(sys, "frozen", False) and "multiprocessing" in sys.modules:
        # A worker of the consolidation in the installed program (it is its own worker process):
        # installer/rth_desk.py saw multiprocessing's arguments and prepared it; the worker runs
        # and exits here. From source, and on any other start, nothing to do (and nothing imported).
        sys.modules["multiprocessing"].freeze_support()
    argv = sys.argv[1:] if argv is None else argv
    from services.cli import COMMANDS
    from services.crash import guarded

    if argv and (argv[0] in COMMANDS or argv[0] in ("-h", "--help")):
        from services.cli import run

        return guarded(lambda: run(argv), argv)
    from ui.app import run_gui

    return guarded(lambda: run_gui(argv), argv)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:  # output piped into `head` and closed early: not an error
        sys.stderr.close()
        sys.exit(0)
