"""The gate (上报文件检查): opening a submission that came from a machine the bureau does not control.

A district receives dozens to thousands of files, any of which may be damaged, hand-edited,
half-copied or built to do harm, so nothing about a submission is trusted until it has passed,
in this order (cheapest and safest first):

1. the file itself: a regular file no larger than `MAX_BYTES`, read once into memory, so what
   is checked is what is read and the file on disk is never opened by SQLite at all;
2. its 100-byte header, from those bytes: SQLite magic, our ``application_id`` (a department or
   district file is named as such), our format version (a newer one asks for an upgrade), a
   rollback-journal file (no WAL that an image would silently lack), and a page count that
   matches the size exactly (truncated or padded files are refused);
3. SQLite on a private in-memory copy (``deserialize``): no extension loading, no attached
   databases, ``trusted_schema=OFF``, ``query_only``, ``max_page_count`` at the file's size and a
   1 MB limit on any single value;
4. ``sqlite_master`` equal, row for row and character for character, to the frozen schema of
   `models.submission` (so no trigger, view, index or extra table can arrive);
5. the storage class of every column: amounts are text, never REAL or BLOB (``typeof`` on the
   small tables; the figures' values as they are read, in one pass per column);
6. the content (`services.exchange.content`): one manifest row, a template this program has,
   codes of 3/5/7 ASCII digits, tables/rows/columns the template has, every amount in the
   canonical form of `money` (one regular-expression pass over them all, property-tested
   against `money.parse_amount`), counts and the check summary matching the rows; then
   ``integrity_check`` (B-trees, indexes, NOT NULL);
7. the digest over the canonical content (`services.exchange.canonical`);
8. the whole department-year checked again by the engine: errors are accepted only when the
   clerk sealed them knowingly (强制上报, ``allow_errors``).

Anything that fails raises `Refused`, whose message is one line of Chinese for the bureau's clerk.
"""

from __future__ import annotations

import os
import sqlite3
import stat
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import Table, func, or_, select
from sqlalchemy.dialects import sqlite

from models import submission as S
from services.engine import check_workbook
from services.exchange.canonical import digest_of, serialise
from services.exchange.content import (
    BULK_TABLES,
    Manifest,
    Refused,
    SealedFinding,
    Submission,
    allowed_types,
    check_counts,
    manifest_fields,
    read_manifest,
    read_sealed,
    read_workbook,
    wrong_type,
)
from services.store import APPLICATION_ID as DEPARTMENT_APPLICATION_ID

__all__ = ["MAX_BYTES", "Manifest", "Refused", "SealedFinding", "Submission", "is_submission_file",
           "open_submission"]

#: A real submission is tens of kilobytes; anything larger is refused before it is read.
MAX_BYTES = 64 * 1024 * 1024
#: SQLITE_LIMIT_LENGTH: the longest single value (a text of the narrative is a few kilobytes).
MAX_VALUE_BYTES = 1024 * 1024

#: zlib level of the content a gate passes on (and the district keeps): fast, about 5× smaller.
CONTENT_COMPRESSION = 1

_MAGIC = b"SQLite format 3\x00"
#: The fixed inspection query of the gate; a constant, never built from data.
_SCHEMA_SQL = "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name"


# ── 1–2: the bytes and the header ──────────────────────────────────────────
def _read(path: Path) -> bytes:
    # Opened first and checked through the open handle, so the name cannot be swapped for a
    # device or a pipe in between; O_NONBLOCK keeps a pipe from blocking the open itself.
    flags = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
        with os.fdopen(fd, "rb") as f:
            st = os.fstat(f.fileno())
            if not stat.S_ISREG(st.st_mode):
                raise Refused("不是普通文件（可能是文件夹或设备）")
            if st.st_size > MAX_BYTES:
                raise Refused(f"文件过大（{st.st_size:,} 字节，上限 {MAX_BYTES // 2**20} MB），不是正常的上报文件")
            # the size it has, and one byte more to see it growing meanwhile (asking for MAX_BYTES
            # would allocate 64 MB for every file of a consolidation)
            data = f.read(st.st_size + 1)
    except IsADirectoryError:
        raise Refused("不是普通文件（可能是文件夹或设备）") from None
    except FileNotFoundError:
        raise Refused("找不到文件") from None
    except PermissionError:
        raise Refused("无法读取：没有权限，或正被其他程序占用") from None
    except OSError as e:
        raise Refused(f"无法读取（{e.strerror or e}）") from None
    if len(data) > MAX_BYTES:
        raise Refused(f"文件过大（上限 {MAX_BYTES // 2**20} MB），不是正常的上报文件")
    return data


