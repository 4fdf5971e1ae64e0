"""The running 汇总 (汇总数): the district's cell-wise sums, changed only where a run changes them.

A consolidation collects, per year, what its accepted submissions change (`YearDelta`: for each
cell the change of its sum and of how many current submissions fill it; for each coded row the
change of how many list it, with a name). `apply` then adds that to the stored sums
(`models.district.DistrictTotal`, `DistrictTotalRow`) and writes the 汇总 year's figures and rows
(the department schema's `cell_value`, `prior_value`, `coded_row`) for those cells only: one more
submission into a district of ten thousand touches its own few hundred cells, not the district.
A cell no current submission fills any more is blank again, not 0.00.

Only portable Core statements (a district may live on a PostgreSQL server).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from decimal import Decimal
from functools import cache
from itertools import groupby, islice
from operator import itemgetter
from typing import Any, cast

from sqlalchemy import Connection, Integer, Table, Text, bindparam, delete, func, insert, select, tuple_, update
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.types import TypeDecorator

from models.district import DistrictAdjust, DistrictTotal, DistrictTotalRow
from models.schema import CellValue, CodedRow, DepartmentYear, PriorValue
from services.exchange.canonical import Content

Key = tuple[str, str, int]
TOTAL, TOTAL_ROW = cast(Table, DistrictTotal.__table__), cast(Table, DistrictTotalRow.__table__)
ADJUST = cast(Table, DistrictAdjust.__table__)
#: keys per statement when deleting by key (SQLite allows 32,766 bound values)
CHUNK = 500
#: from this many changed cells on, the year is read and written whole (a first consolidation)
WHOLE_FROM = 5000
_ZERO = Decimal(0)


#: a year's running sums as they are collected: (table, row) → column → (change of the sum,
#: change of how many submissions fill it). A submission's figures come grouped by row, so each
#: row is looked up once in the large dictionary and its few columns in a small one.
Nested = dict[tuple[str, str], dict[int, tuple[Decimal, int]]]


class YearDelta:
    """What one run changes in a year's 汇总."""

    def __init__(self) -> None:
        self._values: Nested = {}
        self._prior: Nested = {}
        #: (table, code) → (a name given, change of how many submissions list it)
        self.rows: dict[tuple[str, str], tuple[str, int]] = {}

    @property
    def values(self) -> dict[Key, tuple[Decimal, int]]:
        """cell → (change of the sum, change of how many submissions fill it)"""
        return _flat(self._values)

    @property
    def prior(self) -> dict[Key, tuple[Decimal, int]]:
        return _flat(self._prior)

    def add(self, content: Content, sign: int = 1) -> None:
        """Add (``sign=1``) or take away (``-1``) one submission's content."""
        _add(self._values, content.values, sign)
        _add(self._prior, content.prior, sign)
        rows = self.rows
        for table, code, name in content.coded:
            have = rows.get((table, code))
            rows[(table, code)] = (name if sign > 0 else "", sign) if have is None else \
                (have[0] or (name if sign > 0 else ""), have[1] + sign)

    def __bool__(self) -> bool:
        return bool(self._values or self._prior or self.rows)


_ROW = itemgetter(0, 1)


def _add(target: Nested, rows: list[list[Any]], sign: int) -> None:
    # The hot loop of a consolidation: per figure one lookup and one store in its row's small
    # dictionary (the sign decided once per submission, not per figure).
    get, dec = target.get, Decimal
    for row, group in groupby(rows, _ROW):
        cols = get(row)
        if cols is None:
            cols = target[row] = {}
        have_col = cols.get
        if sign > 0:
            for _t, _r, c, a in group:
                have = have_col(c)
                cols[c] = (dec(a), 1) if have is None else (have[0] + dec(a), have[1] + 1)
        else:
            for _t, _r, c, a in group:
                have = have_col(c)
                cols[c] = (-dec(a), -1) if have is None else (have[0] - dec(a), have[1] - 1)


def _flat(nested: Nested) -> dict[Key, tuple[Decimal, int]]:
    return {(t, r, c): v for (t, r), cols in nested.items() for c, v in cols.items()}


def stored(c: Connection, year: int) -> bool:
    """Whether the district keeps running sums for ``year`` (a district from before it did has none)."""
    return _any(c, TOTAL, year) or _any(c, TOTAL_ROW, year)


def _any(c: Connection, table: Table, year: int) -> bool:
    # one row is enough to know: never count a district's whole year on the consolidation path
    return c.execute(select(table.c.year).where(table.c.year == year).limit(1)).first() is not None


