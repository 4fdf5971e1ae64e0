"""Publication PDF (公开文件PDF): the whole disclosure document, print-ready, in one call.

`export_pdf(workbook, path)` writes 封面, 目录, 部门概况, the year's 公开 tables, the 情况说明
drafted from the numbers, 名词解释 and 附件 as an A4 PDF with the bundled fonts embedded; the same
workbook always gives the same bytes. `cmd_export_pdf` is the command line's ``export-pdf``.

ReportLab is imported only when a PDF is made (it costs ~0.2 s), never at start-up: this module
imports nothing heavy, and the modules that do (`document`, `textflow`, `charts`) are loaded
inside `export_pdf`. This package only typesets: the text it prints is drafted by
`services.disclosure` (without ReportLab, also used by the checks and the window). Modules:
`fonts`, `linebreak` (Chinese line-breaking rules), `styles`, `tables`, `charts`, `textflow`,
`document`, `performance` (the 绩效 attachments).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from services.workbook import Workbook

#: progress(done, total, what): called as each stage starts (for a progress bar)
Progress = Callable[[int, int, str], None]


@dataclass
class PdfResult:
    path: Path
    pages: int
    seconds: float
    #: what the clerk still has to write or enter (printed as 【请填写：…】 in the PDF)
    placeholders: list[str] = field(default_factory=list)


def export_pdf(workbook: Workbook, path: str | Path, *, progress: Progress | None = None) -> PdfResult:
    """Write the publication PDF of one department-year to ``path``.

    Raises `OSError` when the file cannot be written; bad or missing data never raises: what is
    missing prints as a visible placeholder and is listed in `PdfResult.placeholders`.
    """
    start = time.perf_counter()
    from services.pdf.document import build  # lazy: ReportLab

    path = Path(path)
    tmp = path.with_name(path.name + ".part")
    try:
        pages, placeholders = build(workbook, str(tmp), progress)
        tmp.replace(path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return PdfResult(path, pages, time.perf_counter() - start, placeholders)


def cmd_export_pdf(src: Path, year: int | None, dest: Path, out: TextIO, err: TextIO) -> int:
    """``main.py export-pdf PATH [--year Y] -o OUT.pdf``: 0 written, 2 unreadable or unwritable."""
    from services.commands import EXIT_OK, EXIT_UNREADABLE, InputError, load_any

    try:
        loaded = load_any(src, year)
    except InputError as e:
        err.write(f"无法读取：{e}\n")
        return EXIT_UNREADABLE
    if not loaded.workbooks:
        err.write(f"无法读取：{src.name} 中没有任何年度的数据\n")
        return EXIT_UNREADABLE
    wb = max(loaded.workbooks, key=lambda w: w.year)
    if year is None and len(loaded.workbooks) > 1:
        out.write(f"文件中有多个年度，导出最新的 {wb.year} 年度（可用 --year 指定）。\n")
    try:
        res = export_pdf(wb, dest)
    except OSError as e:
        err.write(f"无法写入 {dest}：{e.strerror or e}\n")
        return EXIT_UNREADABLE
    out.write(f"已导出 {wb.department} {wb.year} 年度公开文件到 {dest}：共 {res.pages} 页，用时 {res.seconds:.2f} 秒。\n")
    _report_checks(wb, out)
    if res.placeholders:
        out.write(f"还有 {len(res.placeholders)} 处需要单位填写（PDF 中以红色“【请填写：…】”标出）：\n")
        for p in res.placeholders:
            out.write(f"  - {p}\n")
    return EXIT_OK


def _report_checks(wb: Workbook, out: TextIO) -> None:
    """One line on the checks, so a clerk does not publish a table that does not reconcile."""
    from services.engine import check_workbook

    findings = check_workbook(wb)  # tables, the clerk's texts and the 绩效 forms
    if findings:
        errors = sum(f.is_error for f in findings)
        out.write(f"注意：审核发现 {errors} 个错误、{len(findings) - errors} 个提示（用 check 命令查看），公开前请核对。\n")
