"""Why a department file cannot be used (`DepartmentFileError`), in the clerk's words."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path


class Problem(StrEnum):
    """Why a department file could not be used, for callers that react differently to each."""

    MISSING = "missing"
    NOT_OURS = "not_ours"
    NEWER = "newer"
    CORRUPT = "corrupt"
    LOCKED = "locked"
    EXISTS = "exists"
    READONLY = "readonly"
    NO_YEAR = "no_year"
    TEMPLATE = "template"
    MIGRATION = "migration"
    IO = "io"


class DepartmentFileError(Exception):
    """A department file that cannot be opened or changed. ``str()`` is one line in Chinese
    naming the file and the reason; ``problem`` says which kind of reason."""

    def __init__(self, path: Path, reason: str, problem: Problem, holder: str = "") -> None:
        self.path = path
        self.reason = reason
        self.problem = problem
        #: who edits the file, when it is refused because another window or process holds it
        self.holder = holder
        super().__init__(f"“{path.name}”{' '.join(reason.splitlines())}")
