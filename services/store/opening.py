"""Opening a department file: looking at it before trusting it, and upgrading an older one.

Everything that can refuse a file (not ours, newer, truncated, damaged, with triggers or views it
should not have) is done on a connection that writes nothing; an older file is copied to
``<name>.bak-v<old>`` and upgraded in one transaction by the steps in `services.migrations`.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from models.schema import Base
from services import migrations, product
from services.migrations import SCHEMA_VERSION
from services.store.errors import DepartmentFileError, Problem

#: ``PRAGMA application_id``: "JSGD" (决算公开) at offset 68 of the SQLite header marks our files.
APPLICATION_ID = 0x4A534744
APP_NAME = product.NAME
#: Seconds to wait while another program holds the write lock before saying the file is locked.
BUSY_TIMEOUT = 5.0

_MAGIC = b"SQLite format 3\x00"
SIDECARS = ("-wal", "-shm", "-journal")


@dataclass(frozen=True)
class Found:
    version: int
    wal_mode: bool


def sidecar(path: Path, suffix: str) -> Path:
    return path.with_name(path.name + suffix)


def _has_wal(path: Path) -> bool:
    try:
        return sidecar(path, "-wal").stat().st_size > 0
    except OSError:
        return False


def uri(path: Path, **params: str) -> str:
    # as_uri() percent-encodes, so Chinese names, spaces, '#' and '?' reach SQLite intact.
    return path.resolve().as_uri() + "?" + "&".join(f"{k}={v}" for k, v in params.items())


def _truncated(path: Path) -> DepartmentFileError:
    return DepartmentFileError(path, "不完整（可能没有复制完或已被截断），无法打开", Problem.CORRUPT)


def not_ours(path: Path, detail: str = "") -> DepartmentFileError:
    return DepartmentFileError(path, f"不是本软件的数据文件{detail}", Problem.NOT_OURS)


def _newer(path: Path, version: int) -> DepartmentFileError:
    return DepartmentFileError(
        path,
        f"由更新版本的软件创建，请升级本软件（文件格式 {version}，本软件支持到 {SCHEMA_VERSION}）",
        Problem.NEWER,
    )


def _read_header(path: Path) -> Found:
    """Refuse what is plainly not our file from its first 100 bytes, without SQLite touching it."""
    try:
        if path.is_dir():
            raise not_ours(path, "（这是一个文件夹）")
        if path.exists() and not path.is_file():  # a pipe would block the open, a device read forever
            raise not_ours(path, "（不是普通文件，可能是管道或设备）")
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
        raise not_ours(path)
    if len(head) < 100:
        raise _truncated(path)
    if int.from_bytes(head[68:72], "big") != APPLICATION_ID:
        raise not_ours(path, "（是其他软件的数据库）")
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
    return Found(version, wal_mode=head[18] == 2)


def problem(path: Path, exc: BaseException) -> DepartmentFileError:
    """The clerk's version of an SQLite error."""
    orig = getattr(exc, "orig", None) or exc  # SQLAlchemy wraps the sqlite3 error
    name = getattr(orig, "sqlite_errorname", "") or ""
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
        return DepartmentFileError(path, "正被其他程序使用（可能在另一个窗口中打开着），请稍后再试", Problem.LOCKED)
    if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")):
        return DepartmentFileError(path, "已损坏，无法读取；请使用备份", Problem.CORRUPT)
    if "decode" in str(orig):  # a name or text whose bytes are not UTF-8: damaged, or not ours
        return DepartmentFileError(path, "已损坏（含有无效的文字编码），无法读取；请使用备份", Problem.CORRUPT)
    if name.startswith("SQLITE_NOMEM") or isinstance(orig, MemoryError):
        return DepartmentFileError(path, "无法读取：内存不足（请关闭其他程序后再试）", Problem.IO)
    if name.startswith("SQLITE_FULL"):
        return DepartmentFileError(path, "无法保存：磁盘已满", Problem.IO)
    if name.startswith("SQLITE_READONLY"):
        return DepartmentFileError(path, "无法保存：文件或所在文件夹是只读的", Problem.READONLY)
    return DepartmentFileError(path, f"读写出错（{orig}）", Problem.IO)


def connect_for_reading(path: Path, found: Found) -> sqlite3.Connection:
    """A connection that cannot change the file and leaves nothing behind next to it."""
    writable = os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)
    if found.wal_mode and writable:
        # mode=ro on a WAL file creates -wal/-shm files it cannot remove, and cannot remove the
        # ones a writer (a window) leaves when it closes first; a read-write connection removes
        # them when it is the last to close (folding in only what the writer committed), and
        # query_only keeps it from writing anything of its own.
        address = uri(path, mode="rw")
    elif found.wal_mode and not sidecar(path, "-wal").exists():
        # Read-only medium and no WAL: nothing can change the file, so no locking is needed.
        address = uri(path, mode="ro", immutable="1")
    else:
        address = uri(path, mode="ro")
    conn = sqlite3.connect(address, uri=True, timeout=BUSY_TIMEOUT, isolation_level=None)
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
        raise not_ours(path, "（含有本软件不会创建的触发器或视图）")
    tables = {name for kind, name in objects if kind == "table"}
    if migrations.TABLES[version] - tables:
        raise not_ours(path, "（缺少数据表）")
    if version == SCHEMA_VERSION:
        for table in Base.metadata.sorted_tables:
            have = {r[0] for r in conn.execute("SELECT name FROM pragma_table_info(?)", (table.name,))}
            if {c.name for c in table.columns} - have:
                raise not_ours(path, f"（数据表 {table.name} 的结构不对）")


