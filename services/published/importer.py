"""Reading a published PDF into a year, and a Word file's texts into a year (导入公开文件).

`import_pdf`: the tables through the workbook import (`services.xlsx_import.import_grids`) from the
grid `pdf_read` builds, the text outside them into the year's texts (`sections`), the department and
year from the cover when the tables do not print them. `docx_texts`: a Word file's 概况 and 情况说明
section by section; its tables are left (it says so). Nothing is changed on failure: both raise
`PublishedReadError` with one line of Chinese.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from services.published.pdf_read import PdfReadError, read_pdf
from services.published.sections import paragraphs, split_sections
from services.workbook import Unread, Workbook
from services.xlsx_import import ImportResult, XlsxImportError, import_grids

_COVER = re.compile(r"(?P<year>(?:19|20)\d{2})\s*年度?.*?(?P<tail>部门决算)")
_YEAR = re.compile(r"(?:19|20)\d{2}\s*年度?")
_CONTENTS = re.compile(r"^(?:目\s*录|第[一二三四五]部分)")


class PublishedReadError(ValueError):
    """A published document that cannot be read; `str()` is one line in Chinese."""


def import_pdf(path: Path, year: int | None = None, template_id: str | None = None) -> ImportResult:
    """A published 部门决算 PDF as an imported year: tables, texts, and what could not be read."""
    try:
        doc = read_pdf(path)
    except PdfReadError as e:
        raise PublishedReadError(str(e)) from None
    paras = paragraphs(doc.lines)
    cover_dept, cover_year = cover(paras)
    notes: list[str] = []
    if year is None and cover_year is not None:
        year = cover_year
        notes.append(f"按封面“{cover_year}年度部门决算”取 {cover_year} 年")
    if not doc.grid.rows:
        raise PublishedReadError(f"“{path.name}”中没有找到带表格线的决算公开表（可能是扫描件或表格为图片），无法读取")
    try:
        res = import_grids([doc.grid], path, year, template_id, notes)
    except XlsxImportError as e:
        raise PublishedReadError(str(e).replace("决算公开表（按表名查找", "决算公开表（PDF 中按表名查找")) from None
    wb = res.workbook
    cut = {**pictured_tables(res, doc.pictures), **cut_tables(wb)}
    if cut:
        wb.set_unread({**wb.unread(), **cut})
        for no, lost in cut.items():
            res.notes.append(f"公开{no}表未能完整读入：{lost.why}；涉及该表的审核只作提示，不算错误")
    if cover_dept and not wb.department:
        from services.identity import department_name

        wb.department = department_name(cover_dept)
        res.notes[:] = [n for n in res.notes if not n.startswith("文件中没有找到“部门")]
        res.notes.append(f"部门名称按封面取“{wb.department}”")
    texts = split_sections(paras)
    wb.texts.update(texts)
    res.notes.append(f"读入了 {doc.pages} 页：{len(doc.table_pages)} 页表格，{len(texts)} 节文字（概况、情况说明）")
    return res


def pictured_tables(res: ImportResult, pictures: list[tuple[int, int]]) -> dict[str, Unread]:
    """The table a page printed as a picture falls in (the last one whose title is above it): the
    part of it on that page was not read."""
    starts = sorted((int(re.sub(r"^.*![A-Z]+", "", where)), no) for no, where in res.found.items())
    out: dict[str, Unread] = {}
    for row, page in pictures:
        before = [no for start, no in starts if start < row]  # the next table starts on the row after it
        if before:
            out[before[-1]] = Unread(f"第{page}页是图片，没有文字，表中印在这一页的部分未能读入")
    return out


def cut_tables(wb: Workbook) -> dict[str, Unread]:
    """Tables that hold figures but none in any of their 合计/总计 rows: a PDF's table that runs over
    a page the file lacks (or that is an image) loses its last rows without a trace in the grid, and
    the totals are printed last. Such a table is incomplete, so that its sums are not reported as
    errors. (A workbook is not read so: its rows cannot vanish between pages.)"""
    out: dict[str, Unread] = {}
    unread = wb.unread()
    for no, spec in wb.template.tables.items():
        totals = {r.key for r in (spec.total_rows if spec.coded else [r for r in spec.rows if r.computed]) if r.key}
        if no in unread or not totals:
            continue
        cells = [c for c, v in wb.values.items() if c.table == no and v != 0]
        if cells and not any(c.row in totals for c in cells):
            out[no] = Unread("没有读到合计（总计）行，表格可能跨页而有一页未能读入")
    return out


def cover(paras: list[str]) -> tuple[str, int | None]:
    """The department and year the cover prints, on one line or several, before the 目录
    ("上海市普陀区财政局" / "2024年度部门决算"; "2020年度" / "株洲市渌口区信访局" / "部门决算")."""
    lines: list[str] = []
    for p in paras[:12]:
        if _CONTENTS.match(p):
            break
        lines.append(p)
    joined = "".join(lines)
    m = _COVER.search(joined)
    if m is None:
        return "", None
    year = int(m.group("year"))
    dept = _YEAR.sub("", joined[: m.start("tail")]).strip()
    return (dept if 2 <= len(dept) <= 40 else ""), year


@dataclass
class DocxTexts:
    """What a Word file gave: texts by key, and what was noticed (tables left, nothing found)."""

    texts: dict[str, str]
    notes: list[str] = field(default_factory=list)
    department: str = ""
    year: int | None = None


def docx_texts(path: Path) -> DocxTexts:
    """The 概况 and 情况说明 of a Word file, section by section by their headings."""
    from services.published.docx_read import DocxReadError, read_docx

    try:
        doc = read_docx(path)
    except DocxReadError as e:
        raise PublishedReadError(str(e)) from None
    dept, year = cover(doc.paragraphs)
    texts = split_sections(doc.paragraphs)
    notes = []
    if doc.tables:
        notes.append(f"文件中有 {doc.tables} 张表格，未导入（表格请用 import-xlsx 或 import-pdf 导入）")
    if not texts:
        notes.append("没有找到“第一部分 …概况”或“第三部分 …情况说明”下按“一、”“（一）”编号的文字")
    return DocxTexts(texts, notes, dept, year)
