"""The department file (部门数据文件): one SQLite file per department holding all its years.

It is the clerk's work itself, and also what goes on a USB stick to the finance bureau, so:

* every edit (`set_cell`, `set_coded_row`, …) is its own small transaction, committed at once on
  one connection kept open for the file's lifetime (WAL journal): a crash loses nothing typed;
* `save` adds or replaces a whole year in one transaction: a half-saved year cannot exist;
* a file that is missing, not ours, from a newer version, damaged or locked is refused with a
  one-line message in Chinese (`DepartmentFileError`) *before* anything is written to it;
* an older file is copied to ``<name>.bak-v<old>`` and then upgraded in one transaction by the
  steps in `services.migrations`.

Only this module (through `models.schema`) imports SQLAlchemy, about half a second of start-up:
`main.py` and the checks import it lazily, when a department file is actually opened.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from itertools import chain
from pathlib import Path
from types import TracebackType
from typing import Any

from sqlalchemy import Connection, bindparam, create_engine, delete, event, insert, select, update
from sqlalchemy.dialects.sqlite import insert as upsert
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from models.schema import (
    Base,
    CellValue,
    CodedRow,
    Department,
    DepartmentYear,
    Meta,
    NarrativeText,
    PriorValue,
    StoredAmountError,
)
from services import migrations, product
from services.filelock import Held, WriterLock
from services.migrations import SCHEMA_VERSION
from services.money import AmountError
from services.templates import TemplateError, get_template
from services.workbook import Cell, Workbook

#: ``PRAGMA application_id``: "JSGD" (决算公开) at offset 68 of the SQLite header marks our files.
APPLICATION_ID = 0x4A534744
APP_NAME = product.NAME
#: Seconds to wait while another program holds the write lock before saying the file is locked.
BUSY_TIMEOUT = 5.0
#: An edit this many seconds after the last sync to disk syncs again (see `DepartmentFile.flush`).
SYNC_SECONDS = 2.0

_MAGIC = b"SQLite format 3\x00"
_SIDECARS = ("-wal", "-shm", "-journal")


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


# ── looking at a file before trusting it ───────────────────────────────────
@dataclass(frozen=True)
class _Found:
    version: int
    wal_mode: bool


def _sidecar(path: Path, suffix: str) -> Path:
    return path.with_name(path.name + suffix)


def _has_wal(path: Path) -> bool:
    try:
        return _sidecar(path, "-wal").stat().st_size > 0
    except OSError:
        return False


def _uri(path: Path, **params: str) -> str:
    # as_uri() percent-encodes, so Chinese names, spaces, '#' and '?' reach SQLite intact.
    return path.resolve().as_uri() + "?" + "&".join(f"{k}={v}" for k, v in params.items())


def _truncated(path: Path) -> DepartmentFileError:
    return DepartmentFileError(path, "不完整（可能没有复制完或已被截断），无法打开", Problem.CORRUPT)


def _not_ours(path: Path, detail: str = "") -> DepartmentFileError:
    return DepartmentFileError(path, f"不是本软件的数据文件{detail}", Problem.NOT_OURS)


def _newer(path: Path, version: int) -> DepartmentFileError:
    return DepartmentFileError(
        path,
        f"由更新版本的软件创建，请升级本软件（文件格式 {version}，本软件支持到 {SCHEMA_VERSION}）",
        Problem.NEWER,
    )


def _read_header(path: Path) -> _Found:
    """Refuse what is plainly not our file from its first 100 bytes, without SQLite touching it."""
    try:
        if path.is_dir():
            raise _not_ours(path, "（这是一个文件夹）")
        size = path.stat().st_size
        with path.open("rb") as f:
            head = f.read(100)
    except FileNotFoundError:
        raise DepartmentFileError(path, "不存在（可能已被移动、改名或删除）", Problem.MISSING) from None
    except PermissionError:
        raise DepartmentFileError(path, "无法读取：没有权限，或正被其他程序占用", Problem.LOCKED) from None
    except OSError as e:
        raise DepartmentFileError(path, f"无法读取（{e.strerror}）", Problem.IO) from None
    if not head.startswith(_MAGIC):
        if head and _MAGIC.startswith(head):
            raise _truncated(path)
        raise _not_ours(path)
    if len(head) < 100:
        raise _truncated(path)
    if int.from_bytes(head[68:72], "big") != APPLICATION_ID:
        raise _not_ours(path, "（是其他软件的数据库）")
    page_size = int.from_bytes(head[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(head[28:32], "big")
    pages_valid = head[92:96] == head[24:28]  # SQLite's rule for trusting the page count
    # With a non-empty -wal the newest pages may still be there, so only the WAL-less file must
    # be whole.
    if not _has_wal(path) and (size % page_size or (pages_valid and pages * page_size > size)):
        raise _truncated(path)
    version = int.from_bytes(head[60:64], "big", signed=True)
    if version > SCHEMA_VERSION:
        raise _newer(path, version)
    return _Found(version, wal_mode=head[18] == 2)


def _problem(path: Path, exc: BaseException) -> DepartmentFileError:
    """The clerk's version of an SQLite error."""
    orig = getattr(exc, "orig", None) or exc  # SQLAlchemy wraps the sqlite3 error
    name = getattr(orig, "sqlite_errorname", "") or ""
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
        return DepartmentFileError(path, "正被其他程序使用（可能在另一个窗口中打开着），请稍后再试", Problem.LOCKED)
    if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")):
        return DepartmentFileError(path, "已损坏，无法读取；请使用备份", Problem.CORRUPT)
    if name.startswith("SQLITE_FULL"):
        return DepartmentFileError(path, "无法保存：磁盘已满", Problem.IO)
    if name.startswith("SQLITE_READONLY"):
        return DepartmentFileError(path, "无法保存：文件或所在文件夹是只读的", Problem.READONLY)
    return DepartmentFileError(path, f"读写出错（{orig}）", Problem.IO)


