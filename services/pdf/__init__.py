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
    from services.rounding import published

    workbook = published(workbook)  # a year kept in 元 prints balanced 万元 (舍位平衡)
    path = Path(path)
    tmp = path.with_name(path.name + ".part")
    try:
        pages, placeholders = build(workbook, str(tmp), progress)
        tmp.replace(path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return PdfResult(path, pages, time.perf_counter() - start, placeholders)