def apply(c: Connection, year: int, template_id: str, delta: YearDelta, now: str) -> None:
    """Add ``delta`` to the stored sums of ``year`` and write the 汇总 year where it changed."""
    year_id = c.execute(select(DepartmentYear.id).where(DepartmentYear.year == year)).scalar()
    if year_id is None:
        year_id = c.execute(insert(DepartmentYear).values(year=year, template_id=template_id, created_at=now,
                                                          updated_at=now).returning(DepartmentYear.id)).scalar_one()
    else:
        c.execute(update(DepartmentYear).where(DepartmentYear.id == year_id).values(template_id=template_id, updated_at=now))
    for prior, changes in ((False, delta.values), (True, delta.prior)):
        if changes:
            _cells(c, year, year_id, prior, changes)
    if delta.rows:
        _rows(c, year, year_id, delta.rows)


def _cells(c: Connection, year: int, year_id: int, prior: bool, changes: dict[Key, tuple[Decimal, int]]) -> None:
    model = cast(Table, (PriorValue if prior else CellValue).__table__)
    mine = (TOTAL.c.year == year, TOTAL.c.prior == prior)
    whole = len(changes) >= WHOLE_FROM
    cols = (TOTAL.c.table_no, TOTAL.c.row_key, TOTAL.c.col_no)
    if whole:
        have = {(t, r, k): (a, n) for t, r, k, a, n in c.execute(select(*cols, TOTAL.c.amount, TOTAL.c.count).where(*mine))}
    else:
        have = {}
        for chunk in _chunks(changes):
            have.update({(t, r, k): (a, n) for t, r, k, a, n in c.execute(
                select(*cols, TOTAL.c.amount, TOTAL.c.count).where(*mine, _among(c, cols, chunk)))})
    new: dict[Key, tuple[Decimal, int]] = dict(have) if whole else {}
    for key, (d, n) in changes.items():
        a, m = have.get(key, (_ZERO, 0))
        new[key] = (a + d, m + n)
    cell_cols = (model.c.table_no, model.c.row_key, model.c.col_no)
    if whole:
        c.execute(delete(TOTAL).where(*mine))
        c.execute(delete(model).where(model.c.year_id == year_id))
    else:
        for chunk in _chunks(changes):
            c.execute(delete(TOTAL).where(*mine, _among(c, cols, chunk)))
            c.execute(delete(model).where(model.c.year_id == year_id, _among(c, cell_cols, chunk)))
    kept = [(k, a, n) for k, (a, n) in new.items() if n > 0]
    if kept:
        insert_rows(c, TOTAL, [{"year": year, "prior": prior, "table_no": t, "row_key": r, "col_no": k,
                            "amount": a, "count": n} for (t, r, k), a, n in kept])
        adjust = {} if prior else adjustments(c, year, [k for k, _, _ in kept])  # the offsets (抵消) stay taken out
        insert_rows(c, model, [{"year_id": year_id, "table_no": t, "row_key": r, "col_no": k,
                            "amount": a - adjust.get((t, r, k), _ZERO)} for (t, r, k), a, _ in kept])


def adjustments(c: Connection, year: int, keys: list[Key] | None = None) -> dict[Key, Decimal]:
    """What the offsets take out of these cells of the year (of every cell: ``keys`` None)."""
    mine = ADJUST.c.year == year
    cols = (ADJUST.c.table_no, ADJUST.c.row_key, ADJUST.c.col_no)
    if not _any(c, ADJUST, year):
        return {}
    if keys is None or len(keys) >= WHOLE_FROM:
        found = c.execute(select(*cols, ADJUST.c.amount).where(mine)).all()
    else:
        found = [r for chunk in _chunks(keys) for r in c.execute(select(*cols, ADJUST.c.amount).where(mine, _among(c, cols, chunk)))]
    wanted = None if keys is None else set(keys)
    return {(t, r, k): a for t, r, k, a in found if wanted is None or (t, r, k) in wanted}


def plain_sums(c: Connection, year: int, keys: list[Key]) -> dict[Key, Decimal]:
    """The plain sums (before offsets) of these cells of the year's 汇总 (本年数)."""
    cols = (TOTAL.c.table_no, TOTAL.c.row_key, TOTAL.c.col_no)
    return {(t, r, k): a for chunk in _chunks(keys) for t, r, k, a in c.execute(
        select(*cols, TOTAL.c.amount).where(TOTAL.c.year == year, TOTAL.c.prior.is_(False), _among(c, cols, chunk)))}