def _connect_for_reading(path: Path, found: _Found) -> sqlite3.Connection:
    """A connection that cannot change the file and leaves nothing behind next to it."""
    if found.wal_mode and not _sidecar(path, "-wal").exists():
        if os.access(path, os.W_OK) and os.access(path.parent, os.W_OK):
            # mode=ro on a WAL file would create -wal/-shm files it cannot remove; a read-write
            # connection removes them on close, and query_only keeps it from writing anything.
            uri = _uri(path, mode="rw")
        else:
            # Read-only medium and no WAL: nothing can change the file, so no locking is needed.
            uri = _uri(path, mode="ro", immutable="1")
    else:
        uri = _uri(path, mode="ro")
    conn = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT, isolation_level=None)
    try:
        conn.execute("PRAGMA query_only = ON")
        conn.execute("PRAGMA trusted_schema = OFF")  # a file from elsewhere runs no functions
    except sqlite3.Error:
        conn.close()
        raise
    return conn


def _check_shape(path: Path, conn: sqlite3.Connection, version: int) -> None:
    """The tables (and, for the current version, the columns) that a file of ``version`` has."""
    objects = conn.execute("SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'").fetchall()
    if any(kind in ("trigger", "view") for kind, _ in objects):
        # We never create them; one arriving with the file could act on our writes.
        raise _not_ours(path, "（含有本软件不会创建的触发器或视图）")
    tables = {name for kind, name in objects if kind == "table"}
    if migrations.TABLES[version] - tables:
        raise _not_ours(path, "（缺少数据表）")
    if version == SCHEMA_VERSION:
        for table in Base.metadata.sorted_tables:
            have = {r[0] for r in conn.execute("SELECT name FROM pragma_table_info(?)", (table.name,))}
            if {c.name for c in table.columns} - have:
                raise _not_ours(path, f"（数据表 {table.name} 的结构不对）")


def _inspect(path: Path) -> _Found:
    """Everything that can refuse a file, done on a connection that writes nothing."""
    found = _read_header(path)
    try:
        conn = _connect_for_reading(path, found)
    except sqlite3.Error as e:
        raise _problem(path, e) from None
    try:
        if conn.execute("PRAGMA application_id").fetchone()[0] != APPLICATION_ID:
            raise _not_ours(path, "（是其他软件的数据库）")
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise _newer(path, version)
        if version < 1:
            raise _not_ours(path)
        if conn.execute("PRAGMA quick_check").fetchall() != [("ok",)]:
            raise DepartmentFileError(path, "已损坏（完整性检查未通过），无法打开；请使用备份", Problem.CORRUPT)
        _check_shape(path, conn, version)
        return _Found(version, found.wal_mode)
    except sqlite3.Error as e:
        raise _problem(path, e) from None
    finally:
        conn.close()