def _check_header(data: bytes) -> int:
    """The page count, after everything the header alone can refuse."""
    if not data.startswith(_MAGIC):
        if data and _MAGIC.startswith(data):
            raise Refused("文件不完整（可能没有复制完或已被截断）")
        raise Refused("不是上报文件（不是本软件生成的数据文件）")
    if len(data) < 100:
        raise Refused("文件不完整（可能没有复制完或已被截断）")
    app = int.from_bytes(data[68:72], "big")
    if app == DEPARTMENT_APPLICATION_ID:
        raise Refused("这是部门数据文件或区汇总文件，不是上报文件；请部门用“生成上报文件”（submit）生成后再报送")
    if app != S.APPLICATION_ID:
        raise Refused("不是本软件的上报文件（是其他软件的数据库）")
    version = int.from_bytes(data[60:64], "big", signed=True)
    if version > S.FORMAT_VERSION:
        raise Refused(f"由更新版本的软件生成（上报文件格式 {version}，本软件支持到 {S.FORMAT_VERSION}），请升级本软件")
    if version != S.FORMAT_VERSION:
        raise Refused(f"上报文件格式版本不对（{version}），文件可能已被改动")
    page_size = int.from_bytes(data[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    if page_size < 512 or page_size & (page_size - 1):
        raise Refused("文件头已损坏（页大小无效）")
    if data[18] != 1 or data[19] != 1 or data[20] != 0:
        # We write rollback-journal files without reserved bytes; a WAL file's newest pages would
        # be in a -wal next to it, which the bureau never reads.
        raise Refused("文件格式异常（日志模式或保留字节不对），不是本软件生成的上报文件")
    if len(data) % page_size:
        raise Refused("文件不完整（大小不是整页，可能没有复制完或已被截断）")
    pages = len(data) // page_size
    declared = int.from_bytes(data[28:32], "big")
    if data[92:96] == data[24:28] and declared != pages:
        if declared > pages:
            raise Refused("文件不完整（可能没有复制完或已被截断）")
        raise Refused("文件末尾有多余的数据，不是本软件生成的上报文件")
    return pages


def is_submission_file(path: Path) -> bool:
    """Whether the file says it is a submission (magic and ``application_id``), for callers that
    accept several kinds of file; it proves nothing else: open it with `open_submission`."""
    try:
        with open(path, "rb") as f:
            head = f.read(100)
    except OSError:
        return False
    return len(head) == 100 and head.startswith(_MAGIC) and int.from_bytes(head[68:72], "big") == S.APPLICATION_ID


# ── 3–4: SQLite on a private copy, and the exact schema ────────────────────
def _connect(data: bytes, pages: int) -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:", isolation_level=None)
    try:
        if hasattr(conn, "enable_load_extension"):
            conn.enable_load_extension(False)
        conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)
        conn.setlimit(sqlite3.SQLITE_LIMIT_ATTACHED, 0)
        conn.setlimit(sqlite3.SQLITE_LIMIT_SQL_LENGTH, 100_000)
        conn.deserialize(data)
        conn.execute("PRAGMA trusted_schema = OFF")
        conn.execute("PRAGMA cell_size_check = ON")
        conn.execute(f"PRAGMA max_page_count = {int(pages):d}")  # an integer we computed
        conn.execute("PRAGMA query_only = ON")
    except BaseException:
        conn.close()
        raise
    return conn


@cache
def _expected_schema() -> tuple[tuple[str, str, str, str], ...]:
    ref = sqlite3.connect(":memory:")
    try:
        for ddl in S.DDL:
            ref.execute(ddl)
        return tuple(ref.execute(_SCHEMA_SQL).fetchall())
    finally:
        ref.close()


_KIND = {"table": "数据表", "index": "索引", "trigger": "触发器", "view": "视图"}


def _check_schema(conn: sqlite3.Connection) -> None:
    found = conn.execute(_SCHEMA_SQL).fetchall()
    expected = _expected_schema()
    if tuple(found) == expected:
        return
    want = {(t, n): sql for t, n, _, sql in expected}
    for kind, name, _, sql in found:
        if (kind, name) not in want:
            what = _KIND.get(kind, kind)
            raise Refused(f"含有上报文件格式之外的{what}“{name[:60]}”，不是本软件生成的上报文件，可能有害")
        if want[(kind, name)] != sql:
            raise Refused(f"数据表“{name}”的结构与上报文件格式不符，文件已被改动")
    missing = sorted(set(want) - {(t, n) for t, n, _, _ in found})
    raise Refused(f"缺少数据表“{missing[0][1] if missing else '?'}”，文件不完整或已被改动")


def _check_integrity(c: sqlite3.Connection) -> None:
    rows = c.execute("PRAGMA integrity_check(5)").fetchall()
    if rows != [("ok",)]:
        raise Refused(f"文件已损坏（完整性检查未通过：{str(rows[0][0])[:80]}）")


# ── 5: storage classes ─────────────────────────────────────────────────────
@cache
def _type_queries() -> list[tuple[Table, list[tuple[Any, tuple[str, ...]]], str]]:
    out = []
    for table in S.metadata.sorted_tables:
        if table in BULK_TABLES:
            continue  # checked on the rows as they are read (`content.read_workbook`), in one pass
        cols = allowed_types(table)
        stmt = (select(*[func.typeof(col) for col, _ in cols])
                .where(or_(*[func.typeof(col).not_in(kinds) for col, kinds in cols])).limit(1))
        # Compiled once to SQLite text (its only literals are our own type names): run per file
        # on the driver, it skips SQLAlchemy's per-statement work.
        sql = str(stmt.compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True}))
        out.append((table, cols, sql))
    return out


