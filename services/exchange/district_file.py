"""The district file on disk (区汇总文件): opening it to read, and building its next version safely.

The district file is the bureau's own, so it is opened like any department file, through
`DepartmentFile` and all of its checks (header, ``application_id``, version, ``integrity_check``, no
triggers or views; older files upgraded), and then must say it is a district (``meta``).

Consolidation must leave it byte-identical when anything is refused, and whole if the machine
stops halfway, so `WorkCopy` builds the next version under a temporary name next to it (a copy,
or a new file) and `WorkCopy.commit` moves it into place with one atomic rename, after checking
that nobody opened or changed the original meanwhile. A server database would instead run the
same statements in one transaction; only this module knows the district is a file.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, create_engine, event, insert, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from models.district import (
    DISTRICT_SCHEMA_VERSION,
    KIND_DISTRICT,
    KIND_KEY,
    VERSION_KEY,
    create_district_tables,
)
from models.schema import Meta
from services.store import DepartmentFile, DepartmentFileError

_SIDECARS = ("-wal", "-shm", "-journal")
DEFAULT_NAME = "全区汇总"


class DistrictError(Exception):
    """The district file (or the arguments) cannot be used; ``str()`` is one line in Chinese."""


def _sidecar(path: Path, suffix: str) -> Path:
    return path.with_name(path.name + suffix)


def _in_use(path: Path) -> bool:
    return any(_sidecar(path, s).exists() for s in _SIDECARS)


def is_district_file(path: Path) -> bool:
    """Whether ``path`` is a district file (its meta says ``kind=district``); reads only."""
    try:
        with DepartmentFile.open(Path(path), readonly=True) as f, f.connection.begin():
            kind = f.connection.execute(select(Meta.value).where(Meta.key == KIND_KEY)).scalar()
    except DepartmentFileError:
        return False  # not readable as ours at all: opening it as a department says why
    return kind == KIND_DISTRICT


def require_district(where: str, conn: Connection) -> None:
    """Refuse what is not a district this version can use (``where``: the file's name or the
    database's address, for the message)."""
    meta = dict(conn.execute(select(Meta.key, Meta.value).where(Meta.key.in_([KIND_KEY, VERSION_KEY]))).all())
    if meta.get(KIND_KEY) != KIND_DISTRICT:
        raise DistrictError(f"“{where}”是部门数据文件，不是区汇总文件")
    try:
        version = int(meta.get(VERSION_KEY, ""))
    except ValueError:
        raise DistrictError(f"“{where}”的汇总数据版本无法识别") from None
    if version > DISTRICT_SCHEMA_VERSION:
        raise DistrictError(f"“{where}”由更新版本的软件创建，请升级本软件")
    if version < DISTRICT_SCHEMA_VERSION:
        # Version 1 was written only by pre-release builds (one row per submitted figure).
        raise DistrictError(f"“{where}”由早期测试版软件创建（汇总数据格式 {version}），本版本不能读取；"
                            "请用各部门的上报文件重新汇总到一个新的区汇总文件")


@contextmanager
def reading(path: Path) -> Iterator[tuple[DepartmentFile, Connection]]:
    """The district file opened read-only, and a connection for the district tables.

    Run statements on the connection inside ``with conn.begin():``; call the `DepartmentFile`'s
    own methods (``load``, ``years``) outside such a block.
    """
    path = Path(path)
    try:
        f = DepartmentFile.open(path, readonly=True)
    except DepartmentFileError as e:
        raise DistrictError(str(e)) from None
    with f:
        conn = f.connection
        with conn.begin():
            require_district(path.name, conn)
        yield f, conn


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path.resolve().as_uri() + "?mode=rw", uri=True, isolation_level=None)
    conn.execute("PRAGMA trusted_schema = OFF")
    conn.execute("PRAGMA foreign_keys = ON")
    # A work copy: durability matters only once, at `commit`, which syncs the finished file; a
    # failed run discards the copy, so its rollback journal can live in memory.
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA journal_mode = MEMORY")
    # A fixed cap (8 MB): each submission is appended as a few rows, so the pages a run touches
    # are the indexes and the table ends; memory stays flat however large the district grows.
    conn.execute("PRAGMA cache_size = -8192")
    return conn


