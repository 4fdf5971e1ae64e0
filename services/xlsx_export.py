"""Excel export (导出 Excel): a `Workbook` as the nine tables laid out as published.

The clerk sends this file to the finance bureau and pastes from it into the website, so it looks
like the printed tables: one sheet per table (公开01表 …), title, table number, 部门/年度/单位
line, header rows with merged group cells, the 栏次 row, data rows, the note. Income and
expenditure of 01/04 stand side by side and 06 prints three column groups, as printed. The same
layout reads back with `import_xlsx` without loss: amounts are numbers (exact to 15 digits, far
beyond 万元 with 6 decimals), codes are text, the year is printed.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from decimal import Decimal
from os import PathLike
from pathlib import Path

from services.money import normalise
from services.templates import ColumnSpec, RowSpec, TableSpec
from services.workbook import Cell, Workbook

__all__ = ["XlsxExportError", "export_xlsx"]

AMOUNT_FORMAT = "#,##0.00"
HEADER_FILL = "F2F2F2"


class XlsxExportError(OSError):
    """The file could not be written; `str()` says why in Chinese."""


@dataclass
class _Col:
    """One printed column: what it holds and its header path (top group → leaf)."""

    kind: str  # label | line | code | name | amount
    path: list[str]
    no: int = 0  # 栏次 for an amount column
    width: float = 14


def export_xlsx(workbook: Workbook, path: str | PathLike[str]) -> None:
    """Write ``workbook`` to ``path`` (replaced only once the new file is complete)."""
    from openpyxl import Workbook as XlBook  # lazy: start-up must not pay for openpyxl

    path = Path(path)
    book = XlBook()
    book.remove(book.active)
    for no in sorted(workbook.template.tables):
        _write_table(book.create_sheet(f"公开{no}表"), workbook, workbook.table(no))
    fd, tmp = tempfile.mkstemp(suffix=".xlsx", dir=path.parent if path.parent.is_dir() else None)
    os.close(fd)
    try:
        book.save(tmp)
        os.replace(tmp, path)
    except OSError as e:
        Path(tmp).unlink(missing_ok=True)
        raise XlsxExportError(f"无法保存“{path.name}”：{_why(e)}") from e


def _why(e: OSError) -> str:
    if isinstance(e, PermissionError):
        return "没有写入权限，或文件正在 Excel 中打开（请先关闭）"
    if isinstance(e, FileNotFoundError):
        return "保存位置不存在"
    return e.strerror or str(e)


# ── one table ──────────────────────────────────────────────────────────────
def _columns(wb: Workbook, t: TableSpec) -> list[_Col]:
    def amount(c: ColumnSpec, top: list[str]) -> _Col:
        return _Col("amount", top + [g for g in c.group.split("/") if g] + [c.label], c.no)

    if t.layout == "two_sides":
        cols: list[_Col] = []
        for side in ("收入", "支出"):
            cols += [_Col("label", [side, "项目"], width=34), _Col("line", [side, "行次"], width=6)]
            cols += [amount(c, [side]) for c in t.columns if c.side == side]
        return cols
    code_head = f"{t.classification}分类科目编码"
    if t.coded and t.layout == "three_groups":
        cols = []
        for title in t.group_titles or [""] * len(t.groups):
            top = [title] if title else []
            cols += [_Col("code", top + [code_head], width=10), _Col("name", top + ["科目名称"], width=24)]
            cols += [amount(c, top) for c in t.columns]
        return cols
    if t.coded:
        head = [_Col("code", ["项目", code_head], width=12), _Col("name", ["项目", "科目名称"], width=30)]
        return head + [amount(c, []) for c in t.columns]
    keyed = [r for r in t.rows if r.key]
    head = [_Col("label", ["项目"], width=30)] if len(keyed) > 1 else []
    return head + [amount(c, []) for c in t.columns]


def _write_table(ws, wb: Workbook, t: TableSpec) -> None:
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    cols = _columns(wb, t)
    n = len(cols)
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)

    ws.cell(1, 1, t.title).font = Font(bold=True, size=14)
    ws.cell(1, 1).alignment = Alignment(horizontal="center")
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=n)
    ws.cell(2, n, f"公开{t.no}表").alignment = Alignment(horizontal="right")
    ws.cell(3, 1, _safe(f"部门：{wb.department}"))
    ws.cell(3, max(2, (n + 1) // 2), f"{wb.year} 年度").alignment = Alignment(horizontal="center")
    ws.cell(3, n, "单位：万元").alignment = Alignment(horizontal="right")

    top = 4
    depth = max(len(c.path) for c in cols)
    _write_header(ws, cols, top, depth)
    r = top + depth
    if t.layout != "three_groups":
        _write_lanci(ws, cols, r)
        r += 1
    r = _write_rows(ws, wb, t, cols, r)
    for row in ws.iter_rows(min_row=top, max_row=r - 1, max_col=n):
        for cell in row:
            cell.border = box
            if cell.row < top + depth + (t.layout != "three_groups"):
                cell.alignment = center
                cell.fill = PatternFill("solid", fgColor=HEADER_FILL)
    if t.note:
        ws.cell(r, 1, t.note).alignment = Alignment(wrap_text=False)
        r += 1
    if t.empty_note and wb.is_empty(t.no) and not wb.codes(t.no):
        ws.cell(r, 1, f"说明：{t.empty_note}")
    from openpyxl.utils import get_column_letter

    for i, c in enumerate(cols, start=1):
        ws.column_dimensions[get_column_letter(i)].width = c.width
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def _write_header(ws, cols: list[_Col], top: int, depth: int) -> None:
    """Header rows: equal path prefixes merge across; a path that ends early merges down."""
    n = len(cols)
    for d in range(depth):
        i = 0
        while i < n:
            path = cols[i].path
            if d >= len(path):
                i += 1
                continue
            j = i
            while j + 1 < n and len(cols[j + 1].path) > d and cols[j + 1].path[: d + 1] == path[: d + 1]:
                j += 1
            bottom = top + depth - 1 if d == len(path) - 1 else top + d
            ws.cell(top + d, i + 1, path[d])
            if j > i or bottom > top + d:
                ws.merge_cells(start_row=top + d, start_column=i + 1, end_row=bottom, end_column=j + 1)
            i = j + 1


def _write_lanci(ws, cols: list[_Col], r: int) -> None:
    for i, c in enumerate(cols, start=1):
        if c.kind == "amount":
            ws.cell(r, i, str(c.no))
        elif c.kind in ("label", "code") and (i == 1 or cols[i - 2].kind == "amount"):
            ws.cell(r, i, "栏次")


def _amount(ws, r: int, c: int, value: Decimal | None) -> None:
    cell = ws.cell(r, c)
    if value is not None:
        # openpyxl writes a Decimal as a number ("%.16g"): exact for any amount we hold.
        cell.value = normalise(value)
    cell.number_format = AMOUNT_FORMAT


def _text(ws, r: int, c: int, value: str) -> None:
    cell = ws.cell(r, c, value)
    cell.number_format = "@"  # codes stay text: 2010301 is a name, not a number


def _safe(text: str) -> str:
    """Text without the control characters Excel refuses (a pasted name may carry one)."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub("", text)


