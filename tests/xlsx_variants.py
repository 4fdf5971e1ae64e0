"""Messy variants of the fixture workbooks, as clerks and other software really write them.

Each transform takes an openpyxl workbook and changes its layout, never its figures: renamed
and shuffled sheets, tables moved down/right with blank rows and columns, amounts stored as
text with thousands separators or full-width digits, codes stored as numbers or split into
类/款/项, merged titles and headers, headers broken across lines, an extra sheet, amounts in 元.
`build(src, dst, *transforms)` writes a variant; `seed_workbook` types the tables of a published
document (seed 003, 2023 layout) onto one sheet, one table below the other.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from tests.paths import FIXTURES, SEEDS, SHARED  # noqa: F401 - re-exported for the tests

Transform = Callable[[Workbook], None]
_CODE = re.compile(r"^\d{3}(\d{2}){0,2}$")
_FULL = str.maketrans("0123456789.,", "０１２３４５６７８９．，")


def build(src: Path, dst: Path, *transforms: Transform) -> Path:
    wb = load_workbook(src)
    for t in transforms:
        t(wb)
    wb.save(dst)
    return dst


def _rewrite(ws: Worksheet, move: Callable[[int, int], tuple[int, int]]) -> None:
    """Move every cell (and merge) of a sheet to a new place, keeping values."""
    cells = [(c.row, c.column, c.value) for row in ws.iter_rows() for c in row if c.value is not None]
    merges = [(m.min_row, m.min_col, m.max_row, m.max_col) for m in ws.merged_cells.ranges]
    for m in list(ws.merged_cells.ranges):
        ws.unmerge_cells(str(m))
    for r, c, _ in cells:
        ws.cell(r, c).value = None
    for r, c, v in cells:
        ws.cell(*move(r, c)).value = v
    for r1, c1, r2, c2 in merges:
        a, b = move(r1, c1), move(r2, c2)
        ws.merge_cells(start_row=a[0], start_column=a[1], end_row=b[0], end_column=b[1])


# ── layout ─────────────────────────────────────────────────────────────────
def rename_and_shuffle(wb: Workbook) -> None:
    for i, ws in enumerate(wb.worksheets):
        ws.title = f"Sheet{i + 1}" if i % 2 else f"数据{i + 1}"
    wb._sheets.reverse()  # openpyxl has no public API to reorder sheets


def shift(rows: int = 3, cols: int = 2) -> Transform:
    def t(wb: Workbook) -> None:
        for ws in wb.worksheets:
            _rewrite(ws, lambda r, c: (r + rows, c + cols))

    return t


def blank_rows(every: int = 4) -> Transform:
    """A blank row after the title and after every few rows below it."""

    def t(wb: Workbook) -> None:
        for ws in wb.worksheets:
            _rewrite(ws, lambda r, c: (r + (r > 1) + max(0, r - 2) // every, c))

    return t


def drop_lanci(wb: Workbook) -> None:
    """No 栏次 row: columns must then be known by their header text alone (apply before merges)."""
    for ws in wb.worksheets:
        for r in range(ws.max_row, 0, -1):
            values = [c.value for c in ws[r] if c.value is not None]
            texts = [str(v).replace(" ", "") for v in values]
            if "栏次" in texts or (len(texts) > 1 and texts == [str(i) for i in range(1, len(texts) + 1)]):
                ws.delete_rows(r)


def drop_titles(wb: Workbook) -> None:
    """No title row: each sheet is known only by its table number cell (公开01表 / 表1)."""
    for ws in wb.worksheets:
        ws["A1"].value = None


def extra_sheet(wb: Workbook) -> None:
    """A 目录 sheet naming every table (with page numbers) and a sheet that is no table at all."""
    toc = wb.create_sheet("目录", 0)
    toc.append(["2020年度部门决算"])
    for i, ws in enumerate(wb.worksheets[1:], start=1):
        toc.append([f"{'一二三四五六七八九'[i - 1]}、{ws['A1'].value}", i + 4])
    ws = wb.create_sheet("人员情况", 1)
    ws.append(["人员情况表"])
    ws.append(["在职人数", 10, "退休人数", 8])
    ws.append(["注：本表不是决算公开表"])


# ── values ─────────────────────────────────────────────────────────────────
def _is_amount_cell(ws: Worksheet, r: int, c: int) -> bool:
    """Not a 行次 (header 行次 above it) and not in the header rows."""
    for rr in range(1, min(r, 12)):
        v = ws.cell(rr, c).value
        if isinstance(v, str) and v.replace(" ", "") == "行次":
            return False
    return True


def amounts_as_text(wb: Workbook) -> None:
    """1,717.31 style text, every third one in full-width digits."""
    k = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                v = cell.value
                if isinstance(v, (int, float)) and not isinstance(v, bool) and _is_amount_cell(ws, cell.row, cell.column):
                    s = f"{Decimal(repr(v)):,.2f}"
                    cell.value = s.translate(_FULL) if k % 3 == 2 else s
                    k += 1


def codes_as_numbers(wb: Workbook) -> None:
    """201 → 201, 2010301 → 2010301.0 (Excel's "number stored as number")."""
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                v = cell.value
                if isinstance(v, str) and _CODE.match(v):
                    cell.value = float(v) if len(v) == 7 else int(v)


def code_with_name(wb: Workbook) -> None:
    """"2010308 信访事务" in the code cell, the name cell left blank."""
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                v = cell.value
                right = ws.cell(cell.row, cell.column + 1)
                if isinstance(v, str) and _CODE.match(v) and isinstance(right.value, str):
                    cell.value, right.value = f"{v} {right.value}", None


def split_codes(wb: Workbook) -> None:
    """Codes in the 类 column → 类 / 款 / 项 parts, 类 printed only on the 类 row."""
    for ws in wb.worksheets:
        if ws.cell(6, 2).value != "款":
            continue
        for r in range(7, ws.max_row + 1):
            v = ws.cell(r, 1).value
            if isinstance(v, str) and _CODE.match(v) and len(v) > 3:
                ws.cell(r, 1).value = None
                ws.cell(r, 2).value = v[3:5]
                if len(v) == 7:
                    ws.cell(r, 3).value = v[5:7]


def _sheet_in_yuan(ws: Worksheet, factor: Decimal) -> None:
    """A sheet's figures × ``factor`` × 10000 as "4,323,200.00" text, and its 单位 line "单位：元"."""
    for line in ws.iter_rows():
        for cell in line:
            v = cell.value
            if isinstance(v, str) and v.replace(" ", "").startswith("单位"):
                cell.value = "单位：元"
            elif isinstance(v, (int, float)) and not isinstance(v, bool) and _is_amount_cell(ws, cell.row, cell.column):
                cell.value = f"{Decimal(repr(v)) * factor * 10000:,.2f}"


def in_yuan(sheet_index: int) -> Transform:
    """One table in 元: figures × 10000 as "4,323,200.00" text, and "单位：元"."""

    def t(wb: Workbook) -> None:
        _sheet_in_yuan(wb.worksheets[sheet_index], Decimal(1))

    return t


def ledger(factor: Decimal) -> Transform:
    """Every table in 元, each figure × ``factor`` to the 分, as a ledger exports it: with a factor
    of four decimals the figures are finer than a cent of 万元 and every sum still holds exactly."""

    def t(wb: Workbook) -> None:
        for ws in wb.worksheets:
            _sheet_in_yuan(ws, factor)

    return t


def printed_quirks(wb: Workbook) -> None:
    """What copying from the published PDF leaves: "部门：株\n洲市渌口\n区信访局" (seed 000),
    "单位：\n万元" and "707. 12" (seed 002)."""
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                v = cell.value
                if isinstance(v, str) and v.startswith("部门："):
                    name = v[3:]
                    cell.value = "部门：" + "\n".join(name[i : i + 3] for i in range(0, len(name), 3))
                elif isinstance(v, str) and v.replace(" ", "") == "单位：万元":
                    cell.value = "单位：\n万元"
                elif isinstance(v, float) and _is_amount_cell(ws, cell.row, cell.column):
                    cell.value = repr(v).replace(".", ". ")


def garbage(sheet: str, cell: str, text: str | None = "四百三十二") -> Transform:
    def t(wb: Workbook) -> None:
        wb[sheet][cell].value = text

    return t


def year_in_titles(year: int) -> Transform:
    """"2020 年度收入支出决算总表（表 1）", as seed 002 prints its titles."""

    def t(wb: Workbook) -> None:
        for i, ws in enumerate(wb.worksheets, start=1):
            ws["A1"].value = f"{year} 年度{ws['A1'].value}（表 {i}）"

    return t


# ── headers ────────────────────────────────────────────────────────────────
def _header_rows(ws: Worksheet) -> range:
    """Rows 4 … up to the 栏次 row or the first data row (the fixtures' header block)."""
    end = 4
    while end <= ws.max_row:
        values = [c.value for c in ws[end] if c.value is not None]
        if any(not isinstance(v, str) or _CODE.match(v) or v.replace(" ", "") in ("栏次", "1") for v in values):
            break
        if values == ["合计"]:  # the 合计 row of an empty table
            break
        end += 1
    return range(4, end)


def merge_headers(wb: Workbook) -> None:
    """Merge the title across the table, group headers across, single headers down."""
    for ws in wb.worksheets:
        width = ws.max_column
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
        rows = _header_rows(ws)
        if not rows:
            continue
        last = rows[-1]
        plan = []
        for r in rows:
            for c in range(1, width + 1):
                if ws.cell(r, c).value is None:
                    continue
                below = [ws.cell(rr, c).value for rr in range(r + 1, last + 1)]
                if r < last and all(v is None for v in below):
                    plan.append((r, c, last, c))
                    continue
                end = c
                while (
                    end + 1 <= width
                    and ws.cell(r, end + 1).value is None
                    and any(ws.cell(rr, end + 1).value is not None for rr in range(r + 1, last + 1))
                ):
                    end += 1
                if end > c:
                    plan.append((r, c, r, end))
        for r1, c1, r2, c2 in plan:
            ws.merge_cells(start_row=r1, start_column=c1, end_row=r2, end_column=c2)


def broken_headers(wb: Workbook) -> None:
    """Header text wrapped by hand: "本年收\\n入合计", "功能分类\\n科目编码"."""
    for ws in wb.worksheets:
        for r in _header_rows(ws):
            for cell in ws[r]:
                v = cell.value
                if isinstance(v, str) and len(v) >= 4:
                    cell.value = v[: len(v) // 2] + "\n" + v[len(v) // 2 :]


# ── a workbook typed from a published document ─────────────────────────────
def seed_tables(seed_glob: str = "003_*.txt") -> list[list[str | None]]:
    """The 决算表 part of a seed document as rows of cells (tab-separated in the text)."""
    path = next(SEEDS.glob(seed_glob))
    lines = path.read_text(encoding="utf-8").splitlines()
    start = next(i for i, s in enumerate(lines) if s.strip() == "一、收入支出决算总表")
    end = next(i for i in range(start, len(lines)) if lines[i].strip() == "第三部分")
    return [[c.strip() or None for c in s.split("\t")] if s.strip() else [] for s in lines[start:end]]


def seed_workbook(dst: Path, seed_glob: str = "003_*.txt") -> Path:
    """All nine tables on one sheet, one below the other, every cell typed as text."""
    wb = Workbook()
    ws = wb.active
    ws.title = "决算报表"
    for r, row in enumerate(seed_tables(seed_glob), start=2):
        for c, v in enumerate(row, start=2):
            if v is not None:
                ws.cell(r, c).value = v
    wb.save(dst)
    return dst
