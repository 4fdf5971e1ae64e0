"""What every command shares: exit codes, reading a department file or a workbook, printing findings."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TextIO

from services.exchange.target import Target
from services.explanations import dormant, key_of
from services.findings import SEVERITY_ZH, Finding
from services.workbook import Workbook

if TYPE_CHECKING:
    from services.store.repository import Repository

#: 0 done; 1 errors found (or a file refused); 2 a file that cannot be read or written
EXIT_OK, EXIT_ERRORS, EXIT_UNREADABLE = 0, 1, 2
EXIT_REFUSED = 1


class Terminal:
    """A stream to a terminal that shows control characters escaped (``\x1b``, ``\r``, ``\u202e``):
    a name in a file can then neither move the cursor, recolour nor overwrite what is printed.
    Line breaks and tabs of our own output pass; a name's own line break is escaped where the
    name is printed (`services.identity.printable`), so it cannot start a forged line."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        from services.identity import printable

        return self.stream.write(printable(text, keep="\n\t"))

    def flush(self) -> None:
        self.stream.flush()

    def __getattr__(self, name: str) -> object:
        return getattr(self.stream, name)


class InputError(Exception):
    """A file that cannot be read; the message is one line of Chinese for the clerk."""


@dataclass
class Loaded:
    workbooks: list[Workbook]
    #: figures of an imported workbook that could not be placed, as readable lines
    unplaced: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def load_any(path: Target, year: int | None = None, template: str | None = None) -> Loaded:
    """Workbooks from a department file (.sqlite), a publication workbook (.xlsx) or a published
    PDF (its tables and texts); ``template``
    is the template id an imported workbook is read with (chosen from the file when ``None``)."""
    if isinstance(path, str):  # a district on a database server (`is_server`): its 汇总 years
        return _from_server(path, year)
    if not path.exists():
        raise InputError(f"找不到文件：{path}")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        from services.templates import TemplateError
        from services.xlsx_import import XlsxImportError, import_xlsx

        try:
            res = import_xlsx(path, year=year, template_id=template)
        except (XlsxImportError, TemplateError) as e:
            raise InputError(str(e)) from None
        return Loaded([res.workbook], [str(u) for u in res.unplaced], list(res.notes))
    if suffix == ".pdf":  # a published 部门决算: its tables and texts, read as an imported year
        from services.published.importer import PublishedReadError, import_pdf
        from services.templates import TemplateError

        try:
            res = import_pdf(path, year=year, template_id=template)
        except (PublishedReadError, TemplateError) as e:
            raise InputError(str(e)) from None
        return Loaded([res.workbook], [str(u) for u in res.unplaced], list(res.notes))
    from services.store import DepartmentFile, DepartmentFileError

    try:
        with DepartmentFile.open(path, readonly=True) as f:
            return _years(f, year, path.name)
    except DepartmentFileError as e:
        raise InputError(str(e)) from None


def title(wb: Workbook) -> str:
    return f"{wb.department or '（未填部门名称）'} {wb.year} 年度（模板：{wb.template.name}）"


def print_findings(wb: Workbook, findings: list[Finding], out: TextIO) -> None:
    from services.identity import printable

    out.write(printable(title(wb)) + "\n")
    if not findings:
        out.write("  审核通过：没有发现问题。\n")
        return
    by_table: dict[str, list[Finding]] = {}
    for f in findings:
        by_table.setdefault(f.table, []).append(f)
    for no in sorted(by_table):
        fs = by_table[no]
        out.write(f"\n公开{no}表 {fs[0].table_title}\n" if no.isdigit()
                  else "\n绩效自评表（附件）\n" if no == "绩效" else f"\n{fs[0].table_title}\n")
        for f in fs:
            note = wb.notes.get(key_of(f))
            mark = "✗" if f.is_error else "✓" if note else "!"
            out.write(f"  {mark} [{SEVERITY_ZH[f.severity]}{'·已说明' if note else ''}] {printable(f.message)}\n")
            if note:
                out.write(f"      出错说明：{printable(note)}\n")
    errors = sum(f.is_error for f in findings)
    explained = sum(key_of(f) in wb.notes for f in findings)
    out.write(f"\n共 {errors} 个错误，{len(findings) - errors} 个提示"
              f"{f'（{explained} 个已写出错说明）' if explained else ''}。\n")
    gone = dormant(wb.notes, findings)
    if gone:
        out.write(f"另有 {len(gone)} 条出错说明所说明的问题已消除（保留在文件中，问题再出现时重新显示）。\n")


def findings_json(results: list[tuple[Workbook, list[Finding]]]) -> list[dict]:
    """``check --json``: each year's findings, with its year and department (the window's
    ``--findings-json`` writes the same)."""
    return [{**f.as_json(), "explanation": wb.notes.get(key_of(f)), "year": wb.year, "department": wb.department}
            for wb, fs in results for f in fs]


def _from_server(url: str, year: int | None) -> Loaded:
    from services.exchange.district_file import DistrictError
    from services.exchange.district_store import label, reading

    try:
        with reading(url) as (district, _conn):
            return _years(district, year, label(url))
    except DistrictError as e:
        raise InputError(str(e)) from None


def _years(source: Repository, year: int | None, where: str) -> Loaded:
    """Every year of a department file or a district (or just ``year``, which must be there)."""
    years = source.years()
    if year is not None:
        if year not in years:
            raise InputError(f"{where} 中没有 {year} 年度的数据（已有：{'、'.join(map(str, years)) or '无'}）")
        years = [year]
    return Loaded([source.load(y) for y in years])