# ── upgrading an older file ────────────────────────────────────────────────
def _backup(path: Path, found: _Found) -> Path:
    """Copy the file as it is to ``<name>.bak-v<version>`` (a new name if that exists)."""
    target = _sidecar(path, f".bak-v{found.version}")
    n = 2
    while target.exists():
        target = _sidecar(path, f".bak-v{found.version}-{n}")
        n += 1
    partial = _sidecar(target, ".part")
    try:
        src = _connect_for_reading(path, found)
        try:
            if _has_wal(path):
                # Part of the file is still in its -wal: SQLite's backup copies what a reader
                # sees, which a copy of the file alone would miss.
                dst = sqlite3.connect(partial)
                try:
                    src.backup(dst)
                finally:
                    dst.close()
            else:
                # The usual case: a byte-for-byte copy (with its date), taken under a read
                # transaction so no other program can change the file while it is copied.
                src.execute("BEGIN")
                src.execute("SELECT count(*) FROM sqlite_master").fetchone()
                shutil.copy2(path, partial)
                src.execute("COMMIT")
        finally:
            src.close()
        os.replace(partial, target)
    except (OSError, sqlite3.Error) as e:
        partial.unlink(missing_ok=True)
        raise DepartmentFileError(path, f"需要升级文件格式，但无法先做备份（{e}），文件没有改动", Problem.IO) from None
    return target


def _upgrade(path: Path, conn: sqlite3.Connection, version: int) -> None:
    """Run the migration steps in one transaction; on any failure the file is left as it was."""
    # Rebuilding a table drops the one the per-year rows refer to; the ids are kept and
    # foreign_key_check below proves every reference still holds before anything is committed.
    conn.execute("PRAGMA foreign_keys = OFF")
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.Error as e:
        raise _problem(path, e) from None
    try:
        migrations.upgrade(conn, version)
        if conn.execute("PRAGMA foreign_key_check").fetchall():
            raise DepartmentFileError(path, "升级文件格式后数据关联不一致", Problem.MIGRATION)
        _check_shape(path, conn, SCHEMA_VERSION)
        conn.execute("COMMIT")
    except Exception as e:
        if conn.in_transaction:  # SQLite may already have rolled back (disk full, I/O error)
            conn.execute("ROLLBACK")
        if isinstance(e, DepartmentFileError):
            raise
        raise DepartmentFileError(path, f"升级文件格式失败（{e}），文件没有改动", Problem.MIGRATION) from None
    finally:
        conn.execute("PRAGMA foreign_keys = ON")


def _upgrade_file(path: Path, found: _Found) -> None:
    conn = sqlite3.connect(_uri(path, mode="rw"), uri=True, timeout=BUSY_TIMEOUT, isolation_level=None)
    try:
        conn.execute("PRAGMA trusted_schema = OFF")
        _upgrade(path, conn, found.version)
    except sqlite3.Error as e:
        raise _problem(path, e) from None
    finally:
        conn.close()


def _upgraded_copy(path: Path, found: _Found) -> sqlite3.Connection:
    """Read-only opening of an older file: upgrade a copy in memory, never the file."""
    mem = sqlite3.connect(":memory:", isolation_level=None)
    try:
        src = _connect_for_reading(path, found)
        try:
            src.backup(mem)
        finally:
            src.close()
        _upgrade(path, mem, found.version)
        mem.execute("PRAGMA query_only = ON")
    except sqlite3.Error as e:
        mem.close()
        raise _problem(path, e) from None
    except DepartmentFileError:
        mem.close()
        raise
    return mem


# ── the open file ──────────────────────────────────────────────────────────
def _now() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")


def _check_amount(value: object) -> None:
    if not isinstance(value, Decimal) or not value.is_finite():
        raise AmountError(f"“{value}”不是可以保存的金额")


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


