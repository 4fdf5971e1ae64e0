"""What a submission says (上报内容), read and validated once its file is known to be sound.

`services.exchange.gate` decides whether a file can be opened at all; this module reads the rows
of a file that passed those checks and refuses any content this program would never have
written: not exactly one manifest, a template this program lacks, codes that are not 3/5/7 ASCII
digits, tables, rows or columns the template does not have, amounts that `money.parse_amount`
rejects or that are not in their canonical form, counts and a check summary that disagree with
the rows. It also defines what the rest of the exchange receives: `Manifest`, `SealedFinding`,
`Submission`, and `Refused` for every reason a file is turned away.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select

from models import submission as S
from services.findings import Finding
from services.money import AmountError, parse_amount, to_storage
from services.templates import TemplateError, get_template
from services.workbook import Cell, Workbook

#: Names, codes and keys are short; a long one is a sign of a forged file.
MAX_NAME_CHARS = 500
_CODE = re.compile(r"[0-9]{3}|[0-9]{5}|[0-9]{7}")
_DIGEST = re.compile(r"[0-9a-f]{64}")
_MANIFEST_INTS = ("year", "department_schema", "value_count", "prior_count", "coded_count", "text_count",
                  "finding_count", "errors", "warnings", "allow_errors")


class Refused(Exception):
    """A submission the bureau cannot accept; ``str()`` is the one-line reason in Chinese."""


@dataclass(frozen=True)
class Manifest:
    """The submission's manifest (清单): who, which year, on which template, checked how."""

    format: str
    department: str
    department_code: str
    year: int
    template_id: str
    app_name: str
    app_version: str
    department_schema: int
    created_at: str
    value_count: int
    prior_count: int
    coded_count: int
    text_count: int
    finding_count: int
    errors: int
    warnings: int
    allow_errors: int
    digest: str

    @property
    def department_key(self) -> str:
        """How the district tells departments apart: the code, or the name when there is none."""
        return self.department_code or f"名称:{self.department}"


@dataclass(frozen=True)
class SealedFinding:
    """A finding as recorded at sealing (封存时的审核结果); amounts are canonical text."""

    seq: int
    rule: str
    severity: str
    table: str
    row: str
    column: str
    message: str
    expected: str | None
    actual: str | None
    difference: str | None
    possible_rounding: int

    def as_row(self) -> tuple[Any, ...]:
        return (self.seq, self.rule, self.severity, self.table, self.row, self.column, self.message,
                self.expected, self.actual, self.difference, self.possible_rounding)


@dataclass
class Submission:
    """A submission that passed the gate: its manifest, its department-year and today's check."""

    source: Path
    manifest: Manifest
    workbook: Workbook
    sealed: list[SealedFinding]
    #: the engine's findings now, on this program's rules (复核结果)
    findings: list[Finding]

    @property
    def errors(self) -> int:
        return sum(f.is_error for f in self.findings)

    # A consolidation may run the gate in worker processes. Sent compactly: the template by its
    # id, amounts as their canonical text (pickling a Decimal costs ten times more).
    def __getstate__(self) -> dict[str, Any]:
        wb = self.workbook

        def flat(amounts: dict[Cell, Decimal]) -> list[tuple[str, str, int, str]]:
            return [(c.table, c.row, c.col, format(v, "f")) for c, v in amounts.items()]

        return {**self.__dict__, "workbook": (wb.template.id, wb.year, wb.department, wb.department_code,
                                              flat(wb.values), wb.coded, wb.texts, flat(wb.prior))}

    def __setstate__(self, state: dict[str, Any]) -> None:
        template_id, year, name, code, values, coded, texts, prior = state["workbook"]

        def back(rows: list[tuple[str, str, int, str]]) -> dict[Cell, Decimal]:
            return {Cell(t, r, c): Decimal(v) for t, r, c, v in rows}

        wb = Workbook(get_template(template_id), year, name, code, back(values), coded, texts, back(prior))
        self.__dict__.update({**state, "workbook": wb})

    @property
    def warnings(self) -> int:
        return len(self.findings) - self.errors


def _name(value: str, what: str) -> str:
    if len(value) > MAX_NAME_CHARS:
        raise Refused(f"{what}过长（{len(value)} 个字符），文件已被改动")
    return value


def _where(table: str, row: str, col: int | None) -> str:
    return f"公开{table[:20]}表 {row[:40]}{f' 栏{col}' if col is not None else ''}"


#: Exactly the texts `money.to_storage` writes: no exponent, no trailing zeros, ≤ 6 places,
#: below `money.LIMIT`. A text of this form is its own canonical form.
_CANONICAL = re.compile(r"-?(?:0|[1-9]\d{0,11})(?:\.\d{0,5}[1-9])?")


@lru_cache(maxsize=1 << 16)
def _canonical(text: str) -> Decimal | None:
    """``text`` as an amount, or None unless it is the canonical text of what it parses to.
    The common case is decided by one regular expression (this is the gate's hot loop: a
    thousand departments of a thousand figures); anything else goes through the one money
    parser, whose message explains the refusal. Memoised: figures repeat, from 0 on."""
    if _CANONICAL.fullmatch(text) and text != "-0":
        return Decimal(text)
    d = parse_amount(text)
    return d if d is not None and to_storage(d) == text else None


def _amount(text: str, table: str, row: str, col: int | None) -> Decimal:
    """The amount, re-parsed by the one money parser and required to be in canonical form."""
    try:
        d = _canonical(text)
    except AmountError as e:
        raise Refused(f"{_where(table, row, col)}的金额无法识别：{e}") from None
    if d is None:
        raise Refused(f"{_where(table, row, col)}的金额“{text[:40]}”不是规范的金额写法，文件不是由本软件生成或已被改动")
    return d


