"""Where a district keeps its data (区汇总存储): a file for a county, a database server for a province.

A district is given as a path (``全区汇总.sqlite``, the default: `district_file`) or as a
PostgreSQL URL (``postgresql://user@host/db``). Either way the same statements run on a
SQLAlchemy connection: the department schema (`models.schema`: the 汇总 years, read by
`Repository`) and the district's own tables (`models.district`). This module is the only one
that knows which:

* `reading(target)` — the district opened to read: a `Repository` of its 汇总 years and a
  connection for the district tables;
* `writing(target, name, code)` — one transaction for a consolidation or a roster: everything is
  kept at the end, or nothing (`Transaction.abandon`). On a file it is built in a work copy that
  replaces the file in one rename; on a server it is one transaction, and concurrent writers to
  the same district wait for each other (an advisory lock), so they serialise safely.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Connection, insert, inspect, text
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from models.district import DISTRICT_SCHEMA_VERSION, KIND_DISTRICT, KIND_KEY, VERSION_KEY, create_district_tables
from models.schema import Base, Department, Meta
from services.exchange.district_file import DistrictError, WorkCopy, require_district
from services.exchange.district_file import reading as reading_file
from services.exchange.target import Target, is_server, label
from services.migrations import SCHEMA_VERSION
from services.store.repository import ConnectionRepository, Repository

#: the advisory lock every writer of a server district takes first ("JSGD", as the files' id)
LOCK_KEY = 0x4A534744
#: how long a connection to the server may take before the bureau is told it cannot be reached
CONNECT_TIMEOUT = 10

@dataclass
class Transaction:
    """One writer's transaction on a district: its connection, its 汇总 years, and whether to keep it."""

    conn: Connection
    years: Repository
    kept: bool = field(default=True)

    def abandon(self) -> None:
        """Keep nothing of this transaction (a refused file, or nothing new)."""
        self.kept = False


# ── reading ────────────────────────────────────────────────────────────────
@contextmanager
def reading(target: Target) -> Iterator[tuple[Repository, Connection]]:
    """The district opened to read. Run statements on the connection inside ``with conn.begin():``;
    call the repository's own methods (``load``, ``years``) outside such a block."""
    if not is_server(target):
        with reading_file(Path(target)) as (f, conn):
            yield f, conn
        return
    with _server(str(target)) as conn:
        with conn.begin():
            if not inspect(conn).has_table(Meta.__tablename__):
                raise DistrictError(f"数据库 {label(target)} 中还没有区汇总数据")
            require_district(label(target), conn)
            # a district made by an older version lacks the 出错说明 table its years are read with:
            # added empty (a file is upgraded when opened; a server database only gains tables)
            Base.metadata.create_all(conn)
        yield ConnectionRepository(conn, label(target)), conn


def is_district(target: Target) -> bool:
    """Whether ``target`` is a district (a server URL always is meant as one)."""
    if is_server(target):
        return True
    from services.exchange.district_file import is_district_file

    return is_district_file(Path(target))


# ── writing ────────────────────────────────────────────────────────────────
@contextmanager
def writing(target: Target, name: str, code: str = "") -> Iterator[Transaction]:
    """One transaction on the district (created, named ``name``, when there is none yet)."""
    if is_server(target):
        with _server(str(target)) as conn:
            try:
                with conn.begin() as tx:
                    conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": LOCK_KEY})
                    _ensure_server_district(conn, label(target), name, code)
                    t = Transaction(conn, ConnectionRepository(conn, label(target), in_transaction=True))
                    yield t
                    if not t.kept:
                        tx.rollback()
            except DBAPIError as e:
                raise DistrictError(f"数据库 {label(target)} 读写出错（{_reason(e)}），本次没有写入") from None
        return
    work = WorkCopy(Path(target), name, code)
    work.start()
    try:
        conn = work.connect()
        try:
            with conn.begin() as tx:
                t = Transaction(conn, ConnectionRepository(conn, Path(target).name, in_transaction=True))
                yield t
                if not t.kept:
                    tx.rollback()
        finally:
            conn.close()
            conn.engine.dispose()
        if t.kept:
            work.commit()
        else:
            work.discard()
    except BaseException:
        work.discard()
        raise


def _ensure_server_district(conn: Connection, where: str, name: str, code: str) -> None:
    """The tables of a district on a server, created in an empty database; refuse anything else."""
    if inspect(conn).has_table(Meta.__tablename__):
        require_district(where, conn)
        # adds only what a later version added (the department schema's too: 出错说明)
        Base.metadata.create_all(conn)
        create_district_tables(conn)
        return
    if inspect(conn).get_table_names():
        raise DistrictError(f"数据库 {where} 中已有其他数据表，不是区汇总数据库；请使用一个空数据库")
    Base.metadata.create_all(conn)
    create_district_tables(conn)
    from services.store.opening import APP_NAME
    from services.store.repository import _now

    conn.execute(insert(Meta), [
        {"key": "app", "value": APP_NAME}, {"key": "schema_version", "value": str(SCHEMA_VERSION)},
        {"key": "created_at", "value": _now()}, {"key": KIND_KEY, "value": KIND_DISTRICT},
        {"key": VERSION_KEY, "value": str(DISTRICT_SCHEMA_VERSION)},
    ])
    conn.execute(insert(Department).values(id=1, name=name, code=code))


# ── the server ─────────────────────────────────────────────────────────────
def _driver_url(url: str) -> str:
    for scheme in ("postgresql://", "postgres://"):
        if url.startswith(scheme):
            return "postgresql+psycopg://" + url[len(scheme):]
    return url


@contextmanager
def _server(url: str) -> Iterator[Connection]:
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    try:
        engine = create_engine(_driver_url(url), poolclass=NullPool, connect_args={"connect_timeout": CONNECT_TIMEOUT})
        conn = engine.connect()
    except (SQLAlchemyError, ImportError, ValueError) as e:
        raise DistrictError(f"无法连接数据库 {label(url)}（{_reason(e)}）") from None
    try:
        yield conn
    finally:
        conn.close()
        engine.dispose()


def _reason(e: BaseException) -> str:
    """The server's own sentence, first line only (it may be English: the server's locale)."""
    orig = getattr(e, "orig", None) or e
    return (str(orig).strip().splitlines() or [type(orig).__name__])[0][:200]
