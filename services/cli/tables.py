"""The clerk's commands on tables (命令行): ``templates``, ``check``, ``import-xlsx``,
``export-xlsx``, ``export-pdf``.

Each returns an exit code and writes plain Chinese to the given streams. Heavy libraries
(SQLAlchemy, openpyxl, ReportLab) are imported only by the command that needs them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TextIO

from services.cli.common import EXIT_ERRORS, EXIT_OK, EXIT_UNREADABLE, InputError, Loaded, findings_json, load_any, print_findings
from services.exchange.target import Target, label
from services.workbook import Workbook


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
    from services.exchange.district_file import is_district_file

    if dest.exists() and is_district_file(dest):  # its year is the 汇总, and the name the district's
        err.write(f"无法导入：“{dest.name}”是区汇总文件，不是部门数据文件；区汇总只由 consolidate 生成，"
                  f"请把 Excel 报表导入到部门数据文件。{dest.name} 没有改动。\n")
        return EXIT_UNREADABLE
    try:
        if dest.exists():
            with DepartmentFile.open(dest) as f:
                replaced = wb.year in f.years()
                if replaced:  # the clerk's 出错说明 stay with the year (a workbook brings none)
                    wb.notes = f.load(wb.year).notes
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


def cmd_export_xlsx(src: Target, year: int | None, dest: Path, out: TextIO, err: TextIO) -> int:
    from services.xlsx_export import export_xlsx

    wb = _year_to_export(src, year, out, err)
    if wb is None:
        return EXIT_UNREADABLE
    try:
        export_xlsx(wb, dest)
        if isinstance(src, str) or src.suffix.lower() == ".sqlite":  # a server district, or maybe a district file
            from services.exchange.district_store import is_district

            if is_district(src):  # the 汇总 tables, then who submitted and what is outstanding
                from services.exchange.status import export_status_sheet

                export_status_sheet(src, wb.year, dest)
                out.write("已附上“上报情况”工作表。\n")
    except OSError as e:
        err.write(f"无法写入 {dest}：{e.strerror or e}\n")
        return EXIT_UNREADABLE
    out.write(f"已导出 {wb.department} {wb.year} 年度到 {dest}\n")
    return EXIT_OK


def cmd_export_pdf(src: Target, year: int | None, dest: Path, out: TextIO, err: TextIO) -> int:
    """``main.py export-pdf PATH [--year Y] -o OUT.pdf``: 0 written, 2 unreadable or unwritable."""
    from services.pdf import export_pdf

    wb = _year_to_export(src, year, out, err)
    if wb is None:
        return EXIT_UNREADABLE
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


def _year_to_export(src: Target, year: int | None, out: TextIO, err: TextIO) -> Workbook | None:
    """The year an export writes: ``year``, or the latest (saying so when there are several);
    None, with the reason written, when there is none."""
    try:
        loaded = load_any(src, year)
    except InputError as e:
        err.write(f"无法读取：{e}\n")
        return None
    if not loaded.workbooks:
        err.write(f"无法读取：{label(src)} 中没有任何年度的数据\n")
        return None
    wb = max(loaded.workbooks, key=lambda w: w.year)
    if year is None and len(loaded.workbooks) > 1:
        out.write(f"文件中有多个年度，导出最新的 {wb.year} 年度（可用 --year 指定）。\n")
    return wb


def _report_checks(wb: Workbook, out: TextIO) -> None:
    """One line on the checks, so a clerk does not publish a table that does not reconcile."""
    from services.engine import check_workbook

    findings = check_workbook(wb)  # tables, the clerk's texts and the 绩效 forms
    if findings:
        errors = sum(f.is_error for f in findings)
        out.write(f"注意：审核发现 {errors} 个错误、{len(findings) - errors} 个提示（用 check 命令查看），公开前请核对。\n")
