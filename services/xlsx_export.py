"""Excel export (导出 Excel): a `Workbook` as the nine tables laid out as published.

The clerk sends this file to the finance bureau and pastes from it into the website, so it looks
like the printed tables: one sheet per table (公开01表 …), title, table number, 部门/年度/单位
line, then the printed-table model (`services.printed`, the layout the form and the PDF use):
header rows with merged group cells, the 栏次 row, data rows side by side as printed; the note. The same
layout reads back with `import_xlsx` without loss: amounts are numbers (exact to 15 digits, far
beyond 万元 with 6 decimals), codes are text, the year is printed.
"""

from __future__ import annotations

import os
import tempfile
from decimal import Decimal
from os import PathLike
from pathlib import Path

from services.money import normalise
from services.printed import PrintedTable
from services.templates import TableSpec
from services.workbook import Workbook
from services.xlsx_text import put

__all__ = ["XlsxExportError", "export_xlsx"]

AMOUNT_FORMAT = "#,##0.00"
HEADER_FILL = "F2F2F2"


class XlsxExportError(OSError):
    """The file could not be written; `str()` says why in Chinese."""


def export_xlsx(workbook: Workbook, path: str | PathLike[str]) -> None:
    """Write ``workbook`` to ``path`` (replaced only once the new file is complete)."""
    from openpyxl import Workbook as XlBook  # lazy: start-up must not pay for openpyxl

    from services.rounding import published

    workbook = published(workbook)  # a year kept in 元 exports balanced 万元 (舍位平衡)
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
#: column widths (Excel character units) by what the printed column holds
_WIDTHS = {"label": 30, "line": 6, "code": 11, "amount": 14}


def _write_table(ws, wb: Workbook, t: TableSpec) -> None:
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    p = PrintedTable(wb, t.no)
    n = max(p.column_count(), 1)
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)

    put(ws, 1, 1, t.title).font = Font(bold=True, size=14)
    ws.cell(1, 1).alignment = Alignment(horizontal="center")
    if n > 1:
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=n)
    if wb.template.print_numbers:
        put(ws, 2, n, f"公开{t.no}表").alignment = Alignment(horizontal="right")
    put(ws, 3, 1, f"部门：{wb.department}")
    put(ws, 3, max(2, (n + 1) // 2), f"{wb.year} 年度").alignment = Alignment(horizontal="center")
    put(ws, 3, n, "单位：万元").alignment = Alignment(horizontal="right")

    top = 4
    lines, cells = p.header_cells(lanci=p.prints_lanci)
    for h in cells:
        put(ws, top + h.row, h.column + 1, h.text)
        if h.rows > 1 or h.columns > 1:
            ws.merge_cells(start_row=top + h.row, start_column=h.column + 1,
                           end_row=top + h.row + h.rows - 1, end_column=h.column + h.columns)
    r = top + lines
    for line in range(p.row_count()):
        for j in range(p.column_count()):
            cell = p.cell(line, j)  # None for lead columns and blank places
            if cell is not None:
                _amount(ws, r, j + 1, wb.get(cell))
        for j, span, kind, row in p.lead_cells(line):
            if kind == "code":
                _text(ws, r, j + 1, row.code)
            elif kind == "line":
                if row.line is not None:
                    ws.cell(r, j + 1, row.line)
            elif row.label:
                put(ws, r, j + 1, row.label)
            if span > 1:
                ws.merge_cells(start_row=r, start_column=j + 1, end_row=r, end_column=j + span)
        r += 1
    for row_cells in ws.iter_rows(min_row=top, max_row=r - 1, max_col=n):
        for c in row_cells:
            c.border = box
            if c.row < top + lines:
                c.alignment = center
                c.fill = PatternFill("solid", fgColor=HEADER_FILL)
    if t.note:
        put(ws, r, 1, t.note).alignment = Alignment(wrap_text=False)
        r += 1
    if t.empty_note and wb.is_empty(t.no) and not wb.codes(t.no):
        put(ws, r, 1, f"说明：{t.empty_note}")
    for i, c in enumerate(p.columns, start=1):
        wide = c.kind == "label" and (t.coded or t.layout == "two_sides")
        ws.column_dimensions[get_column_letter(i)].width = 24 if wide and p.grouped else (34 if wide else _WIDTHS[c.kind])
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def _amount(ws, r: int, c: int, value: Decimal | None) -> None:
    cell = ws.cell(r, c)
    if value is not None:
        # openpyxl writes a Decimal as a number ("%.16g"): exact for any amount we hold.
        cell.value = normalise(value)
    cell.number_format = AMOUNT_FORMAT


def _text(ws, r: int, c: int, value: str) -> None:
    cell = put(ws, r, c, value)
    cell.number_format = "@"  # codes stay text: 2010301 is a name, not a number
