"""The district's register of submissions (上报登记): SQLAlchemy statements on `models.district`.

Everything the district stores about departments goes through these functions, on a connection
the caller holds inside its transaction: registering a department, adding a submission with its
content and re-check findings, marking the one it replaces, and reading any of it back. They use
only Core statements on the tables, no SQL text and nothing SQLite-specific, so the same code can
run on a server database.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import cast

from sqlalchemy import Connection, Row, Table, bindparam, func, insert, select, update

from models.district import DistrictContent, DistrictDepartment, DistrictFinding, DistrictSubmission
from services.exchange.canonical import ENCODE, Content, digest_of, parse
from services.exchange.district_file import DistrictError
from services.exchange.gate import Submission

D, Sub = DistrictDepartment.__table__, DistrictSubmission.__table__
CONTENT, FINDINGS = DistrictContent.__table__, DistrictFinding.__table__


@dataclass(frozen=True)
class Current:
    id: int
    digest: str
    template_id: str
    sealed_at: str


# The statements of the consolidation's hot path, made once: building a Core statement and its
# cache key costs more than running it (a district consolidating ten thousand files runs each of
# these ten thousand times).
_REGISTER = insert(D).returning(D.c.id)
_RENAME = update(D).where(D.c.id == bindparam("d")).values(name=bindparam("new_name"))
_CURRENT = select(Sub.c.id, Sub.c.digest, Sub.c.template_id, Sub.c.sealed_at).where(
    Sub.c.department_id == bindparam("d"), Sub.c.year == bindparam("y"), Sub.c.replaced_at.is_(None))
_YEAR_TEMPLATE = select(Sub.c.template_id).where(Sub.c.year == bindparam("y"), Sub.c.replaced_at.is_(None)).limit(1)
_RETIRE = update(Sub).where(Sub.c.id == bindparam("s")).values(replaced_at=bindparam("at"))
_REPLACED_BY = update(Sub).where(Sub.c.id == bindparam("s")).values(replaced_by=bindparam("by"))
_ADD = insert(Sub).returning(Sub.c.id)


def register(c: Connection, key: str, code: str, name: str) -> int:
    """A department's first submission: its registration, and its id."""
    return c.execute(_REGISTER, {"key": key, "code": code, "name": name}).scalar_one()


def rename(c: Connection, dept_id: int, name: str) -> None:
    """A department's name follows its latest submission."""
    c.execute(_RENAME, {"d": dept_id, "new_name": name})


def current(c: Connection, dept_id: int, year: int) -> Current | None:
    row = c.execute(_CURRENT, {"d": dept_id, "y": year}).first()
    return Current(*row) if row else None


def year_template(c: Connection, year: int) -> str | None:
    """The template the year's current submissions were made on (all share one)."""
    return c.execute(_YEAR_TEMPLATE, {"y": year}).scalar()


class Pending:
    """The contents and findings of submissions stored but not yet written (the submission rows
    themselves are written at once): written a batch at a time, a statement per table, instead of
    two statements for each submission. The run writes them (`flush`) before it reads a stored
    content, every `BATCH` submissions and at its end."""

    BATCH = 64

    def __init__(self, c: Connection) -> None:
        self.c = c
        self.contents: list[dict[str, object]] = []
        self.findings: list[dict[str, object]] = []

    def add(self, sid: int, sub: Submission) -> None:
        self.contents.append({"submission_id": sid, "content": sub.content})
        self.findings += [
            {"submission_id": sid, "seq": i, "rule": f.rule, "severity": f.severity, "table_no": f.table,
             "row_label": f.row, "column_label": f.column, "message": f.message, "expected": f.expected,
             "actual": f.actual, "difference": f.difference, "possible_rounding": f.possible_rounding}
            for i, f in enumerate(sub.findings, 1)]
        if len(self.contents) >= self.BATCH:
            self.flush()

    def flush(self) -> None:
        from services.exchange.totals import insert_rows

        if self.contents:
            insert_rows(self.c, cast(Table, CONTENT), self.contents)
        if self.findings:
            insert_rows(self.c, cast(Table, FINDINGS), self.findings)
        self.contents, self.findings = [], []


