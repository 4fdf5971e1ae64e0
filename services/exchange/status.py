"""The district's status report (上报情况): who submitted what, when, and what is still wrong.

For the bureau's command line (``status``, `services.cli.district`), for a sheet added to an exported workbook
(`export_status_sheet`) and for the district window, through one `District` opened (and
inspected) once per command or action: the departments with their status (`status`), one
department's workbook (`department`), its findings (`findings`) and history (`history`), and the
consolidated workbook (`consolidated`). All are read-only.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from sqlalchemy import Connection, Row, inspect

from services.exchange import ledger, roster
from services.exchange.content import SealedFinding, workbook_of
from services.exchange.district_file import DistrictError
from services.exchange.district_store import reading
from services.exchange.roster import RosterEntry
from services.exchange.target import Target
from services.store import DepartmentFileError
from services.templates import TemplateError, get_template
from services.workbook import Cell, Workbook


@dataclass(frozen=True)
class DepartmentStatus:
    """One department-year as the district holds it (its current submission, or a historic one)."""

    submission_id: int
    key: str
    code: str
    name: str
    year: int
    template_id: str
    sealed_at: str
    received_at: str
    source: str
    app_version: str
    allow_errors: bool
    sealed_errors: int
    sealed_warnings: int
    #: the bureau's re-check: errors outstanding (未改正的错误) and warnings
    errors: int
    warnings: int
    #: how many submissions this department-year has had (1 = never replaced)
    times: int
    digest: str
    replaced_at: str | None = None


@dataclass(frozen=True)
class StatusReport:
    district: Path
    name: str
    year: int | None
    departments: list[DepartmentStatus]
    #: the departments expected to report (应报部门名单); empty when the bureau gave none
    roster: list[RosterEntry] = field(default_factory=list)

    @property
    def with_errors(self) -> list[DepartmentStatus]:
        return [d for d in self.departments if d.errors]

    def missing(self, year: int) -> list[RosterEntry]:
        """The departments on the roster with no submission for ``year`` (未报送): matched by
        code, or by name for an entry without a code."""
        from services.identity import name_key, normal_code

        have = [d for d in self.departments if d.year == year]
        codes, names = {normal_code(d.code) for d in have if d.code}, {name_key(d.name) for d in have}
        return [e for e in self.roster
                if not (normal_code(e.code) in codes if e.code else name_key(e.name) in names)]

    def years(self) -> list[int]:
        """The years the report covers: the one asked for, or every year with a submission."""
        return [self.year] if self.year is not None else sorted({d.year for d in self.departments})


def _status(r: Row) -> DepartmentStatus:
    return DepartmentStatus(
        r.id, r.key, r.code, r.department_name, r.year, r.template_id, r.sealed_at, r.received_at, r.source,
        r.app_version, bool(r.allow_errors), r.sealed_errors, r.sealed_warnings, r.errors, r.warnings,
        r.times, r.digest, r.replaced_at,
    )


class District:
    """A district file opened for reading once — inspected once — for everything one command or
    one action of the window reads of it (``with District(path) as d:``). Nothing is kept open
    between actions: a consolidation must be able to replace the file."""

    def __init__(self, path: Target) -> None:
        self.path = path if isinstance(path, str) else Path(path)
        self._opened = reading(self.path)
        self.file, self._conn = self._opened.__enter__()

    def close(self) -> None:
        self._opened.__exit__(None, None, None)

    def __enter__(self) -> District:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def status(self, year: int | None = None) -> StatusReport:
        """Every department's current submission (of ``year``, or of every year)."""
        c = self._conn
        with c.begin():
            rows = [_status(r) for r in ledger.submissions(c, year)]
            expected = roster.entries(c) if inspect(c).has_table(roster.ROSTER.name) else []
        return StatusReport(self.path, self.file.department()[0], year, rows, expected)

    def departments(self, year: int) -> list[DepartmentStatus]:
        return self.status(year).departments

    def history(self, year: int, key: str) -> list[DepartmentStatus]:
        """Every submission of one department-year, the current one first."""
        with self._conn.begin():
            return [_status(r) for r in ledger.submissions(self._conn, year, with_history=True, key=key)]

    def department(self, year: int, key: str) -> Workbook:
        """One department's current submission as a workbook (to show read-only)."""
        c = self._conn
        with c.begin():
            row = _current(c, year, key)
            try:
                template = get_template(row.template_id)
            except TemplateError as e:
                raise DistrictError(str(e)) from None
            wb = workbook_of(ledger.content(c, row.id), template)
        for t in template.tables.values():  # a coded table the department left empty
            if t.coded:
                wb.coded.setdefault(t.no, {})
        return wb

    def explained(self, year: int, key: str) -> list[tuple[SealedFinding, str]]:
        """The findings sealed with the clerk's explanation (出错说明), in the order sealed."""
        from services.exchange.content import notes_of
        from services.explanations import key_of

        with self._conn.begin():
            content = ledger.content(self._conn, _current(self._conn, year, key).id)
        notes = notes_of({k: t for k, t in content.texts})
        sealed = [SealedFinding(*row) for row in content.findings]
        return [(f, notes[key_of(f)]) for f in sealed if key_of(f) in notes]

    def findings(self, year: int, key: str) -> list[Row]:
        """The re-check findings of one department's current submission (rows of `DistrictFinding`)."""
        with self._conn.begin():
            return ledger.findings(self._conn, _current(self._conn, year, key).id)

    def contributions(self, year: int, table: str, row: str, col: int) -> list[tuple[DepartmentStatus, Decimal]]:
        """Drill-down (穿透查询): the departments whose current submissions make up one cell of the
        汇总, largest first (then by name)."""
        with self._conn.begin():
            amounts = dict(ledger.contributions(self._conn, year, table, row, col))
            deps = {r.id: _status(r) for r in ledger.submissions(self._conn, year)} if amounts else {}
        return sorted(((deps[sid], a) for sid, a in amounts.items()), key=lambda p: (-p[1], p[0].name))

    def explanation(self, year: int, table: str, row: str, col: int) -> tuple[str, list[str]]:
        """The drill-down in words: a headline (the cell and its 汇总数) and a line per department
        (amount, share, name), for the command line and the window alike."""
        from services.money import format_wan

        wb = self.consolidated(year)
        if table not in wb.template.tables:
            raise DistrictError(f"{year} 年度的报表模板中没有公开{table}表")
        parts = self.contributions(year, table, row, col)
        total = wb.get(Cell(table, row, col))
        name = wb.row_label(table, row) if wb.has_row(table, row) else ""
        where = f"公开{table}表 {row}{' ' + name if name and name != row else ''}（栏{col}）"
        head = f"{wb.department} {year} 年度 {where}汇总数 {format_wan(total) or '（空）'} 万元，由 {len(parts)} 个部门组成："
        lines = [f"{format_wan(a):>14}  {f'{a / total * 100:6.2f}%' if total else '      —'}  {d.name}{code_text(d.code)}"
                 for d, a in parts]
        return head, lines

    def offsets(self, year: int) -> tuple[list, list]:
        """The year's offsets (抵消) and each cell they change: (cell, plain sum, taken out, after)."""
        from services.exchange import offsets

        with self._conn.begin():
            if not inspect(self._conn).has_table(offsets.OFFSET.name):  # a district from before offsets
                return [], []
            return offsets.offsets(self._conn, year), offsets.before_after(self._conn, year)

    def consolidated(self, year: int) -> Workbook:
        """The district's 汇总 workbook for ``year``."""
        try:
            return self.file.load(year)
        except DepartmentFileError as e:  # no such year
            raise DistrictError(str(e)) from None


