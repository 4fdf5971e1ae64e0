"""Sealing a submission (生成上报文件): one department-year, checked, written for the district.

The clerk's department file holds every year and the work in progress; the bureau needs one
year, frozen, with the check result at the moment it was sent. `submit` loads the year, runs the
engine, refuses when there are errors unless the clerk confirms them (``allow_errors``: the
official software's 强制审核 before 上报, recorded in the manifest), writes the frozen schema of
`models.submission` under a temporary name, seals it with the digest of
`services.exchange.canonical`, and finally opens the result through the bureau's own gate, so a
clerk never sends a file the bureau would refuse.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import create_engine, insert
from sqlalchemy.pool import NullPool

from models import submission as S
from services import product
from services.engine import check_workbook
from services.exchange.canonical import digest_of, serialise
from services.exchange.gate import Refused, open_submission
from services.exchange.target import Target
from services.findings import Finding
from services.migrations import SCHEMA_VERSION
from services.money import to_storage
from services.store import APP_NAME, DepartmentFile, DepartmentFileError
from services.workbook import Workbook

APP_VERSION = product.VERSION


class SubmitError(Exception):
    """Sealing failed; ``str()`` is one line in Chinese. ``unreadable``: the department file (or
    the output place) is the problem, not the data."""

    def __init__(self, reason: str, unreadable: bool = False) -> None:
        super().__init__(reason)
        self.unreadable = unreadable


@dataclass(frozen=True)
class SubmitResult:
    path: Path
    department: str
    department_code: str
    year: int
    digest: str
    values: int
    errors: int
    warnings: int
    #: sealed although the check found errors (强制上报)
    allow_errors: bool
    #: findings sealed with the clerk's 出错说明
    explained: int = 0


def _finding_row(seq: int, f: Finding) -> dict[str, object]:
    return {
        "seq": seq, "rule": f.rule, "severity": f.severity, "table_no": f.table, "row_label": f.row,
        "column_label": f.column, "message": f.message, "expected": to_storage(f.expected),
        "actual": to_storage(f.actual), "difference": to_storage(f.difference),
        "possible_rounding": int(f.possible_rounding),
    }


def seal(wb: Workbook, out_path: Path, allow_errors: bool = False, *, created_at: str | None = None,
         department_schema: int = 0) -> SubmitResult:
    """Write ``wb`` as a sealed submission at ``out_path`` (replacing it), after checking it."""
    findings = check_workbook(wb)
    errors = sum(f.is_error for f in findings)
    if errors and not allow_errors:
        raise SubmitError(
            f"{wb.department or '本部门'} {wb.year} 年度有 {errors} 个错误（强制性审核未通过），不能上报；"
            "请改正后再上报，确认无误（如尾数差异）时可加 --allow-errors 强制上报"
        )
    from services.identity import CodeError, department_code, department_name

    try:  # one spelling of who sends it (full-width, spaces, zero-width removed)
        department, code = department_name(wb.department), department_code(wb.department_code)
    except CodeError as e:
        raise SubmitError(f"部门代码{e}，请在“部门概况”中改正后再上报") from None
    values = [(c.table, c.row, c.col, to_storage(v)) for c, v in wb.values.items()]
    prior = [(c.table, c.row, c.col, to_storage(v)) for c, v in wb.prior.items()]
    coded = [(t, code, name) for t, rows in wb.coded.items() for code, name in rows.items()]
    from services.explanations import NOTE_PREFIX, to_texts

    # the explanations (出错说明) of the findings sealed travel among the texts, covered by the digest
    texts = [(k, t) for k, t in wb.texts.items() if not k.startswith(NOTE_PREFIX)]
    sealed_notes = to_texts(wb.notes, findings)
    texts += sealed_notes.items()
    found = [_finding_row(i, f) for i, f in enumerate(findings, 1)]
    manifest: dict[str, str | int] = {
        "id": 1, "format": S.FORMAT_NAME, "department": department, "department_code": code,
        "year": wb.year, "template_id": wb.template.id, "app_name": APP_NAME, "app_version": APP_VERSION,
        "department_schema": department_schema,
        "created_at": created_at or datetime.now().astimezone().isoformat(timespec="seconds"),
        "value_count": len(values), "prior_count": len(prior), "coded_count": len(coded),
        "text_count": len(texts), "finding_count": len(found), "errors": errors,
        "warnings": len(found) - errors, "allow_errors": int(bool(errors)),
    }
    fields = {k: v for k, v in manifest.items() if k != "id"}
    manifest["digest"] = digest_of(serialise(fields, values, prior, coded, texts, [tuple(r.values()) for r in found]))
    _write(out_path, manifest, values, prior, coded, texts, found)
    try:
        open_submission(out_path)
    except Refused as e:
        out_path.unlink(missing_ok=True)
        raise SubmitError(f"生成的上报文件无法通过区财政局的检查：{e}") from None
    return SubmitResult(out_path, department, code, wb.year, str(manifest["digest"]),
                        len(values), errors, len(found) - errors, bool(errors), len(sealed_notes))


def _write(out_path: Path, manifest: dict, values: list, prior: list, coded: list, texts: list,
           found: list) -> None:
    """The file under a temporary name, renamed into place: it appears whole or not at all."""
    part = out_path.with_name(f"{out_path.name}.{os.getpid()}.part")
    part.unlink(missing_ok=True)
    engine = create_engine("sqlite://", creator=lambda: sqlite3.connect(part), poolclass=NullPool)
    try:
        with engine.begin() as c:
            for ddl in S.DDL:
                c.exec_driver_sql(ddl)
            # Our own integer constants; PRAGMA takes no bound parameters.
            c.exec_driver_sql(f"PRAGMA application_id = {S.APPLICATION_ID:d}")
            c.exec_driver_sql(f"PRAGMA user_version = {S.FORMAT_VERSION:d}")
            c.execute(insert(S.manifest), [manifest])
            for table, rows, keys in (
                (S.cell_value, values, ("table_no", "row_key", "col_no", "amount")),
                (S.prior_value, prior, ("table_no", "row_key", "col_no", "amount")),
                (S.coded_row, coded, ("table_no", "code", "name")),
                (S.narrative_text, texts, ("key", "text")),
            ):
                if rows:
                    c.execute(insert(table), [dict(zip(keys, r)) for r in rows])
            if found:
                c.execute(insert(S.finding), found)
        engine.dispose()
        os.replace(part, out_path)
    except (OSError, sqlite3.Error) as e:
        part.unlink(missing_ok=True)
        raise SubmitError(f"无法写入上报文件 {out_path.name}（{getattr(e, 'strerror', None) or e}）", True) from None
    except Exception as e:
        part.unlink(missing_ok=True)
        orig = getattr(e, "orig", None)
        if isinstance(orig, sqlite3.Error):
            raise SubmitError(f"无法写入上报文件 {out_path.name}（{orig}）", True) from None
        raise
    finally:
        engine.dispose()


def submit(dept_path: Target, year: int, out_path: Path, allow_errors: bool = False) -> SubmitResult:
    """Seal ``year`` of the department file at ``dept_path`` into the submission ``out_path``. A
    district's own 汇总 year is sealed the same way, for the next level up (汇总 of 汇总: county →
    city → province), from its file or its PostgreSQL URL."""
    out_path = Path(out_path)
    if not out_path.parent.is_dir():
        raise SubmitError(f"上报文件所在的文件夹不存在：{out_path.parent}", True)
    if isinstance(dept_path, str):  # a district on a server (`target.is_server`)
        from services.exchange.district_file import DistrictError
        from services.exchange.district_store import reading

        try:
            with reading(dept_path) as (district, _conn):
                wb = district.load(year)
        except (DistrictError, DepartmentFileError) as e:
            raise SubmitError(str(e), True) from None
        return seal(wb, out_path, allow_errors, department_schema=SCHEMA_VERSION)
    dept_path = Path(dept_path)
    if out_path.resolve() == dept_path.resolve():
        raise SubmitError("上报文件不能与部门数据文件同名", True)
    try:
        with DepartmentFile.open(dept_path, readonly=True) as f:
            wb = f.load(year)
    except DepartmentFileError as e:
        raise SubmitError(str(e), True) from None
    return seal(wb, out_path, allow_errors, department_schema=SCHEMA_VERSION)