def _storage_classes() -> list[tuple[str, str, str]]:
    """(table, column, SQLite storage class) our writer gives every column: integers for ids,
    years and 栏次, text for everything else (amounts are canonical text)."""
    out = []
    for table in Base.metadata.sorted_tables:
        for col in table.columns:
            try:
                kind = "integer" if col.type.python_type is int else "text"
            except NotImplementedError:
                continue
            out.append((table.name, col.name, kind))
    return out


def _check_types(path: Path, conn: sqlite3.Connection) -> None:
    """Every value of the storage class we write (a year stored as text, an amount as a REAL NaN
    are another program's doing), and every year a plausible one; one scan per table."""
    by_table: dict[str, list[tuple[str, str]]] = {}
    for table, col, kind in _storage_classes():
        by_table.setdefault(table, []).append((col, kind))
    for table, cols in by_table.items():
        # names from our own schema, never from the file
        cond = " OR ".join(f'typeof("{c}") NOT IN (\'{k}\', \'null\')' for c, k in cols)
        bad = conn.execute(f'SELECT 1 FROM "{table}" WHERE {cond} LIMIT 1').fetchone()
        if bad is not None:
            raise DepartmentFileError(path, f"已损坏或被其他程序改动过（数据表 {table} 中有类型不对的值），无法打开；请使用备份",
                                      Problem.CORRUPT)
    bad = conn.execute("SELECT year FROM department_year WHERE year NOT BETWEEN 1900 AND 2200 LIMIT 1").fetchone()
    if bad is not None:
        raise DepartmentFileError(path, f"已损坏或被其他程序改动过（年度“{str(bad[0])[:20]}”无效），无法打开；请使用备份",
                                  Problem.CORRUPT)


def inspect(path: Path) -> Found:
    """Everything that can refuse a file, done on a connection that writes nothing."""
    found = _read_header(path)
    try:
        conn = connect_for_reading(path, found)
    except sqlite3.Error as e:
        raise problem(path, e) from None
    try:
        if conn.execute("PRAGMA application_id").fetchone()[0] != APPLICATION_ID:
            raise not_ours(path, "（是其他软件的数据库）")
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise _newer(path, version)
        if version < 1:
            raise not_ours(path)
        # The full integrity_check, not quick_check: only it compares every index with its
        # table, which is how a swapped or overwritten page that moves or changes figures shows
        # (about 40 ms on a 600-项 file of three years, against 6 ms; benchmarks/bench_hostile.py).
        if conn.execute("PRAGMA integrity_check(1)").fetchall() != [("ok",)]:
            raise DepartmentFileError(path, "已损坏（完整性检查未通过），无法打开；请使用备份", Problem.CORRUPT)
        _check_shape(path, conn, version)
        if version == SCHEMA_VERSION:
            _check_types(path, conn)
        return Found(version, found.wal_mode)
    except sqlite3.Error as e:
        raise problem(path, e) from None
    except UnicodeDecodeError:  # SQLite's message quoted damaged bytes, or a damaged name
        raise DepartmentFileError(path, "已损坏（含有无效的文字编码），无法打开；请使用备份", Problem.CORRUPT) from None
    finally:
        conn.close()


# ── upgrading an older file ────────────────────────────────────────────────
def backup(path: Path, found: Found) -> Path:
    """Copy the file as it is to ``<name>.bak-v<version>`` (a new name if that exists)."""
    target = sidecar(path, f".bak-v{found.version}")
    n = 2
    while target.exists():
        target = sidecar(path, f".bak-v{found.version}-{n}")
        n += 1
    partial = sidecar(target, ".part")
    try:
        src = connect_for_reading(path, found)
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
        raise problem(path, e) from None
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


def upgrade_file(path: Path, found: Found) -> None:
    conn = sqlite3.connect(uri(path, mode="rw"), uri=True, timeout=BUSY_TIMEOUT, isolation_level=None)
    try:
        conn.execute("PRAGMA trusted_schema = OFF")
        _upgrade(path, conn, found.version)
    except sqlite3.Error as e:
        raise problem(path, e) from None
    finally:
        conn.close()


def upgraded_copy(path: Path, found: Found) -> sqlite3.Connection:
    """Read-only opening of an older file: upgrade a copy in memory, never the file."""
    mem = sqlite3.connect(":memory:", isolation_level=None)
    try:
        src = connect_for_reading(path, found)
        try:
            src.backup(mem)
        finally:
            src.close()
        _upgrade(path, mem, found.version)
        mem.execute("PRAGMA query_only = ON")
    except sqlite3.Error as e:
        mem.close()
        raise problem(path, e) from None
    except DepartmentFileError:
        mem.close()
        raise
    return mem