def _write_rows(ws, wb: Workbook, t: TableSpec, cols: list[_Col], r: int) -> int:
    if t.layout == "two_sides":
        sides = [[row for row in t.rows if row.side == s] for s in ("收入", "支出")]
        for i in range(max(len(s) for s in sides)):
            for side_rows, first in zip(sides, _side_starts(cols)):
                if i < len(side_rows):
                    _fixed_row(ws, wb, t, cols, r, side_rows[i], first)
            r += 1
        return r
    if t.coded and t.layout == "three_groups":
        return _three_groups(ws, wb, t, cols, r)
    if t.coded:
        for row in t.total_rows:
            ws.cell(r, 1, row.label)
            ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=2)
            _amounts(ws, wb, t, cols, r, row.key or "", 0)
            r += 1
        for code in wb.codes(t.no):
            _text(ws, r, 1, code)
            ws.cell(r, 2, _safe(_name(wb, t, code)))
            _amounts(ws, wb, t, cols, r, code, 0)
            r += 1
        return r
    for row in t.rows:
        if row.key:
            if cols[0].kind == "label":
                ws.cell(r, 1, row.label)
            _amounts(ws, wb, t, cols, r, row.key, 0)
            r += 1
    return r


def _side_starts(cols: list[_Col]) -> list[int]:
    return [i for i, c in enumerate(cols) if c.kind == "label"]


def _fixed_row(ws, wb: Workbook, t: TableSpec, cols: list[_Col], r: int, row: RowSpec, first: int) -> None:
    if row.label:
        ws.cell(r, first + 1, row.label)
    if row.line is not None:
        ws.cell(r, first + 2, row.line)
    if row.key:
        end = next((i for i in range(first + 1, len(cols)) if cols[i].kind == "label"), len(cols))
        _amounts(ws, wb, t, cols[:end], r, row.key, first + 2)


def _amounts(ws, wb: Workbook, t: TableSpec, cols: list[_Col], r: int, key: str, start: int) -> None:
    for i in range(start, len(cols)):
        if cols[i].kind == "amount":
            _amount(ws, r, i + 1, wb.get(Cell(t.no, key, cols[i].no)))


def _name(wb: Workbook, t: TableSpec, code: str) -> str:
    # the clerk's (imported) name, else the catalog's: a published row always has a name
    return wb.row_label(t.no, code)


def _three_groups(ws, wb: Workbook, t: TableSpec, cols: list[_Col], r: int) -> int:
    """06: codes in the printed groups by their 类; totals on the last line as published."""
    groups: list[list[str]] = [[] for _ in t.groups]
    for code in wb.codes(t.no):
        g = next((i for i, cls in enumerate(t.groups) if code[:3] in cls), len(groups) - 1)
        groups[g].append(code)
    starts = [i for i, c in enumerate(cols) if c.kind == "code"]
    height = max((len(g) for g in groups), default=0)
    for k in range(height):
        for g, start in zip(groups, starts):
            if k < len(g):
                _text(ws, r + k, start + 1, g[k])
                ws.cell(r + k, start + 2, _safe(_name(wb, t, g[k])))
                _amount(ws, r + k, start + 3, wb.get(Cell(t.no, g[k], 1)))
    r += height
    # 人员经费合计 under the first group; 公用经费合计 labelled under the second, its figure in
    # the last group's column, exactly as the published tables print it.
    for k, total in enumerate(t.total_rows):
        start = starts[min(k, len(starts) - 1)]
        ws.cell(r, start + 1, total.label)
        last = k == len(t.total_rows) - 1
        value_col = starts[-1] + 3 if last else start + 3
        _amount(ws, r, value_col, wb.get(Cell(t.no, total.key or "", 1)))
    return r + 1
