"""与上年数据核对 (comparison with last year): a printed figure that moved a lot needs a reason.

With last year's figures present (the previous year in the same file, carried over, or the 上年数
the clerk typed), each figure a table's ``prior_compare`` names (in its template) is compared with
last year's; a change of ``prior_threshold`` per cent or more of last year's figure, or a figure
that went from zero to non-zero or back, is a warning (提示) until it has a reason:

* the reason is that finding's explanation (出错说明, `services.explanations`): the warning is then
  shown as explained and travels with the submission; where the figure is one the 情况说明 speaks
  of (``reason``: 收、支总计, 财政拨款收、支总计, 一般公共预算财政拨款支出, 机关运行经费, each 三公
  item), the explanation is that section's 主要原因 sentence (`reasons`), unless the clerk wrote one;
* a reason the clerk already wrote in the 情况说明 for that figure answers it too: no warning.

What is compared is the printed totals and the 类 (and, in the expenditure table, the 款), not
every 项: the 情况说明 explains changes at that level, and a 项 moves whenever spending is
re-coded between years, which would bury the few changes that matter under dozens that do not.
A 款 that is its 类's only part (the same figures both years) is not compared twice, and a level
with more rows than its ``most`` (a district's 汇总 has a hundred 款) is left to the totals above it. A figure
with no 上年数 is not compared (a typed 上年数 gives a few totals only: the rest is unknown, not zero).
"""

from __future__ import annotations

from decimal import Decimal

from services.findings import Finding, fmt
from services.money import ZERO, round_cent
from services.templates import WARNING, TableSpec
from services.workbook import Cell, Workbook, code_level, parent_code

RULE = "与上年核对"


def _rows(wb: Workbook, t: TableSpec, item: dict) -> list[str]:
    if "rows" in item:
        return [str(r) for r in item["rows"] if t.fixed_row(str(r)) is not None]
    level = str(item.get("level", ""))
    if t.coded:
        rows = [c for c in wb.codes(t.no) if code_level(c) == level]
    else:
        rows = [r.key for r in t.rows if r.key and r.code and code_level(r.code) == level]
    most = int(item.get("most", 0))
    # more rows than that (a large department, a district's 汇总): their totals above are compared instead
    return [] if most and len(rows) > most else rows


def _same_as_parent(wb: Workbook, cell: Cell) -> bool:
    """A 款 (or 项) with the same figures as its parent both years: its change is the parent's."""
    parent = parent_code(cell.row) if wb.table(cell.table).coded else None
    if parent is None:
        return False
    up = Cell(cell.table, parent, cell.col)
    return (wb.get(cell) or ZERO) == (wb.get(up) or ZERO) and wb.prior.get(cell) == wb.prior.get(up)


def compared(wb: Workbook) -> list[tuple[Cell, str, str]]:
    """The cells compared with last year, with the 情况说明 reason each feeds: its text key and
    what it is ('' for none). A reason is a key pattern of ``narrative.toml`` (``原因.三公.{项目}.上年``
    with ``item`` for the blank)."""
    from services.disclosure.texts import field as text_field

    out = []
    for t in wb.template.tables.values():
        for item in t.prior_compare:
            reason = text_field(str(item["reason"]), 项目=str(item.get("item", ""))) if "reason" in item else None
            key, what = (reason.key, reason.what) if reason else ("", "")
            for row in _rows(wb, t, item):
                cols = [int(c) for c in item.get("columns", ())] or wb.row_columns(t.no, row)[:1]
                out += [(Cell(t.no, row, c), key, what) for c in cols]
    return out


def _change(wb: Workbook, cell: Cell) -> tuple[Decimal, Decimal] | None:
    """(this year, last year) as printed when the change needs a reason, else None."""
    prev = wb.prior.get(cell)
    if prev is None:
        return None
    now, prev = round_cent(wb.get(cell) or ZERO), round_cent(prev)
    if now == prev:
        return None
    if (now == 0) != (prev == 0):
        return now, prev
    if abs(now - prev) * 100 >= abs(prev) * wb.template.prior_threshold:
        return now, prev
    return None


def check_prior(wb: Workbook) -> list[Finding]:
    """The figures that changed enough on last year to need a reason, as warnings."""
    if not wb.prior:
        return []
    from services.narrative_check import _where

    out = []
    for cell, reason, what in compared(wb):
        if not wb.has_row(cell.table, cell.row):
            continue
        moved = _change(wb, cell)
        if moved is None or _same_as_parent(wb, cell):
            continue
        if reason and (wb.texts.get(reason) or "").strip():
            continue  # the 情况说明 already gives the reason
        now, prev = moved
        t = wb.table(cell.table)
        row, column = _where(wb, cell)
        diff = now - prev
        if prev == 0 or now == 0:
            how = f"由上年的 {fmt(prev)} 变为 {fmt(now)}"
        else:
            rate = (abs(diff) * 100 / abs(prev)).quantize(Decimal("0.01"))
            how = (f"{'增加' if diff > 0 else '减少'} {fmt(abs(diff))} 万元，{'增长' if diff > 0 else '下降'} {rate}%"
                   f"（上年 {fmt(prev)}，本年 {fmt(now)}），变动达到 {wb.template.prior_threshold}%")
        feeds = f"；说明将写入情况说明“{what}”" if reason else ""
        out.append(Finding(
            rule=RULE, severity=WARNING, table=t.no, table_title=t.title, row=row, column=column,
            message=f"与上年相比，公开{t.no}表 {row}（{column}）{how}，请写明原因（出错说明）{feeds}",
            expected=prev, actual=now, difference=diff, cell=cell, cells=(cell,)))
    return out


def reasons(wb: Workbook) -> dict[str, str]:
    """The 情况说明 reasons (主要原因) given as explanations of last-year comparisons, by text key."""
    if not wb.notes:
        return {}
    from services.explanations import key_of

    out: dict[str, str] = {}
    keys = {key_of(f): f.cell for f in check_prior(wb)}
    for cell, reason, _what in compared(wb):
        if not reason or reason in out:
            continue
        for key, at in keys.items():
            if at == cell and key in wb.notes:
                out[reason] = wb.notes[key]
    return out