def _rows(c: Connection, year: int, year_id: int, changes: dict[tuple[str, str], tuple[str, int]]) -> None:
    rows = cast(Table, CodedRow.__table__)
    cols = (TOTAL_ROW.c.table_no, TOTAL_ROW.c.code)
    have: dict[tuple[str, str], tuple[str, int]] = {}
    for chunk in _chunks(changes):
        have.update({(t, k): (name, n) for t, k, name, n in c.execute(
            select(*cols, TOTAL_ROW.c.name, TOTAL_ROW.c.count).where(TOTAL_ROW.c.year == year, _among(c, cols, chunk)))})
    new = {}
    for key, (name, n) in changes.items():
        old_name, m = have.get(key, ("", 0))
        new[key] = (old_name or name, m + n)  # the first name given stays
    for chunk in _chunks(changes):
        c.execute(delete(TOTAL_ROW).where(TOTAL_ROW.c.year == year, _among(c, cols, chunk)))
        c.execute(delete(rows).where(rows.c.year_id == year_id, _among(c, (rows.c.table_no, rows.c.code), chunk)))
    kept = [(k, name, n) for k, (name, n) in new.items() if n > 0]
    if kept:
        insert_rows(c, TOTAL_ROW, [{"year": year, "table_no": t, "code": k, "name": name, "count": n}
                               for (t, k), name, n in kept])
        insert_rows(c, rows, [{"year_id": year_id, "table_no": t, "code": k, "name": name} for (t, k), name, _ in kept])


#: from this many rows on, PostgreSQL gets them as arrays (see `insert_rows`), this many a statement
ARRAYS_FROM = 50
ARRAY_ROWS = 5_000


def insert_rows(c: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert ``rows`` (dictionaries with the same keys). psycopg runs an executemany as one
    statement per row (a first consolidation of ten thousand departments writes some 200,000
    cells: seconds of the run); PostgreSQL gets one array per column instead, unnested into the
    table by one statement per `ARRAY_ROWS` rows. SQLite's executemany is a loop in C already."""
    if c.dialect.name != "postgresql" or len(rows) < ARRAYS_FROM:
        c.execute(insert(table), rows)
        return
    names = tuple(rows[0])
    stmt = _array_insert(table, names)
    amounts = {n: t for n in names if isinstance(t := table.c[n].type, TypeDecorator)}
    for start in range(0, len(rows), ARRAY_ROWS):
        chunk = rows[start:start + ARRAY_ROWS]
        params = {}
        for i, name in enumerate(names):
            values = [r[name] for r in chunk]
            if name in amounts:  # an amount: its canonical text, as it is stored
                values = [amounts[name].process_bind_param(v, c.dialect) for v in values]
            params[f"column{i}"] = values
        c.execute(stmt, params)


@cache
def _array_insert(table: Table, names: tuple[str, ...]) -> Any:
    """``INSERT … SELECT * FROM unnest(:column0, :column1, …)``, made once per table and columns:
    a statement made per call, holding its values, would be garbage only the cycle collector
    frees, and a consolidation runs with it paused (`engine.bulk_allocation`)."""
    from sqlalchemy import Boolean, LargeBinary
    from sqlalchemy.dialects.postgresql import ARRAY

    arrays = []
    for i, name in enumerate(names):
        col_type = table.c[name].type
        if isinstance(col_type, TypeDecorator):
            element: Any = Text()
        else:
            kind = col_type.python_type
            element = (Boolean() if kind is bool else Integer() if kind is int
                       else LargeBinary() if kind is bytes else Text())
        arrays.append(bindparam(f"column{i}", type_=ARRAY(element)))
    source = func.unnest(*arrays).table_valued(*(f"k{i}" for i in range(len(names)))).render_derived()
    return insert(table).from_select(list(names), select(*source.c))


def _among(c: Connection, cols: tuple, keys: list) -> ColumnElement[bool]:
    """``cols`` is one of ``keys``. PostgreSQL plans a list of row values as a filter of ORs over
    every row of the year (0.6 s for 500 keys among 44,000 cells), so there the keys are a table
    it joins (``unnest`` of one array per column, bound: the statement compiles once); SQLite
    uses its index for the plain list."""
    if c.dialect.name != "postgresql":
        return tuple_(*cols).in_(keys)
    from sqlalchemy.dialects.postgresql import ARRAY

    arrays = [bindparam(f"keys{i}", [k[i] for k in keys], type_=ARRAY(Integer() if isinstance(v, int) else Text()))
              for i, v in enumerate(keys[0])]
    table = func.unnest(*arrays).table_valued(*(f"k{i}" for i in range(len(arrays)))).render_derived()
    return tuple_(*cols).in_(select(*table.c))


def _chunks(keys: Iterable) -> Iterator[list]:
    it = iter(keys)
    while chunk := list(islice(it, CHUNK)):
        yield chunk
