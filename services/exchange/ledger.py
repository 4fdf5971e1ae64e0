"""The district's register of submissions (上报登记): SQLAlchemy statements on `models.district`.

Everything the district stores about departments goes through these functions, on a connection
the caller holds inside its transaction: registering a department, adding a submission with its
content and re-check findings, marking the one it replaces, and reading any of it back. They use
only Core statements on the tables, no SQL text and nothing SQLite-specific, so the same code can
run on a server database.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any

from sqlalchemy import Connection, Dialect, Row, Table, func, insert, select, update

from models.district import (
    DistrictCell,
    DistrictCodedRow,
    DistrictDepartment,
    DistrictFinding,
    DistrictPrior,
    DistrictSubmission,
    DistrictText,
)
from services.exchange.gate import Submission
from services.workbook import Cell

D, Sub = DistrictDepartment.__table__, DistrictSubmission.__table__
CELLS, PRIORS = DistrictCell.__table__, DistrictPrior.__table__
CODED, TEXTS, FINDINGS = DistrictCodedRow.__table__, DistrictText.__table__, DistrictFinding.__table__


@cache
def _insert_sql(table: Table, dialect: Dialect) -> tuple[str, tuple[str, ...] | None]:
    compiled = insert(table).compile(dialect=dialect)
    return compiled.string, (tuple(compiled.positiontup or ()) if compiled.positional else None)


def _bulk(c: Connection, table: Table, rows: list[tuple[Any, ...]]) -> None:
    """Many rows of every column of ``table``, in column order, in one driver-level executemany.

    A submission brings a thousand or more figures; SQLAlchemy's per-row parameter handling
    would cost more than SQLite's insert. The statement is still SQLAlchemy's, compiled once
    for the connection's dialect, and the values still travel as bound parameters.
    """
    if not rows:
        return
    sql, order = _insert_sql(table, c.dialect)
    names = [col.key for col in table.columns]
    if order is None:  # a named paramstyle (e.g. PostgreSQL drivers)
        c.exec_driver_sql(sql, [dict(zip(names, r)) for r in rows])
    elif list(order) == names:
        c.exec_driver_sql(sql, rows)
    else:
        idx = [names.index(n) for n in order]
        c.exec_driver_sql(sql, [tuple(r[i] for i in idx) for r in rows])


@dataclass(frozen=True)
class Current:
    id: int
    digest: str
    template_id: str


def department_id(c: Connection, key: str, code: str, name: str) -> int:
    """The department's id, registering it on its first submission (its name follows the latest)."""
    found = c.execute(select(D.c.id, D.c.name).where(D.c.key == key)).first()
    if found is None:
        return c.execute(insert(D).values(key=key, code=code, name=name).returning(D.c.id)).scalar_one()
    if found.name != name:
        c.execute(update(D).where(D.c.id == found.id).values(name=name))
    return found.id


def current(c: Connection, dept_id: int, year: int) -> Current | None:
    row = c.execute(select(Sub.c.id, Sub.c.digest, Sub.c.template_id).where(
        Sub.c.department_id == dept_id, Sub.c.year == year, Sub.c.replaced_at.is_(None))).first()
    return Current(*row) if row else None


def year_template(c: Connection, year: int) -> str | None:
    """The template the year's current submissions were made on (all share one)."""
    return c.execute(select(Sub.c.template_id).where(Sub.c.year == year, Sub.c.replaced_at.is_(None)).limit(1)).scalar()


def add(c: Connection, sub: Submission, dept_id: int, source: str, now: str, replaces: int | None) -> int:
    """Store an accepted submission; the one it ``replaces`` moves to the history."""
    m, wb = sub.manifest, sub.workbook
    if replaces is not None:  # first, so the "one current per department-year" index holds throughout
        c.execute(update(Sub).where(Sub.c.id == replaces).values(replaced_at=now))
    sid = c.execute(insert(Sub).values(
        department_id=dept_id, year=m.year, department=m.department, template_id=m.template_id,
        digest=m.digest, sealed_at=m.created_at, received_at=now, source=source, app_version=m.app_version,
        allow_errors=bool(m.allow_errors), sealed_errors=m.errors, sealed_warnings=m.warnings,
        errors=sub.errors, warnings=sub.warnings, value_count=len(wb.values),
    ).returning(Sub.c.id)).scalar_one()
    if replaces is not None:
        c.execute(update(Sub).where(Sub.c.id == replaces).values(replaced_by=sid))
    # The gate leaves every amount normalised (it was re-parsed and found canonical), so its
    # canonical text is plain ``format(v, "f")``, what `AmountText` would store.
    for table, amounts in ((CELLS, wb.values), (PRIORS, wb.prior)):
        # In key order: each insert then lands at the end of the table's B-tree.
        _bulk(c, table, sorted([(sid, k.table, k.row, k.col, format(v, "f")) for k, v in amounts.items()]))
    _bulk(c, CODED, [(sid, t, code, name) for t, rows in wb.coded.items() for code, name in rows.items()])
    _bulk(c, TEXTS, [(sid, k, t) for k, t in wb.texts.items()])
    if sub.findings:
        c.execute(insert(FINDINGS), [
            {"submission_id": sid, "seq": i, "rule": f.rule, "severity": f.severity, "table_no": f.table,
             "row_label": f.row, "column_label": f.column, "message": f.message, "expected": f.expected,
             "actual": f.actual, "difference": f.difference, "possible_rounding": f.possible_rounding}
            for i, f in enumerate(sub.findings, 1)])
    return sid


# ── reading back ───────────────────────────────────────────────────────────
def amounts(c: Connection, sub_id: int, prior: bool = False) -> dict[Cell, Decimal]:
    t = PRIORS if prior else CELLS
    rows = c.execute(select(t.c.table_no, t.c.row_key, t.c.col_no, t.c.amount).where(t.c.submission_id == sub_id))
    return {Cell(a, b, n): v for a, b, n, v in rows}


def coded_rows(c: Connection, sub_id: int) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for t, code, name in c.execute(
        select(CODED.c.table_no, CODED.c.code, CODED.c.name).where(CODED.c.submission_id == sub_id)
    ):
        out.setdefault(t, {})[code] = name
    return out


def texts(c: Connection, sub_id: int) -> dict[str, str]:
    return dict(c.execute(select(TEXTS.c.key, TEXTS.c.text).where(TEXTS.c.submission_id == sub_id)).all())


def findings(c: Connection, sub_id: int) -> list[Row]:
    return list(c.execute(select(FINDINGS).where(FINDINGS.c.submission_id == sub_id).order_by(FINDINGS.c.seq)))


def current_ids(c: Connection, year: int) -> Iterator[int]:
    yield from c.execute(select(Sub.c.id).where(Sub.c.year == year, Sub.c.replaced_at.is_(None))).scalars()


def submissions(c: Connection, year: int | None = None, *, with_history: bool = False,
                key: str | None = None) -> list[Row]:
    """Submission rows joined with their department, newest first within a department-year;
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
    return list(c.execute(q.order_by(Sub.c.year, D.c.name, D.c.key, Sub.c.id.desc())))


def years(c: Connection) -> list[int]:
    return list(c.execute(select(Sub.c.year).distinct().order_by(Sub.c.year)).scalars())