def _prepared() -> dict[str, Any]:
    """The per-edit statements, built once: building a statement costs more than running it.

    They are Core statements on the tables (not the ORM classes) with bound parameters, so an
    edit is a dictionary of values and a cached compiled statement, nothing else.
    """
    years, cells, priors = DepartmentYear.__table__, CellValue.__table__, PriorValue.__table__
    rows, texts = CodedRow.__table__, NarrativeText.__table__
    out: dict[str, Any] = {
        "touch": update(years).where(years.c.year == bindparam("y")).values(updated_at=bindparam("now"))
        .returning(years.c.id),
    }
    for name, table in (("cell", cells), ("prior", priors)):
        stmt = upsert(table)
        out[f"put_{name}"] = stmt.on_conflict_do_update(
            index_elements=["year_id", "table_no", "row_key", "col_no"], set_={"amount": stmt.excluded.amount}
        )
        out[f"clear_{name}"] = delete(table).where(
            table.c.year_id == bindparam("year_id"), table.c.table_no == bindparam("table_no"),
            table.c.row_key == bindparam("row_key"), table.c.col_no == bindparam("col_no"),
        )
    stmt = upsert(rows)
    out["put_row"] = stmt.on_conflict_do_update(
        index_elements=["year_id", "table_no", "code"], set_={"name": stmt.excluded.name}
    )
    out["drop_row"] = delete(rows).where(
        rows.c.year_id == bindparam("year_id"), rows.c.table_no == bindparam("table_no"),
        rows.c.code == bindparam("code"),
    )
    out["drop_row_values"] = delete(cells).where(
        cells.c.year_id == bindparam("year_id"), cells.c.table_no == bindparam("table_no"),
        cells.c.row_key == bindparam("code"),
    )
    stmt = upsert(texts)
    out["put_text"] = stmt.on_conflict_do_update(index_elements=["year_id", "key"], set_={"text": stmt.excluded.text})
    out["clear_text"] = delete(texts).where(texts.c.year_id == bindparam("year_id"), texts.c.key == bindparam("key"))
    return out


_SQL = _prepared()


