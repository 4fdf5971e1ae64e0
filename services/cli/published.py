"""The commands that read published documents back in (命令行): ``import-pdf``, ``import-docx``.

``check PUBLISHED.pdf`` needs no command of its own: `services.cli.common.load_any` reads a PDF as
an imported year. pdfplumber and python-docx are imported by these commands only.
"""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

from services.cli.common import EXIT_ERRORS, EXIT_OK, EXIT_UNREADABLE, print_findings


def cmd_import_pdf(src: Path, dest: Path, year: int | None, out: TextIO, err: TextIO, template: str | None = None) -> int:
    """``import-pdf IN.pdf -o DEPT.sqlite``: the PDF's tables and texts as that year of the file."""
    if src.suffix.lower() != ".pdf":
        err.write(f"无法导入：“{src.name}”不是 PDF 文件（Excel 报表请用 import-xlsx）\n")
        return EXIT_UNREADABLE
    from services.cli.tables import cmd_import_xlsx

    return cmd_import_xlsx(src, dest, year, out, err, template=template)


def cmd_import_docx(src: Path, dest: Path, year: int | None, out: TextIO, err: TextIO) -> int:
    """``import-docx IN.docx DEPT.sqlite``: the Word file's 概况 and 情况说明 into a year's texts
    (its sections replace the year's 情况说明 texts read before), then those texts checked
    against the year's tables. 0 done and no error, 1 done with errors in the year, 2 nothing done."""
    from services.exchange.district_file import is_district_file
    from services.published.importer import PublishedReadError, docx_texts
    from services.store import DepartmentFile, DepartmentFileError

    try:
        read = docx_texts(src)
    except PublishedReadError as e:
        err.write(f"无法导入：{e}\n")
        return EXIT_UNREADABLE
    if not read.texts:
        err.write(f"无法导入：{src.name} 中{read.notes[-1]}；{dest.name} 没有改动\n")
        return EXIT_UNREADABLE
    if not dest.is_file():
        err.write(f"无法导入：找不到部门数据文件“{dest.name}”（先用 import-xlsx 或 import-pdf 导入报表）\n")
        return EXIT_UNREADABLE
    if is_district_file(dest):
        err.write(f"无法导入：“{dest.name}”是区汇总文件，不是部门数据文件；{dest.name} 没有改动\n")
        return EXIT_UNREADABLE
    try:
        with DepartmentFile.open(dest) as f:
            years = f.years()
            chosen = _year(year, years, read.year)
            if chosen is None:
                have = "、".join(map(str, years)) or "无"
                err.write(f"无法导入：请用 --year 指定年度（{dest.name} 中有：{have}）；{dest.name} 没有改动\n")
                return EXIT_UNREADABLE
            wb = f.load(chosen)
            from services.published.sections import reading_spec

            prefix = reading_spec()["settings"]["narrative_prefix"] + "."
            replaced = sorted(k for k in wb.texts if k.startswith(prefix) and k not in read.texts)
            for k in replaced:  # a section the new text no longer has
                del wb.texts[k]
            wb.texts.update(read.texts)
            f.save(wb)
    except DepartmentFileError as e:
        err.write(f"无法导入：{e}\n")
        return EXIT_UNREADABLE
    for n in read.notes:
        out.write(f"说明：{n}\n")
    if read.department and wb.department and _differs(read.department, wb.department):
        out.write(f"说明：Word 文件封面的部门名称“{read.department}”与数据文件的“{wb.department}”不同，请核对\n")
    out.write(f"已从 {src.name} 读入 {wb.department} {wb.year} 年度的 {len(read.texts)} 节文字 → {dest}\n")
    for key in read.texts:
        out.write(f"  - {key}\n")
    from services.audit import VALIDATORS

    texts = dict(VALIDATORS)
    findings = [f for name in ("说明文字", "文字规则") if name in texts for f in texts[name](wb)]
    out.write("\n文字与报表核对：\n")
    print_findings(wb, findings, out)
    return EXIT_ERRORS if any(f.is_error for f in findings) else EXIT_OK


def _year(year: int | None, years: list[int], printed: int | None) -> int | None:
    if year is not None:
        return year if year in years else None
    if printed in years:
        return printed
    return years[0] if len(years) == 1 else None


def _differs(a: str, b: str) -> bool:
    from services.identity import name_key

    return name_key(a) != name_key(b)