def _check_types(c: sqlite3.Connection) -> None:
    for table, cols, sql in _type_queries():
        bad = c.execute(sql).fetchone()
        if bad is not None:
            for (col, kinds), kind in zip(cols, bad):
                if kind not in kinds:
                    raise wrong_type(table, col.name, kind, kinds)


# ── the whole gate ─────────────────────────────────────────────────────────
@contextmanager
def _opened(data: bytes, pages: int) -> Iterator[sqlite3.Connection]:
    """The file's private in-memory copy, its schema proved; read on the driver itself (each file
    through a SQLAlchemy connection cost the gate a tenth of a millisecond's bookkeeping, every
    statement more: the gate's statements are compiled once, `content._select_sql`)."""
    dbapi = _connect(data, pages)
    try:
        _check_schema(dbapi)
        yield dbapi
    finally:
        dbapi.close()


def open_submission(path: Path) -> Submission:
    """A submission that passed every check, or `Refused` with the reason."""
    data = _read(path)
    pages = _check_header(data)
    try:
        with _opened(data, pages) as c:
            # Storage classes and every value first: their reasons are clearer than
            # integrity_check's, and on a damaged file a read fails as cleanly ("malformed").
            _check_types(c)
            m = read_manifest(c)
            wb, raw = read_workbook(c, m)
            sealed = read_sealed(c, m)
            _check_integrity(c)
    except sqlite3.Error as e:
        raise Refused(_sqlite_reason(e)) from None
    except UnicodeDecodeError:  # SQLite's message quoted bytes of a damaged schema, or a damaged text
        raise Refused("文件已损坏，无法读取") from None
    del data
    check_counts(m, raw)
    content = serialise(manifest_fields(m), raw["values"], raw["prior"], raw["coded"], raw["texts"],
                        [f.as_row() for f in sealed])
    if digest_of(content) != m.digest:
        raise Refused("内容与封存时的校验码不符：文件在生成（封存）之后被改动过，或已损坏")
    findings = check_workbook(wb)
    sub = Submission(path, m, zlib.compress(content, CONTENT_COMPRESSION), findings, wb)
    if sub.errors and not m.allow_errors:
        raise Refused(
            f"复核发现 {sub.errors} 个错误，但文件未声明强制上报；请部门用本软件审核改正后重新生成上报文件"
        )
    return sub


def _sqlite_reason(e: sqlite3.Error) -> str:
    name = getattr(e, "sqlite_errorname", "") or ""
    if name.startswith("SQLITE_TOOBIG"):
        return f"含有超长的数据（单个值超过 {MAX_VALUE_BYTES // 1024} KB），不是正常的上报文件"
    if "decode" in str(e):  # text that is not UTF-8: no program of ours wrote it
        return "文件已损坏或被改动（含有无效的文字编码）"
    if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")) or "malformed" in str(e):
        return "文件已损坏，无法读取"
    return f"文件无法读取（{str(e)[:80]}）"