class DepartmentFile:
    """An open department file. Use `create` or `open`, and close it (``with`` does)."""

    def __init__(self, path: Path, dbapi: sqlite3.Connection, *, readonly: bool,
                 migrated_from: int | None = None, backup_path: Path | None = None) -> None:
        self.path = path
        self.readonly = readonly
        #: The schema version the file had if opening upgraded it, and where the copy went.
        self.migrated_from = migrated_from
        self.backup_path = backup_path
        self.journal_mode = dbapi.execute("PRAGMA journal_mode").fetchone()[0]
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
            raise _not_ours(path, "（这是一个文件夹）")
        if path.exists() and not overwrite:
            raise DepartmentFileError(path, "已存在，没有覆盖它", Problem.EXISTS)
        if not path.parent.is_dir():
            raise DepartmentFileError(path, "所在的文件夹不存在", Problem.MISSING)
        # Built under a temporary name and renamed into place: the file appears whole or not at all.
        partial = _sidecar(path, f".{os.getpid()}.part")
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
                    # Our own integer constants; PRAGMA takes no bound parameters.
                    conn.exec_driver_sql(f"PRAGMA application_id = {APPLICATION_ID:d}")
                    conn.exec_driver_sql(f"PRAGMA user_version = {SCHEMA_VERSION:d}")
                conn.close()
            finally:
                dbapi.close()
            if overwrite:
                # A stale -wal left by the replaced file would be replayed into the new one.
                for old in [path, *(_sidecar(path, s) for s in _SIDECARS)]:
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
        found = _inspect(path)
        old = found.version if found.version < SCHEMA_VERSION else None
        backup = None
        try:
            if old is not None and readonly:
                dbapi = _upgraded_copy(path, found)
            elif readonly:
                dbapi = _connect_for_reading(path, found)
            else:
                lock = WriterLock(path)
                try:
                    lock.acquire()
                except Held as e:
                    raise DepartmentFileError(path, f"{e}，只能以只读方式打开", Problem.LOCKED, e.holder) from None
                try:
                    if old is not None:
                        backup = _backup(path, found)
                        _upgrade_file(path, found)
                    dbapi = cls._connect_writable(path)
                except BaseException:
                    lock.release()
                    raise
        except sqlite3.Error as e:
            raise _problem(path, e) from None
        f = cls(path, dbapi, readonly=readonly, migrated_from=old, backup_path=backup)
        f._lock = None if readonly else lock
        return f

    @staticmethod
    def _connect_writable(path: Path) -> sqlite3.Connection:
        # mode=rw: never create a file that has gone missing since it was checked.
        conn = sqlite3.connect(_uri(path, mode="rw"), uri=True, timeout=BUSY_TIMEOUT, isolation_level=None)
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
                raise _problem(self.path, e) from None

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
            raise _problem(self.path, e) from None

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
            raise _problem(self.path, e) from None
        finally:
            self._begin = "BEGIN"
        if time.monotonic() - self._synced >= SYNC_SECONDS:
            self.flush()

    def _no_year(self, year: int) -> DepartmentFileError:
        return DepartmentFileError(self.path, f"中没有 {year} 年度的数据", Problem.NO_YEAR)

    def _touch(self, conn: Connection, year: int) -> int:
        """The year's id, marking it changed now; the year must exist."""
        year_id = conn.execute(_SQL["touch"], {"y": year, "now": _now()}).scalar()
        if year_id is None:
            raise self._no_year(year)
        return year_id

    # ── the department ─────────────────────────────────────────────────────
    def department(self) -> tuple[str, str]:
        """(name, code) of the department."""
        with self._reading() as c:
            return self._department(c)

    @staticmethod
    def _department(conn: Connection) -> tuple[str, str]:
        row = conn.execute(select(Department.name, Department.code).where(Department.id == 1)).first()
        return (row[0], row[1]) if row else ("", "")

    @staticmethod
    def _put_department(conn: Connection, name: str, code: str) -> None:
        stmt = upsert(Department).values(id=1, name=name, code=code)
        conn.execute(stmt.on_conflict_do_update(
            index_elements=[Department.id], set_={"name": stmt.excluded.name, "code": stmt.excluded.code}
        ))

    def set_department(self, name: str, code: str = "") -> None:
        with self._writing() as c:
            self._put_department(c, name, code)

    # ── whole years ────────────────────────────────────────────────────────
    def years(self) -> list[int]:
        with self._reading() as c:
            return list(c.execute(select(DepartmentYear.year).order_by(DepartmentYear.year)).scalars())

    def load(self, year: int) -> Workbook:
        """The year as it was saved and edited: figures, coded rows, texts, last year's figures.

        A year with no 上年数 of its own (both years imported from Excel, say) takes the previous
        year's figures in this file, as 新建年度 would have carried them over."""
        try:
            with self._reading() as c:
                found = c.execute(
                    select(DepartmentYear.id, DepartmentYear.template_id).where(DepartmentYear.year == year)
                ).first()
                if found is None:
                    raise self._no_year(year)
                year_id, template_id = found
                name, code = self._department(c)
                values = self._amounts(c, CellValue, year_id)
                prior = self._amounts(c, PriorValue, year_id)
                if not prior:
                    before = c.execute(select(DepartmentYear.id).where(DepartmentYear.year == year - 1)).scalar()
                    if before is not None:
                        prior = self._amounts(c, CellValue, before)
                coded: dict[str, dict[str, str]] = {}
                for table, row_code, row_name in c.execute(
                    select(CodedRow.table_no, CodedRow.code, CodedRow.name)
                    .where(CodedRow.year_id == year_id)
                    .order_by(CodedRow.table_no, CodedRow.code)
                ):
                    coded.setdefault(table, {})[row_code] = row_name
                texts = {k: t for k, t in c.execute(
                    select(NarrativeText.key, NarrativeText.text).where(NarrativeText.year_id == year_id)
                )}
        except StoredAmountError as e:
            raise DepartmentFileError(
                self.path, f"的 {year} 年度有一个金额“{e}”无法识别，文件可能被其他程序改动过", Problem.CORRUPT
            ) from None
        try:
            template = get_template(template_id)
        except TemplateError:
            raise DepartmentFileError(
                self.path, f"的 {year} 年度使用报表模板“{template_id}”，本软件没有这个模板，请升级本软件",
                Problem.TEMPLATE,
            ) from None
        # Like Workbook.new: every coded table of the template has its (possibly empty) row set.
        for spec in template.tables.values():
            if spec.coded:
                coded.setdefault(spec.no, {})
        return Workbook(template, year, name, code, values, coded, texts, prior)

    @staticmethod
    def _amounts(conn: Connection, model: type[CellValue] | type[PriorValue], year_id: int) -> dict[Cell, Decimal]:
        rows = conn.execute(
            select(model.table_no, model.row_key, model.col_no, model.amount).where(model.year_id == year_id)
        )
        return {Cell(table, row, col): amount for table, row, col, amount in rows}

    def save(self, workbook: Workbook) -> None:
        """Add the workbook's year, or replace that year entirely, in one transaction.

        The department's name and code are the file's, one for all years: a workbook that
        carries them (non-empty) updates them; an empty one leaves them as they are.
        """
        for value in chain(workbook.values.values(), workbook.prior.values()):
            _check_amount(value)
        now = _now()
        with self._writing() as c:
            year_id = c.execute(select(DepartmentYear.id).where(DepartmentYear.year == workbook.year)).scalar()
            if year_id is None:
                year_id = c.execute(
                    insert(DepartmentYear)
                    .values(year=workbook.year, template_id=workbook.template.id, created_at=now, updated_at=now)
                    .returning(DepartmentYear.id)
                ).scalar_one()
            else:
                c.execute(update(DepartmentYear).where(DepartmentYear.id == year_id)
                          .values(template_id=workbook.template.id, updated_at=now))
                for model in (CellValue, CodedRow, NarrativeText, PriorValue):
                    c.execute(delete(model).where(model.year_id == year_id))
            for model, amounts in ((CellValue, workbook.values), (PriorValue, workbook.prior)):
                if amounts:
                    c.execute(insert(model), [
                        {"year_id": year_id, "table_no": cell.table, "row_key": cell.row, "col_no": cell.col,
                         "amount": amount}
                        for cell, amount in amounts.items()
                    ])
            coded = [{"year_id": year_id, "table_no": table, "code": code, "name": name}
                     for table, rows in workbook.coded.items() for code, name in rows.items()]
            if coded:
                c.execute(insert(CodedRow), coded)
            if workbook.texts:
                c.execute(insert(NarrativeText), [
                    {"year_id": year_id, "key": key, "text": text} for key, text in workbook.texts.items()
                ])
            if workbook.department or workbook.department_code:
                self._put_department(c, workbook.department, workbook.department_code)

    def delete_year(self, year: int) -> None:
        """Delete the year and everything in it (the rows go with it: ON DELETE CASCADE)."""
        with self._writing() as c:
            if c.execute(delete(DepartmentYear).where(DepartmentYear.year == year)).rowcount == 0:
                raise self._no_year(year)

    # ── single edits, each committed at once ───────────────────────────────
    def set_cell(self, year: int, cell: Cell, value: Decimal | None) -> None:
        """One figure of the year; ``None`` clears it."""
        self._set_amount("cell", year, cell, value)

    def set_cells(self, year: int, values: Mapping[Cell, Decimal | None], *, prior: bool = False) -> None:
        """Several figures of the year (``prior``: 上年数) in one transaction (a paste, a total and
        its parts): all of them reach the disk, or none."""
        for value in values.values():
            if value is not None:
                _check_amount(value)
        if not values:
            return
        kind = "prior" if prior else "cell"
        with self._writing() as c:
            year_id = self._touch(c, year)
            for cell, value in values.items():
                key = {"year_id": year_id, "table_no": cell.table, "row_key": cell.row, "col_no": cell.col}
                if value is None:
                    c.execute(_SQL[f"clear_{kind}"], key)
                else:
                    c.execute(_SQL[f"put_{kind}"], {**key, "amount": value})

    def set_prior(self, year: int, cell: Cell, value: Decimal | None) -> None:
        """Last year's figure for a cell (上年数); ``None`` clears it."""
        self._set_amount("prior", year, cell, value)

    def _set_amount(self, kind: str, year: int, cell: Cell, value: Decimal | None) -> None:
        if value is not None:
            _check_amount(value)
        with self._writing() as c:
            key = {"year_id": self._touch(c, year), "table_no": cell.table, "row_key": cell.row, "col_no": cell.col}
            if value is None:
                c.execute(_SQL[f"clear_{kind}"], key)
            else:
                c.execute(_SQL[f"put_{kind}"], {**key, "amount": value})

    def set_coded_row(self, year: int, table: str, code: str, name: str = "") -> None:
        """Add a classification row to a coded table, or rename it ('' = the catalog's name)."""
        with self._writing() as c:
            year_id = self._touch(c, year)
            c.execute(_SQL["put_row"], {"year_id": year_id, "table_no": table, "code": code, "name": name})

    def remove_coded_row(self, year: int, table: str, code: str) -> None:
        """Remove a classification row and its figures, as `Workbook.remove_code` does
        (last year's figures for the row stay: they belong to last year)."""
        with self._writing() as c:
            key = {"year_id": self._touch(c, year), "table_no": table, "code": code}
            c.execute(_SQL["drop_row"], key)
            c.execute(_SQL["drop_row_values"], key)

    def set_text(self, year: int, key: str, text: str | None) -> None:
        """A text of the year; ``None`` removes it ('' is kept as an empty text)."""
        with self._writing() as c:
            params = {"year_id": self._touch(c, year), "key": key}
            if text is None:
                c.execute(_SQL["clear_text"], params)
            else:
                c.execute(_SQL["put_text"], {**params, "text": text})


