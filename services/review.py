"""The 审核情况 report: every finding of a year with the clerk's explanation, for the clerk's files.

Not part of the public document (the PDF prints no finding): the clerk prints or files it with the
submission, as the official software's 审核结果 with its 出错说明. One list, `lines`, drawn as an
Excel sheet (`write_xlsx`) or an A4 PDF (`write_pdf`) with the bundled fonts.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from services.explanations import dormant, key_of
from services.findings import SEVERITY_ZH, Finding
from services.workbook import Workbook

HEADERS = ["序号", "级别", "表", "行", "栏", "审核说明", "出错说明", "状态"]


@dataclass(frozen=True)
class Line:
    no: int
    severity: str
    where: str
    row: str
    column: str
    message: str
    explanation: str
    state: str


def state_of(f: Finding, note: str | None) -> str:
    if note:
        return "已说明"
    return "未说明（错误须改正，或强制上报并说明）" if f.is_error else "未说明"


def lines(wb: Workbook, findings: list[Finding]) -> list[Line]:
    """The findings in the audit's order, each with its explanation; then the explanations kept
    for findings that are no longer there (已消除)."""
    out = []
    for i, f in enumerate(findings, 1):
        note = wb.notes.get(key_of(f))
        where = f"公开{f.table}表" if f.table.isdigit() else f.table_title
        out.append(Line(i, SEVERITY_ZH[f.severity], where, f.row, f.column, f.message, note or "", state_of(f, note)))
    for k, text in sorted(dormant(wb.notes, findings).items()):
        rule, table, row, column = k
        where = f"公开{table}表" if table.isdigit() else table
        out.append(Line(0, "", where, row, column, f"（规则 {rule}）", text, "问题已消除"))
    return out


def summary(wb: Workbook, findings: list[Finding]) -> str:
    errors = sum(f.is_error for f in findings)
    explained = sum(key_of(f) in wb.notes for f in findings)
    return (f"{wb.department or '本部门'} {wb.year} 年度审核情况：{errors} 个错误，{len(findings) - errors} 个提示，"
            f"其中 {explained} 个已写出错说明，{len(findings) - explained} 个未说明。")


def write_xlsx(wb: Workbook, findings: list[Finding], path: Path) -> None:
    from openpyxl import Workbook as Book
    from openpyxl.styles import Alignment, Font

    from services.xlsx_text import append

    book = Book()
    ws = book.active
    ws.title = "审核情况"
    append(ws, [f"{wb.department} {wb.year} 年度部门决算审核情况"])
    ws["A1"].font = Font(bold=True, size=14)
    append(ws, [summary(wb, findings)])
    append(ws, list[object](HEADERS))
    for cell in ws[3]:
        cell.font = Font(bold=True)
    for line in lines(wb, findings):
        append(ws, [line.no or "", line.severity, line.where, line.row, line.column, line.message, line.explanation,
                    line.state])
        for cell in ws[ws.max_row]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for col, width in zip("ABCDEFGH", (6, 8, 12, 22, 18, 60, 40, 16)):
        ws.column_dimensions[col].width = width
    _save(book.save, path)


def write_pdf(wb: Workbook, findings: list[Finding], path: Path) -> None:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

    from services.pdf.fonts import HEI, SONG, register

    register()
    body = ParagraphStyle("审核情况", fontName=SONG, fontSize=8.5, leading=11, wordWrap="CJK")
    head = ParagraphStyle("标题", fontName=HEI, fontSize=15, leading=20, spaceAfter=6)
    note = ParagraphStyle("摘要", fontName=SONG, fontSize=10, leading=14, spaceAfter=8, wordWrap="CJK")

    def p(text: str, style: ParagraphStyle = body) -> Paragraph:
        from xml.sax.saxutils import escape

        from services.xlsx_text import clean

        return Paragraph(escape(clean(text)), style)

    rows = [[p(h) for h in HEADERS]]
    rows += [[p(str(x.no or "")), p(x.severity), p(x.where), p(x.row), p(x.column), p(x.message), p(x.explanation),
              p(x.state)] for x in lines(wb, findings)]
    widths = [w * mm for w in (10, 12, 20, 34, 28, 84, 62, 24)]
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.9, 0.92, 0.95))]))
    flows = [p(f"{wb.department} {wb.year} 年度部门决算审核情况", head), p(summary(wb, findings), note), table]

    def build(target: str) -> None:
        doc = SimpleDocTemplate(target, pagesize=landscape(A4), leftMargin=12 * mm, rightMargin=12 * mm,
                                topMargin=12 * mm, bottomMargin=12 * mm, title="审核情况", invariant=1)
        doc.build(flows)

    _save(build, path)


def _save(write, path: Path) -> None:  # noqa: ANN001
    """Written beside and moved into place: a failure leaves no half file."""
    part = path.with_name(f"{path.name}.{os.getpid()}.part")
    try:
        write(str(part))
        os.replace(part, path)
    finally:
        part.unlink(missing_ok=True)