def _current(c: Connection, year: int, key: str) -> Row:
    rows = ledger.submissions(c, year, key=key)
    if not rows:
        raise DistrictError(f"区汇总文件中没有“{key}”的 {year} 年度上报")
    return rows[0]


# ── the command line and the sheet ─────────────────────────────────────────
def when_text(stamp: str) -> str:
    """``2021-03-05T09:30:12+08:00`` as a clerk reads it: ``2021-03-05 09:30``."""
    return stamp[:16].replace("T", " ")


def check_text(d: DepartmentStatus) -> str:
    forced = "，强制上报" if d.allow_errors else ""
    return f"封存时 {d.sealed_errors} 错 {d.sealed_warnings} 提示{forced}；复核 {d.errors} 错 {d.warnings} 提示"


def code_text(code: str) -> str:
    return f"（{code}）" if code else ""


HEADERS = ["部门", "部门代码", "年度", "封存时间", "收到时间", "上报次数", "封存时错误", "封存时提示",
           "强制上报", "复核错误", "复核提示", "来源文件", "校验码"]


def export_status_sheet(district_path: Target, year: int | None, xlsx_path: Path, title: str = "上报情况") -> None:
    """Add (or replace) a sheet listing every department's status to an existing workbook,
    e.g. right after `export_xlsx` of the consolidated year; the outstanding errors follow."""
    with District(district_path) as district:  # opened once for the report and every department's findings
        _status_sheet(district, year, xlsx_path, title)


