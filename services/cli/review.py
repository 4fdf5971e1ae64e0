"""The clerk's review commands: ``note`` (出错说明 on a finding) and ``report`` (审核情况).

``note`` edits through the one editing session (`services.session.EntrySession.explain`), as the
findings panel does, so the file gets exactly what the window would write.
"""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

from services.cli.common import EXIT_ERRORS, EXIT_OK, EXIT_UNREADABLE


def _year(years: list[int], year: int | None, path: Path, err: TextIO) -> int | None:
    if not years:
        err.write(f"无法读取：{path.name} 中没有任何年度的数据\n")
        return None
    if year is None:
        return years[-1]
    if year not in years:
        err.write(f"无法读取：{path.name} 中没有 {year} 年度的数据（已有：{'、'.join(map(str, years))}）\n")
        return None
    return year


def cmd_note(path: Path, year: int | None, number: int | None, text: str | None, out: TextIO, err: TextIO) -> int:
    """``main.py note DEPT.sqlite [--year Y] [--finding N --text 说明]``: without ``--finding``,
    list the year's findings numbered, with their explanations; with it, write (or with
    ``--text ''`` remove) the explanation of finding N."""
    from services.forms import EntryError
    from services.identity import printable
    from services.session import EntrySession
    from services.store import DepartmentFile, DepartmentFileError

    try:
        with DepartmentFile.open(path, readonly=number is None) as f:
            y = _year(f.years(), year, Path(path), err)
            if y is None:
                return EXIT_UNREADABLE
            session = EntrySession(f.load(y), f, (DepartmentFileError, OSError))
            findings = session.audit.findings()
            if number is None:
                for i, fd in enumerate(findings, 1):
                    note = session.explanation(fd)
                    out.write(f"{i:>3}. [{'错误' if fd.is_error else '提示'}{'·已说明' if note else ''}] "
                              f"{printable(fd.message)}\n")
                    if note:
                        out.write(f"     出错说明：{printable(note)}\n")
                if not findings:
                    out.write("审核通过：没有发现问题。\n")
                return EXIT_OK
            if not 1 <= number <= len(findings):
                err.write(f"没有第 {number} 个问题（{y} 年度共 {len(findings)} 个，见 note 命令不加 --finding 的列表）；"
                          f"{Path(path).name} 没有改动\n")
                return EXIT_ERRORS
            target = findings[number - 1]
            try:
                change = session.explain(target, text or "")
            except EntryError as e:
                err.write(f"{e}；{Path(path).name} 没有改动\n")
                return EXIT_ERRORS
            if change.save_error:
                err.write(f"无法保存：{change.save_error}\n")
                return EXIT_UNREADABLE
    except DepartmentFileError as e:
        err.write(f"无法打开：{e}\n")
        return EXIT_UNREADABLE
    note = session.explanation(target)
    out.write(f"第 {number} 个问题（{printable(target.message)}）的出错说明"
              f"{'：' + printable(note) if note else '已删除'}。\n")
    return EXIT_OK


def cmd_report(path: Path, year: int | None, output: Path, out: TextIO, err: TextIO) -> int:
    """``main.py report DEPT.sqlite [--year Y] -o 审核情况.pdf|.xlsx``."""
    from services.engine import check_workbook
    from services.review import summary, write_pdf, write_xlsx
    from services.store import DepartmentFile, DepartmentFileError

    suffix = Path(output).suffix.lower()
    if suffix not in (".pdf", ".xlsx"):
        err.write(f"审核情况只能导出为 .pdf 或 .xlsx（给出的是“{Path(output).name}”）\n")
        return EXIT_UNREADABLE
    try:
        with DepartmentFile.open(path, readonly=True) as f:
            y = _year(f.years(), year, Path(path), err)
            if y is None:
                return EXIT_UNREADABLE
            wb = f.load(y)
    except DepartmentFileError as e:
        err.write(f"无法读取：{e}\n")
        return EXIT_UNREADABLE
    findings = check_workbook(wb)
    try:
        (write_pdf if suffix == ".pdf" else write_xlsx)(wb, findings, Path(output))
    except OSError as e:
        err.write(f"无法写入 {Path(output).name}（{e.strerror or e}）\n")
        return EXIT_UNREADABLE
    out.write(f"{summary(wb, findings)}\n已导出：{output}\n")
    return EXIT_OK
