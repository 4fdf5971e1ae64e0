"""The department file itself (部门数据文件): created, opened, locked, synced and closed.

One connection is kept open for the file's lifetime (WAL journal): every edit is its own small
transaction, committed at once, so a crash loses nothing typed. Opening refuses a file that is
missing, not ours, newer, damaged or locked *before* anything is written to it, and upgrades an
older one first (`services.store.opening`); one window or process writes it at a time
(`services.filelock`). Its reads and writes are the `Repository`'s.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Any

from sqlalchemy import Connection, create_engine, event, insert
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from models.schema import Base, Department, Meta
from services.filelock import Held, WriterLock
from services.migrations import SCHEMA_VERSION
from services.store import digest, opening
from services.store.errors import DepartmentFileError, Problem
from services.store.opening import (
    APP_NAME,
    APPLICATION_ID,
    SIDECARS,
    backup,
    connect_for_reading,
    inspect,
    not_ours,
    problem,
    sidecar,
    upgrade_file,
    upgraded_copy,
    uri,
)
from services.store.repository import Repository, _now

#: An edit this many seconds after the last sync to disk syncs again (see `DepartmentFile.flush`).
SYNC_SECONDS = 2.0


def _engine_over(dbapi: sqlite3.Connection, begin: Any) -> Connection:
    """A SQLAlchemy connection on an already open sqlite3 connection.

    sqlite3's own transaction handling does not BEGIN before a SELECT or DDL; SQLAlchemy's
    documented recipe turns it off and emits BEGIN itself, so reads see one snapshot and a
    migration's DDL is transactional. ``begin()`` returns the BEGIN statement to use.
    """
    engine = create_engine("sqlite://", creator=lambda: dbapi, poolclass=NullPool)
    event.listen(engine, "connect", lambda conn, _record: setattr(conn, "isolation_level", None))
    event.listen(engine, "begin", lambda conn: conn.exec_driver_sql(begin()))
    return engine.connect()


class DepartmentFile(Repository):
    """An open department file. Use `create` or `open`, and close it (``with`` does)."""

    def __init__(self, path: Path, dbapi: sqlite3.Connection, *, readonly: bool,
                 migrated_from: int | None = None, backup_path: Path | None = None) -> None:
        self.path = path
        self.readonly = readonly
        #: The schema version the file had if opening upgraded it, and where the copy went.
        self.migrated_from = migrated_from
        self.backup_path = backup_path
        self.journal_mode = dbapi.execute("PRAGMA journal_mode").fetchone()[0]
        # a district's 汇总 is written by the consolidation's own statements: no 校验值 kept there
        self.keeps_digest = dbapi.execute("SELECT 1 FROM meta WHERE key = 'kind' AND value = 'district'").fetchone() is None
        self._dbapi = dbapi
        self._begin = "BEGIN"
        self._synced = time.monotonic()
        self._conn = _engine_over(dbapi, lambda: self._begin)
        #: the writer's lock (`services.filelock`), held while open for writing
        self._lock: WriterLock | None = None

    # ── opening and closing ────────────────────────────────────────────────
    @classmethod
    def create(cls, path: str | os.PathLike[str], department: str, department_code: str = "",
               *, overwrite: bool = False) -> DepartmentFile:
        """A new, empty department file; an existing file is replaced only if ``overwrite``."""
        path = Path(path)
        if path.is_dir():
            raise not_ours(path, "（这是一个文件夹）")
        if path.exists() and not overwrite:
            raise DepartmentFileError(path, "已存在，没有覆盖它", Problem.EXISTS)
        if not path.parent.is_dir():
            raise DepartmentFileError(path, "所在的文件夹不存在", Problem.MISSING)
        # Built under a temporary name and renamed into place: the file appears whole or not at all.
        partial = sidecar(path, f".{os.getpid()}.part")
        try:
            partial.unlink(missing_ok=True)
            dbapi = sqlite3.connect(partial, isolation_level=None)
            try:
                conn = _engine_over(dbapi, lambda: "BEGIN")
                with conn.begin():
                    Base.metadata.create_all(conn)
                    now = _now()
                    conn.execute(insert(Meta), [
                        {"key": "app", "value": APP_NAME},
                        {"key": "schema_version", "value": str(SCHEMA_VERSION)},
                        {"key": "created_at", "value": now},
                    ])
                    conn.execute(insert(Department).values(id=1, name=department, code=department_code))
                    conn.execute(insert(Meta).values(key=digest.DEPARTMENT_KEY,
                                                     value=digest.department(department, department_code)))
                    # Our own integer constants; PRAGMA takes no bound parameters.
                    conn.exec_driver_sql(f"PRAGMA application_id = {APPLICATION_ID:d}")
                    conn.exec_driver_sql(f"PRAGMA user_version = {SCHEMA_VERSION:d}")
                conn.close()
            finally:
                dbapi.close()
            if overwrite:
                # A stale -wal left by the replaced file would be replayed into the new one.
                for old in [path, *(sidecar(path, s) for s in SIDECARS)]:
                    old.unlink(missing_ok=True)
            os.replace(partial, path)
        except (OSError, sqlite3.Error, DBAPIError) as e:
            partial.unlink(missing_ok=True)
            if isinstance(e, PermissionError):
                raise DepartmentFileError(path, "无法创建：没有权限，或原文件正被其他程序使用", Problem.LOCKED) from None
            raise DepartmentFileError(path, f"无法创建（{e}）", Problem.IO) from None
        return cls.open(path)

    @classmethod
    def open(cls, path: str | os.PathLike[str], readonly: bool = False) -> DepartmentFile:
        """Open an existing department file; an older one is backed up and upgraded first
        (in memory only, when ``readonly``). Refusals change nothing on disk."""
        path = Path(path)
        found = inspect(path)
        old = found.version if found.version < SCHEMA_VERSION else None
        saved_copy = None
        try:
            if old is not None and readonly:
                dbapi = upgraded_copy(path, found)
            elif readonly:
                dbapi = connect_for_reading(path, found)
            else:
                lock = WriterLock(path)
                try:
                    lock.acquire()
                except Held as e:
                    raise DepartmentFileError(path, f"{e}，只能以只读方式打开", Problem.LOCKED, e.holder) from None
                try:
                    if old is not None:
                        saved_copy = backup(path, found)
                        upgrade_file(path, found)
                    dbapi = cls._connect_writable(path)
                except BaseException:
                    lock.release()
                    raise
        except sqlite3.Error as e:
            raise problem(path, e) from None
        f = cls(path, dbapi, readonly=readonly, migrated_from=old, backup_path=saved_copy)
        f._lock = None if readonly else lock
        return f

    @staticmethod
    def _connect_writable(path: Path) -> sqlite3.Connection:
        # mode=rw: never create a file that has gone missing since it was checked.
        conn = sqlite3.connect(uri(path, mode="rw"), uri=True, timeout=opening.BUSY_TIMEOUT, isolation_level=None)
        try:
            conn.execute("PRAGMA trusted_schema = OFF")
            conn.execute("PRAGMA foreign_keys = ON")
            # WAL: a commit appends to the -wal file instead of rewriting pages, readers (a second
            # window, the checks) never block the writer, and a crash cannot damage the file.
            conn.execute("PRAGMA journal_mode = WAL")
            # NORMAL is safe with WAL: the file can never be corrupted, and a program crash loses
            # no commit (it is in the operating system's cache). Only a power cut could roll back
            # edits not yet synced, and `flush()` (every SYNC_SECONDS while editing, on idle, at
            # close) keeps those few. FULL would wait for the disk on every keystroke-commit:
            # one fsync each, milliseconds on a laptop's disk.
            conn.execute("PRAGMA synchronous = NORMAL")
        except sqlite3.Error:
            conn.close()
            raise
        return conn

    def close(self) -> None:
        """Sync and close the file; the last connection to close folds the -wal into the file."""
        if not self._conn.closed:
            try:
                self.flush()
            finally:
                self._conn.close()
                self._conn.engine.dispose()
                if self._lock is not None:
                    self._lock.release()
                    self._lock = None

    def __enter__(self) -> DepartmentFile:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<DepartmentFile {str(self.path)!r}{' readonly' if self.readonly else ''}>"

    def flush(self) -> None:
        """Make every committed edit durable against a power cut: a WAL checkpoint syncs the
        -wal and then the file. An edit SYNC_SECONDS or more after the last sync runs it, and so
        does `close`; the window should also call it when the clerk pauses (an idle timer)."""
        if not self.readonly and not self._conn.closed:
            self._synced = time.monotonic()
            try:
                # PASSIVE: never waits for a reader (another window); it syncs what it can.
                self._dbapi.execute("PRAGMA wal_checkpoint(PASSIVE)")
            except sqlite3.Error as e:
                raise problem(self.path, e) from None

    @property
    def connection(self) -> Connection:
        """The file's connection, for modules that keep tables of their own in it (the district's
        ledger). Run statements inside ``with connection.begin():``."""
        return self._conn

    # ── transactions ───────────────────────────────────────────────────────
    @contextmanager
    def _reading(self) -> Iterator[Connection]:
        try:
            with self._conn.begin():
                yield self._conn
        except DBAPIError as e:
            raise problem(self.path, e) from None
        except UnicodeDecodeError:  # a name or text whose bytes were damaged
            raise DepartmentFileError(self.path, "已损坏（含有无效的文字编码），无法读取；请使用备份",
                                      Problem.CORRUPT) from None

    @contextmanager
    def _writing(self) -> Iterator[Connection]:
        if self.readonly:
            raise DepartmentFileError(self.path, "是以只读方式打开的，不能修改", Problem.READONLY)
        # IMMEDIATE takes the write lock at BEGIN: waiting for another writer happens there,
        # never halfway through our statements.
        self._begin = "BEGIN IMMEDIATE"
        try:
            with self._conn.begin():
                yield self._conn
        except DBAPIError as e:
            raise problem(self.path, e) from None
        finally:
            self._begin = "BEGIN"
        if time.monotonic() - self._synced >= SYNC_SECONDS:
            self.flush()