def _columns(wb: Workbook, kind: str, table: str, row: str) -> frozenset[int]:
    """The columns a figure (or last year's figure) may have on this row; empty if the row is not there."""
    if kind == "values":
        return frozenset(wb.row_columns(table, row)) if wb.has_row(table, row) else frozenset()
    spec = wb.template.tables.get(table)  # last year's rows may be codes this year no longer has
    if spec is None or not (spec.fixed_row(row) is not None or (spec.coded and _CODE.fullmatch(row))):
        return frozenset()
    return frozenset(spec.column_nos)


def read_manifest(c: Connection) -> Manifest:
    rows = c.execute(select(S.manifest)).all()
    if len(rows) != 1 or rows[0].id != 1:
        raise Refused("清单（manifest）应恰好一行，文件已被改动")
    row = rows[0]._mapping
    m = Manifest(**{k: row[k] for k in Manifest.__dataclass_fields__})
    if m.format != S.FORMAT_NAME:
        raise Refused("清单中的文件类型不对，不是本软件生成的上报文件")
    if not 1990 <= m.year <= 2200:
        raise Refused(f"清单中的年度“{m.year}”无效")
    if not m.department.strip():
        raise Refused("清单中没有部门名称")
    _name(m.department, "部门名称")
    _name(m.department_code, "部门代码")
    if any(getattr(m, k) < 0 for k in _MANIFEST_INTS) or m.allow_errors not in (0, 1):
        raise Refused("清单中的数量或标志无效，文件已被改动")
    if not _DIGEST.fullmatch(m.digest):
        raise Refused("清单中的校验码格式不对，文件已被改动")
    try:
        datetime.fromisoformat(m.created_at)
    except ValueError:
        raise Refused(f"清单中的封存时间“{m.created_at[:40]}”无效") from None
    return m


def read_workbook(c: Connection, m: Manifest) -> tuple[Workbook, dict[str, list[Any]]]:
    """The department-year, every row validated against the template; also the raw rows for the digest."""
    try:
        template = get_template(m.template_id)
    except TemplateError:
        raise Refused(f"使用报表模板“{m.template_id[:40]}”，本软件没有这个模板，请升级本软件") from None
    wb = Workbook.new(template, m.year, m.department, m.department_code, default_rows=False)
    raw: dict[str, list[Any]] = {"coded": [], "values": [], "prior": [], "texts": []}
    for table_no, code, name in c.execute(select(S.coded_row.c.table_no, S.coded_row.c.code, S.coded_row.c.name)):
        spec = template.tables.get(table_no)
        if spec is None or not spec.coded:
            raise Refused(f"科目行属于模板中不存在或不分科目的表“{table_no[:20]}”")
        if not _CODE.fullmatch(code):
            raise Refused(f"公开{table_no}表的科目编码“{code[:20]}”无效（应为 3、5 或 7 位数字）")
        wb.coded[table_no][code] = _name(name, f"科目 {code} 的名称")
        raw["coded"].append((table_no, code, name))
    allowed: dict[tuple[str, str, str], frozenset[int]] = {}  # (kind, table, row) → its columns
    for kind in ("values", "prior"):
        model = S.cell_value if kind == "values" else S.prior_value
        target = wb.values if kind == "values" else wb.prior
        rows = raw[kind] = [tuple(r) for r in c.execute(
            select(model.c.table_no, model.c.row_key, model.c.col_no, model.c.amount))]
        for table_no, row, col, text in rows:  # the hot loop of the gate: kept lean
            cols = allowed.get((kind, table_no, row))
            if cols is None:
                cols = allowed[(kind, table_no, row)] = _columns(wb, kind, table_no, row)
            if col not in cols:
                raise Refused(f"{'' if kind == 'values' else '上年数 '}{_where(table_no, row, col)}"
                              f" 在模板“{template.name}”中不存在")
            try:
                amount = _canonical(text)
            except AmountError as e:
                raise Refused(f"{_where(table_no, row, col)}的金额无法识别：{e}") from None
            if amount is None:
                _amount(text, table_no, row, col)  # raises with the reason
            target[Cell(table_no, row, col)] = amount  # type: ignore[assignment]
    for key, text in c.execute(select(S.narrative_text.c.key, S.narrative_text.c.text)):
        wb.texts[_name(key, "说明文字的名称")] = text
        raw["texts"].append((key, text))
    return wb, raw


def read_sealed(c: Connection, m: Manifest) -> list[SealedFinding]:
    out = []
    for row in c.execute(select(S.finding).order_by(S.finding.c.seq)):
        f = SealedFinding(*row)
        if f.severity not in ("error", "warning") or f.possible_rounding not in (0, 1):
            raise Refused("封存时的审核结果中有无效的级别或标志，文件已被改动")
        for text in (f.expected, f.actual, f.difference):
            if text is not None:
                _amount(text, f.table, f.row, None)
        out.append(f)
    errors = sum(f.severity == "error" for f in out)
    if (len(out), errors, len(out) - errors) != (m.finding_count, m.errors, m.warnings):
        raise Refused("清单中的审核结果统计与文件内容不符，文件已被改动")
    return out


def check_counts(m: Manifest, raw: dict[str, list[Any]]) -> None:
    have = (len(raw["values"]), len(raw["prior"]), len(raw["coded"]), len(raw["texts"]))
    if have != (m.value_count, m.prior_count, m.coded_count, m.text_count):
        raise Refused("清单中的数据个数与文件内容不符，文件已被改动")


def manifest_fields(m: Manifest) -> dict[str, str | int]:
    return {k: getattr(m, k) for k in Manifest.__dataclass_fields__}
