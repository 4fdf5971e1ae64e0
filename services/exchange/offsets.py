"""Offsets in the 汇总 (抵消, 调整表): money counted twice by a plain sum, taken out with a reason.

Within a district, what one unit pays another appears twice in the plain sum of their final
accounts (a unit's 上级补助收入 and its parent's 对附属单位补助支出; 附属单位上缴收入 and 上缴上级支出).
The bureau records each offset on a cell of the 汇总 (`DistrictOffset`: amount, between whom,
why, who recorded it). The 汇总 year then holds the plain sum minus the offsets, the totals that
sum the cell moving with it (`Autofill.propagate`, from the template's own rules), so the 汇总
still reconciles; the plain sums stay in `DistrictTotal`, so the status and the export show the
汇总 before and after offsets. Later consolidations keep the offsets taken out (`totals.apply`).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import cast

from sqlalchemy import Connection, Table, delete, insert, select

from models.district import DistrictAdjust, DistrictOffset
from models.schema import CellValue, DepartmentYear
from services.exchange import totals
from services.exchange.district_file import DistrictError
from services.exchange.district_store import Transaction, writing
from services.exchange.target import Target
from services.money import round_cent
from services.workbook import Cell, Workbook

OFFSET, ADJUST = cast(Table, DistrictOffset.__table__), cast(Table, DistrictAdjust.__table__)
MAX_TEXT = 200


@dataclass(frozen=True)
class Offset:
    id: int
    cell: Cell
    amount: Decimal
    parties: str
    reason: str
    recorded_by: str
    recorded_at: str


def offsets(c: Connection, year: int) -> list[Offset]:
    """The year's offsets, in the order they were recorded."""
    o = OFFSET.c
    return [Offset(r.id, Cell(r.table_no, r.row_key, r.col_no), r.amount, r.parties, r.reason, r.recorded_by, r.recorded_at)
            for r in c.execute(select(OFFSET).where(o.year == year).order_by(o.id))]


def record(district: Target, year: int, cell: Cell, amount: Decimal, parties: str, reason: str, by: str) -> int:
    """Record one offset and take it out of the 汇总; its id. Refuses (`DistrictError`) a cell the
    year's 汇总 does not have, an amount not to the cent, or an offset without whom or why."""
    parties, reason, by = (" ".join(t.split()) for t in (parties, reason, by))
    if amount == 0 or amount != round_cent(amount):
        raise DistrictError("抵消金额应为非零的金额，以万元为单位，到分（两位小数）")
    for what, text in (("抵消双方", parties), ("抵消原因", reason), ("记录人", by)):
        if not text:
            raise DistrictError(f"请填写{what}")
        if len(text) > MAX_TEXT:
            raise DistrictError(f"{what}过长（最多 {MAX_TEXT} 个字）")
    with writing(district, "") as tx:
        wb = _summary(tx, year)
        if not wb.has_row(cell.table, cell.row) or cell.col not in wb.row_columns(cell.table, cell.row):
            raise DistrictError(f"{year} 年度的汇总中没有 公开{cell.table}表 {cell.row}（栏{cell.col}）这一格")
        from services.store.repository import _now

        oid = tx.conn.execute(insert(OFFSET).values(
            year=year, table_no=cell.table, row_key=cell.row, col_no=cell.col, amount=amount, parties=parties,
            reason=reason, recorded_by=by, recorded_at=_now()).returning(OFFSET.c.id)).scalar_one()
        _readjust(tx, year, wb)
    return oid


def remove(district: Target, year: int, offset_id: int) -> None:
    """Remove one offset; the 汇总 gets its amount back."""
    with writing(district, "") as tx:
        wb = _summary(tx, year)
        if tx.conn.execute(delete(OFFSET).where(OFFSET.c.year == year, OFFSET.c.id == offset_id)).rowcount == 0:
            raise DistrictError(f"{year} 年度没有第 {offset_id} 号抵消")
        _readjust(tx, year, wb)


def _summary(tx: Transaction, year: int) -> Workbook:
    if year not in tx.years.years():
        raise DistrictError(f"区汇总中还没有 {year} 年度的汇总数")
    return tx.years.load(year)


def _readjust(tx: Transaction, year: int, wb: Workbook) -> None:
    """What every offset of the year takes out, the totals that sum its cell included, written into
    the 汇总 year where it changed (plain sum minus what the offsets take out); ``wb`` is the year,
    read once for its rows (the rules that sum a cell depend on them, not on the figures)."""
    from services.autofill import Autofill
    from services.engine import Checker

    c = tx.conn
    moved: dict[Cell, Decimal] = {}
    for o in offsets(c, year):
        moved[o.cell] = moved.get(o.cell, Decimal(0)) - o.amount
    spread = Autofill(wb, Checker(wb)).propagate(moved) if moved else {}
    new = {(cell.table, cell.row, cell.col): -d for cell, d in spread.items() if d}
    old = totals.adjustments(c, year)
    changed = [k for k in set(old) | set(new) if old.get(k) != new.get(k)]
    if not changed:
        return
    c.execute(delete(ADJUST).where(ADJUST.c.year == year))
    if new:
        c.execute(insert(ADJUST), [{"year": year, "table_no": t, "row_key": r, "col_no": k, "amount": a}
                                   for (t, r, k), a in new.items()])
    plain = totals.plain_sums(c, year, changed)
    year_id = c.execute(select(DepartmentYear.id).where(DepartmentYear.year == year)).scalar_one()
    cells = cast(Table, CellValue.__table__)
    for t, r, k in changed:
        c.execute(delete(cells).where(cells.c.year_id == year_id, cells.c.table_no == t, cells.c.row_key == r,
                                      cells.c.col_no == k))
        base = plain.get((t, r, k))
        if base is not None or new.get((t, r, k)):
            c.execute(insert(cells).values(year_id=year_id, table_no=t, row_key=r, col_no=k,
                                           amount=(base or Decimal(0)) - new.get((t, r, k), Decimal(0))))


def before_after(c: Connection, year: int) -> list[tuple[Cell, Decimal | None, Decimal, Decimal | None]]:
    """Each cell the offsets change: (cell, plain sum, taken out, 汇总 after offsets)."""
    adjust = totals.adjustments(c, year)
    plain = totals.plain_sums(c, year, list(adjust))
    out: list[tuple[Cell, Decimal | None, Decimal, Decimal | None]] = []
    for (t, r, k), a in sorted(adjust.items()):
        base = plain.get((t, r, k))
        out.append((Cell(t, r, k), base, a, (base or Decimal(0)) - a))
    return out
