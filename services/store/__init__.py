"""The department file (部门数据文件): one SQLite file per department holding all its years.

It is the clerk's work itself, and also what goes on a USB stick to the finance bureau, so:

* every edit (`set_cell`, `set_coded_row`, …) is its own small transaction, committed at once on
  one connection kept open for the file's lifetime (WAL journal): a crash loses nothing typed;
* `save` adds or replaces a whole year in one transaction: a half-saved year cannot exist;
* a file that is missing, not ours, from a newer version, damaged or locked is refused with a
  one-line message in Chinese (`DepartmentFileError`) *before* anything is written to it;
* an older file is copied to ``<name>.bak-v<old>`` and then upgraded in one transaction by the
  steps in `services.migrations`.

The package: `file` (the file itself: create, open, lock, sync, close), `opening` (inspecting a
file before trusting it, backing up and upgrading an older one), `repository` (every read and
write of its years, on its connection), `errors`. Only this package (through `models.schema`)
imports SQLAlchemy, about half a second of start-up: `main.py` and the checks import it lazily,
when a department file is actually opened.
"""

from __future__ import annotations

from services.store.errors import DepartmentFileError, Problem
from services.store.file import DepartmentFile
from services.store.opening import APP_NAME, APPLICATION_ID

__all__ = ["APPLICATION_ID", "APP_NAME", "DepartmentFile", "DepartmentFileError", "Problem"]