def add(c: Connection, sub: Submission, dept_id: int, source: str, now: str, replaces: int | None,
        pending: Pending, newer: int | None = None) -> int:
    """Store an accepted submission; the one it ``replaces`` moves to the history. A submission
    sealed before the ``newer`` one the district holds goes straight to the history. Its content
    and findings are written with ``pending``'s batch."""
    m = sub.manifest
    if replaces is not None:  # first, so the "one current per department-year" index holds throughout
        c.execute(_RETIRE, {"s": replaces, "at": now})
    sid = c.execute(_ADD, {
        "replaced_at": now if newer is not None else None, "replaced_by": newer,
        "department_id": dept_id, "year": m.year, "department": m.department, "template_id": m.template_id,
        "digest": m.digest, "sealed_at": m.created_at, "received_at": now, "source": source,
        "app_version": m.app_version, "allow_errors": bool(m.allow_errors), "sealed_errors": m.errors,
        "sealed_warnings": m.warnings, "errors": sub.errors, "warnings": sub.warnings, "value_count": m.value_count,
    }).scalar_one()
    if replaces is not None:
        c.execute(_REPLACED_BY, {"s": replaces, "by": sid})
    pending.add(sid, sub)
    return sid


# ── reading back ───────────────────────────────────────────────────────────
class ContentError(DistrictError):
    """A stored submission's content does not match its digest: the district file was changed."""


def content(c: Connection, sub_id: int) -> Content:
    """A submission's content as sealed, after proving it is: its digest must still match."""
    row = c.execute(select(CONTENT.c.content, Sub.c.digest).join(Sub, Sub.c.id == CONTENT.c.submission_id)
                    .where(CONTENT.c.submission_id == sub_id)).one()
    try:
        raw = zlib.decompress(row.content)
        if digest_of(raw) != row.digest:
            raise ValueError("digest")
        return parse(raw)
    except (zlib.error, ValueError, UnicodeDecodeError):
        raise ContentError(f"区汇总文件中第 {sub_id} 号上报的内容与其校验码不符，区汇总文件可能已被改动或损坏") from None


def findings(c: Connection, sub_id: int) -> list[Row]:
    return list(c.execute(select(FINDINGS).where(FINDINGS.c.submission_id == sub_id).order_by(FINDINGS.c.seq)))


def current_ids(c: Connection, year: int) -> Iterator[int]:
    yield from c.execute(select(Sub.c.id).where(Sub.c.year == year, Sub.c.replaced_at.is_(None))).scalars()


def submissions(c: Connection, year: int | None = None, *, with_history: bool = False,
                key: str | None = None) -> list[Row]:
    """Submission rows joined with their department, the current one first within a department-year;
    each row also carries ``times``, how many submissions that department-year has had."""
    h = Sub.alias("h")
    times = (select(func.count()).where(h.c.department_id == Sub.c.department_id, h.c.year == Sub.c.year)
             .scalar_subquery())
    q = (select(Sub, D.c.key, D.c.code, D.c.name.label("department_name"), times.label("times"))
         .join(D, D.c.id == Sub.c.department_id))
    if year is not None:
        q = q.where(Sub.c.year == year)
    if key is not None:
        q = q.where(D.c.key == key)
    if not with_history:
        q = q.where(Sub.c.replaced_at.is_(None))
    # the current one first, then the history from the latest received
    return list(c.execute(q.order_by(Sub.c.year, D.c.name, D.c.key, Sub.c.replaced_at.is_not(None), Sub.c.id.desc())))


def contributions(c: Connection, year: int, table: str, row: str, col: int) -> list[tuple[int, Decimal]]:
    """(submission id, amount) of each current submission of ``year`` that fills the cell, in
    submission order. Each content is proved against its digest, then the cell is looked up in
    its 本年数 line as text, not parsed whole: a district of ten thousand answers in seconds."""
    needle = ENCODE([table, row, col])[:-1] + ',"'  # ["03","2010308",1,"  …amount"]
    out = []
    rows = c.execute(select(CONTENT.c.submission_id, CONTENT.c.content, Sub.c.digest)
                     .join(Sub, Sub.c.id == CONTENT.c.submission_id)
                     .where(Sub.c.year == year, Sub.c.replaced_at.is_(None)).order_by(Sub.c.id))
    for sid, packed, digest in rows:
        try:
            raw = zlib.decompress(packed)
            if digest_of(raw) != digest:
                raise ValueError("digest")
            line = raw.split(b"\n", 3)[2].decode("utf-8")  # the V line: ["V",[[table,row,col,"amount"],…]]
        except (zlib.error, ValueError, IndexError, UnicodeDecodeError):
            raise ContentError(f"区汇总文件中第 {sid} 号上报的内容与其校验码不符，区汇总文件可能已被改动或损坏") from None
        at = line.find(needle)
        if at >= 0:
            start = at + len(needle)
            out.append((sid, Decimal(line[start:line.index('"', start)])))
    return out
