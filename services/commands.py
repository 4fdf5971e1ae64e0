"""The command-line operations (命令行): check, import and export, without any Qt.

`main.py` parses arguments and calls these; each returns an exit code and writes plain Chinese
to the given streams. Heavy libraries (SQLAlchemy, openpyxl) are imported only by the command
that needs them, so ``main.py --help`` and the GUI start quickly.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from services.findings import SEVERITY_ZH, Finding
from services.workbook import Workbook

EXIT_OK, EXIT_ERRORS, EXIT_UNREADABLE = 0, 1, 2


class InputError(Exception):
    """A file that cannot be read; the message is one line of Chinese for the clerk."""


@dataclass
class Loaded:
    workbooks: list[Workbook]
    #: figures of an imported workbook that could not be placed, as readable lines
    unplaced: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def load_any(path: Path, year: int | None = None, template: str | None = None) -> Loaded:
    """Workbooks from a department file (.sqlite) or a publication workbook (.xlsx); ``template``
    is the template id an imported workbook is read with (chosen from the file when ``None``)."""
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
    from services.store import DepartmentFile, DepartmentFileError

    try:
        with DepartmentFile.open(path, readonly=True) as f:
            years = f.years()
            if year is not None:
                if year not in years:
                    raise InputError(f"{path.name} 中没有 {year} 年度的数据（已有：{'、'.join(map(str, years)) or '无'}）")
                years = [year]
            return Loaded([f.load(y) for y in years])
    except DepartmentFileError as e:
        raise InputError(str(e)) from None


def _title(wb: Workbook) -> str:
    return f"{wb.department or '（未填部门名称）'} {wb.year} 年度（模板：{wb.template.name}）"


def print_findings(wb: Workbook, findings: list[Finding], out: TextIO) -> None:
    out.write(_title(wb) + "\n")
    if not findings:
        out.write("  审核通过：没有发现问题。\n")
        return
    by_table: dict[str, list[Finding]] = {}
    for f in findings:
        by_table.setdefault(f.table, []).append(f)
    for no in sorted(by_table):
        fs = by_table[no]
        out.write(f"\n公开{no}表 {fs[0].table_title}\n" if no.isdigit() else "\n绩效自评表（附件）\n")
        for f in fs:
            mark = "✗" if f.is_error else "!"
            out.write(f"  {mark} [{SEVERITY_ZH[f.severity]}] {f.message}\n")
    errors = sum(f.is_error for f in findings)
    out.write(f"\n共 {errors} 个错误，{len(findings) - errors} 个提示。\n")


def cmd_templates(as_json: bool, out: TextIO) -> int:
    """The bundled templates: id, region, years, what each extends, and its tables in order."""
    from services.templates import all_templates

    temps = sorted(all_templates().values(), key=lambda t: (t.region != "全国", t.region, min(t.years), t.id))
    if as_json:
        items = [
            {"id": t.id, "name": t.name, "region": t.region, "years": t.years, "extends": t.extends or None,
             "tables": [{"no": s.no, "title": s.title} for s in t.tables.values()]}
            for t in temps
        ]
        json.dump(items, out, ensure_ascii=False, indent=2)
        out.write("\n")
        return EXIT_OK
    for t in temps:
        years = "、".join(map(str, t.years))
        base = f"，在 {t.extends} 基础上改动" if t.extends else ""
        out.write(f"{t.id}  {t.name}（地区：{t.region}；年度：{years}{base}）\n")
        for s in t.tables.values():
            out.write(f"    {s.no}  {s.title}\n")
    return EXIT_OK


def findings_json(results: list[tuple[Workbook, list[Finding]]]) -> list[dict]:
    """``check --json``: each year's findings, with its year and department (the window's
    ``--findings-json`` writes the same)."""
    return [{**f.as_json(), "year": wb.year, "department": wb.department} for wb, fs in results for f in fs]


def cmd_check(path: Path, year: int | None, as_json: bool, out: TextIO, err: TextIO, template: str | None = None) -> int:
    from services.engine import check_workbook

    try:
        loaded = load_any(path, year, template)
    except InputError as e:
        err.write(f"无法读取：{e}\n")
        return EXIT_UNREADABLE
    results = [(wb, check_workbook(wb)) for wb in loaded.workbooks]
    if as_json:
        json.dump(findings_json(results), out, ensure_ascii=False, indent=2)
        out.write("\n")
    else:
        for n in loaded.notes:
            out.write(f"说明：{n}\n")
        for wb, fs in results:
            print_findings(wb, fs, out)
        _print_unplaced(loaded, out)
    if loaded.unplaced and as_json:
        err.write(f"注意：有 {len(loaded.unplaced)} 个数据未能识别（不加 --json 运行可查看）。\n")
    return EXIT_ERRORS if any(f.is_error for _, fs in results for f in fs) else EXIT_OK


def _print_unplaced(loaded: Loaded, out: TextIO) -> None:
    if loaded.unplaced:
        out.write(f"\n以下 {len(loaded.unplaced)} 个数据未能放入报表，请核对：\n")
        for u in loaded.unplaced:
            out.write(f"  - {u}\n")


def cmd_import_xlsx(src: Path, dest: Path, year: int | None, out: TextIO, err: TextIO, template: str | None = None) -> int:
    """Import a workbook into a department file, adding or replacing that year."""
    from services.store import DepartmentFile, DepartmentFileError

    try:
        loaded = load_any(src, year, template)
    except InputError as e:
        err.write(f"无法导入：{e}\n")
        return EXIT_UNREADABLE
    wb = loaded.workbooks[0]
    try:
        if dest.exists():
            with DepartmentFile.open(dest) as f:
                replaced = wb.year in f.years()
                f.save(wb)
        else:
            with DepartmentFile.create(dest, wb.department, wb.department_code) as f:
                replaced = False
                f.save(wb)
    except DepartmentFileError as e:
        err.write(f"无法写入：{e}\n")
        return EXIT_UNREADABLE
    for n in loaded.notes:
        out.write(f"说明：{n}\n")
    if template is None:
        out.write("（另选报表模板：加 --template 模板编号；templates 命令列出全部模板）\n")
    action = "替换了" if replaced else "导入了"
    tables = len({c.table for c in wb.values})
    out.write(f"已从 {src.name} {action} {wb.department} {wb.year} 年度：{tables} 张表、{len(wb.values)} 个数据 → {dest}\n")
    _print_unplaced(loaded, out)
    return EXIT_OK


def cmd_export_xlsx(src: Path, year: int | None, dest: Path, out: TextIO, err: TextIO) -> int:
    from services.xlsx_export import export_xlsx

    try:
        loaded = load_any(src, year)
    except InputError as e:
        err.write(f"无法读取：{e}\n")
        return EXIT_UNREADABLE
    wb = max(loaded.workbooks, key=lambda w: w.year)
    if year is None and len(loaded.workbooks) > 1:
        out.write(f"文件中有多个年度，导出最新的 {wb.year} 年度（可用 --year 指定）。\n")
    try:
        export_xlsx(wb, dest)
        if src.suffix.lower() == ".sqlite":
            from services.exchange.district_file import is_district_file

            if is_district_file(src):  # the 汇总 tables, then who submitted and what is outstanding
                from services.exchange.status import export_status_sheet

                export_status_sheet(src, wb.year, dest)
                out.write("已附上“上报情况”工作表。\n")
    except OSError as e:
        err.write(f"无法写入 {dest}：{e.strerror or e}\n")
        return EXIT_UNREADABLE
    out.write(f"已导出 {wb.department} {wb.year} 年度到 {dest}\n")
    return EXIT_OK