class WorkCopy:
    """The next version of a district file, built beside it; `commit` or `discard` it."""

    def __init__(self, target: Path, name: str = DEFAULT_NAME, code: str = "") -> None:
        self.target = Path(target)
        self.name, self.code = name, code
        self.path = _sidecar(self.target, f".{os.getpid()}.consolidating")
        #: (size, mtime, inode) of the original when copied; None when the district is new
        self._stamp: tuple[int, int, int] | None = None
        self._backup: Path | None = None
        #: work copies of interrupted runs removed by `start`
        self.stale: list[Path] = []

    def start(self) -> None:
        target = self.target
        if target.is_dir() or not target.parent.is_dir():
            raise DistrictError(f"区汇总文件的位置不对：{target}")
        self.discard()
        from services.exchange.leftovers import remove_stale_copies

        self.stale = remove_stale_copies(target)  # what killed runs left behind
        if target.exists():
            if _in_use(target):
                raise DistrictError(f"“{target.name}”正被其他程序使用（或上次没有正常关闭）：请先关闭打开它的窗口")
            with reading(target):
                pass
            st = target.stat()
            self._stamp = (st.st_size, st.st_mtime_ns, st.st_ino)
            try:
                shutil.copyfile(target, self.path)
            except OSError as e:
                self.discard()
                raise DistrictError(f"无法复制“{target.name}”（{e.strerror or e}）") from None
        else:
            try:
                DepartmentFile.create(self.path, self.name, self.code).close()
            except DepartmentFileError as e:
                raise DistrictError(str(e)) from None
        try:
            with DepartmentFile.open(self.path) as f:  # upgrades an older district file's copy
                self._backup = f.backup_path
            c = self.connect()
            try:
                with c.begin():
                    create_district_tables(c)  # adds only what is missing
                    if self._stamp is None:  # a new district file: say what it is
                        c.execute(insert(Meta), [{"key": KIND_KEY, "value": KIND_DISTRICT},
                                                 {"key": VERSION_KEY, "value": str(DISTRICT_SCHEMA_VERSION)}])
            finally:
                c.close()
                c.engine.dispose()
        except (DepartmentFileError, DBAPIError, sqlite3.Error, OSError) as e:
            self.discard()
            raise DistrictError(f"无法准备区汇总文件（{getattr(e, 'orig', None) or e}）") from None

    def connect(self) -> Connection:
        """A connection to the work copy whose ``begin()`` really begins (SQLAlchemy's pysqlite recipe)."""
        engine = create_engine("sqlite://", creator=lambda: _connect(self.path), poolclass=NullPool)
        event.listen(engine, "connect", lambda dbapi, _rec: setattr(dbapi, "isolation_level", None))
        event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN IMMEDIATE"))
        return engine.connect()

    def department_file(self) -> DepartmentFile:
        return DepartmentFile.open(self.path)

    def commit(self) -> None:
        """Move the finished copy into place, unless the original changed or is open meanwhile."""
        target = self.target
        if any(_sidecar(self.path, s).exists() for s in _SIDECARS):
            self.discard()
            raise DistrictError("区汇总文件的临时副本没有正常关闭，本次没有写入")
        if self._stamp is not None:
            try:
                st = target.stat()
                same = (st.st_size, st.st_mtime_ns, st.st_ino) == self._stamp
            except OSError:
                same = False
            if not same or _in_use(target):
                self.discard()
                raise DistrictError(f"“{target.name}”在汇总期间被其他程序打开或改动，本次没有写入，请关闭后重试")
        try:
            with open(self.path, "rb+") as fh:
                os.fsync(fh.fileno())
            os.replace(self.path, target)
        except OSError as e:
            self.discard()
            raise DistrictError(f"无法写入“{target.name}”（{e.strerror or e}），原文件没有改动") from None
        if hasattr(os, "O_DIRECTORY"):
            fd = os.open(target.parent, os.O_RDONLY | os.O_DIRECTORY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        if self._backup is not None and self._backup.exists():
            keep = _sidecar(target, self._backup.name[len(self.path.name):])
            if not keep.exists():
                os.replace(self._backup, keep)

    def discard(self) -> None:
        for p in [self.path, *(_sidecar(self.path, s) for s in _SIDECARS)]:
            p.unlink(missing_ok=True)
        if self._backup is not None:
            self._backup.unlink(missing_ok=True)