def _status_sheet(district: District, year: int | None, xlsx_path: Path, title: str) -> None:
    from openpyxl import load_workbook
    from openpyxl.styles import Font

    from services.explanations import key_of
    from services.xlsx_text import append

    report = district.status(year)
    book = load_workbook(xlsx_path)
    if title in book.sheetnames:
        del book[title]
    ws = book.create_sheet(title)
    append(ws, [f"{report.name}{f' {year} 年度' if year else ''} 部门上报情况"])
    ws["A1"].font = Font(bold=True, size=14)
    append(ws, HEADERS)
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for d in report.departments:
        append(ws, [d.name, d.code, d.year, when_text(d.sealed_at), when_text(d.received_at), d.times, d.sealed_errors,
                   d.sealed_warnings, "是" if d.allow_errors else "否", d.errors, d.warnings, d.source, d.digest[:16]])
    missing = [(y, e) for y in report.years() for e in report.missing(y)]
    if missing:
        append(ws, [])
        append(ws, ["未报送的部门"])
        ws.cell(ws.max_row, 1).font = Font(bold=True)
        append(ws, ["部门", "部门代码", "年度"])
        for y, e in missing:
            append(ws, [e.name, e.code, y])
    explained = [(d, f, note) for d in report.departments if d.sealed_errors or d.sealed_warnings
                 for f, note in district.explained(d.year, d.key)]
    if explained:
        append(ws, [])
        append(ws, ["部门的出错说明（封存时的审核问题及部门的说明）"])
        ws.cell(ws.max_row, 1).font = Font(bold=True)
        append(ws, ["部门", "年度", "级别", "表", "行", "栏", "审核说明", "出错说明"])
        for d, f, note in explained:
            append(ws, [d.name, d.year, "错误" if f.severity == "error" else "提示", f.table, f.row, f.column, f.message,
                        note])
    bad = report.with_errors
    if bad:
        append(ws, [])
        append(ws, ["未改正的错误"])
        ws.cell(ws.max_row, 1).font = Font(bold=True)
        append(ws, ["部门", "年度", "表", "行", "栏", "说明", "出错说明"])
        for d in bad:
            notes = {key_of(f): note for f, note in district.explained(d.year, d.key)}
            for f in district.findings(d.year, d.key):
                if f.severity == "error":
                    append(ws, [d.name, d.year, f.table_no, f.row_label, f.column_label, f.message,
                                notes.get((f.rule, f.table_no, f.row_label, f.column_label), "")])
    for y in sorted({d.year for d in report.departments} if year is None else {year}):
        recorded, cells = district.offsets(y)
        if recorded:
            append(ws, [])
            append(ws, [f"{y} 年度汇总中的抵消（{len(recorded)} 笔）"])
            ws.cell(ws.max_row, 1).font = Font(bold=True)
            append(ws, ["编号", "表", "行", "栏", "抵消金额（万元）", "抵消双方", "原因", "记录人", "记录时间"])
            for o in recorded:
                append(ws, [o.id, o.cell.table, o.cell.row, o.cell.col, o.amount, o.parties, o.reason, o.recorded_by,
                           when_text(o.recorded_at)])
            append(ws, ["表", "行", "栏", "抵消前（各部门相加）", "抵消", "抵消后（汇总数）"])
            for cell, before, taken, after in cells:
                append(ws, [cell.table, cell.row, cell.col, before, taken, after])
    for col, width in zip("ABCDEFGHIJKLM", (28, 14, 8, 18, 18, 10, 10, 10, 10, 10, 10, 30, 20)):
        ws.column_dimensions[col].width = width
    # Saved beside and moved into place: a failure leaves the export as it was, never half a file.
    part = xlsx_path.with_name(f"{xlsx_path.name}.{os.getpid()}.part")
    try:
        book.save(part)
        os.replace(part, xlsx_path)
    finally:
        part.unlink(missing_ok=True)
