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
import sqlite3
import zlib
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from functools import cache
from itertools import groupby
from operator import itemgetter
from pathlib import Path
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.dialects import sqlite

from models import submission as S
from services.exchange.canonical import Content, parse
from services.findings import Finding
from services.money import AmountError, parse_amount, to_storage
from services.templates import Template, TemplateError, get_template
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
        """How the district tells departments apart: the code, or the name when there is none,
        each in its one spelling (`services.identity`: full-width, spaces, zero-width removed)."""
        from services.identity import department_key

        return department_key(self.department_code, self.department)


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
    """A submission that passed the gate: its manifest, its content and today's check.

    ``content`` is the canonical serialisation its digest covers (`services.exchange.canonical`),
    zlib-compressed: what a gate worker sends to the consolidating process and what the district
    stores, so the stored figures can be proved to be the sealed ones at any time. The department-
    year as a `Workbook` is made from it when asked for (the gate has it already).
    """

    source: Path
    manifest: Manifest
    content: bytes
    #: the engine's findings now, on this program's rules (复核结果)
    findings: list[Finding]
    _workbook: Workbook | None = field(default=None, repr=False, compare=False)

    @property
    def errors(self) -> int:
        return sum(f.is_error for f in self.findings)

    @property
    def warnings(self) -> int:
        return len(self.findings) - self.errors

    def parts(self) -> Content:
        return parse(zlib.decompress(self.content))

    @property
    def workbook(self) -> Workbook:
        if self._workbook is None:
            self._workbook = workbook_of(self.parts(), get_template(self.manifest.template_id))
        return self._workbook

    @property
    def sealed(self) -> list[SealedFinding]:
        """The findings recorded at sealing (封存时的审核结果)."""
        return [SealedFinding(*row) for row in self.parts().findings]

    def __getstate__(self) -> dict[str, Any]:
        # Between processes only the compressed content travels: a few kilobytes.
        return {**self.__dict__, "_workbook": None}


def workbook_of(content: Content, template: Template) -> Workbook:
    """The department-year a canonical content holds (as accepted: the rows are known to be good)."""
    m = content.manifest
    wb = Workbook.new(template, m["year"], m["department"], m["department_code"], default_rows=False)
    for table, code, name in content.coded:
        wb.coded.setdefault(table, {})[code] = name
    wb.values.update(_figures(content.values))
    wb.prior.update(_figures(content.prior))
    wb.texts.update(content.texts)
    wb.notes = notes_of(wb.texts)
    return wb


def notes_of(texts: dict[str, str]) -> dict[tuple[str, str, str, str], str]:
    """The explanations (出错说明) taken out of a submission's texts, re-read as untrusted text."""
    from services.explanations import ExplanationError, from_texts

    try:
        return from_texts(texts)
    except ExplanationError as e:
        raise Refused(f"{e}，文件已被改动") from None


def _figures(rows: list[list[Any]]) -> dict[Cell, Decimal]:
    return {_cell(Cell, (t, r, c)): Decimal(a) for t, r, c, a in rows}


_cell = tuple.__new__


def _name(value: str, what: str) -> str:
    if len(value) > MAX_NAME_CHARS:
        raise Refused(f"{what}过长（{len(value)} 个字符），文件已被改动")
    return value


def _where(table: str, row: str, col: int | None) -> str:
    return f"公开{table[:20]}表 {row[:40]}{f' 栏{col}' if col is not None else ''}"


#: Exactly the texts `money.to_storage` writes: no exponent, no trailing zeros, ≤ 6 places,
#: below `money.LIMIT`. A text of this form is its own canonical form.
_CANONICAL_TEXT = r"-?(?:0|[1-9][0-9]{0,11})(?:\.[0-9]{0,5}[1-9])?"  # [0-9]: \d takes ٠-٩ too
_CANONICAL = re.compile(_CANONICAL_TEXT)
_ALL_CANONICAL = re.compile(rf"(?:{_CANONICAL_TEXT}\n)*{_CANONICAL_TEXT}")


def _canonical(text: str) -> Decimal | None:
    """``text`` as an amount, or None unless it is the canonical text of what it parses to.
    The common case is decided by the regular expression; anything else goes through the one
    money parser, whose message explains the refusal."""
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


@dataclass(frozen=True)
class _Layout:
    """Where a template has figures: the columns of each fixed row, and of any row of a coded table."""

    fixed: dict[tuple[str, str], frozenset[int]]
    #: every column of a table: last year's figures are held to no more than that
    table: dict[str, frozenset[int]]
    coded: dict[str, frozenset[int]]


def _layout(template: Template) -> _Layout:
    found = template.memo.get("gate.layout")
    if found is None:
        tables = template.tables.values()
        found = template.memo["gate.layout"] = _Layout(
            {(t.no, r.key): frozenset(t.columns_for_side(r.side)) for t in tables for r in t.total_rows + t.rows
             if r.key},
            {t.no: frozenset(t.column_nos) for t in tables},
            {t.no: frozenset(t.column_nos) for t in tables if t.coded},
        )
    return found


_NONE: frozenset[int] = frozenset()


def _columns(wb: Workbook, kind: str, table: str, row: str) -> frozenset[int]:
    """The columns a figure (or last year's figure) may have on this row; empty if the row is not there."""
    layout = _layout(wb.template)
    cols = layout.fixed.get((table, row))
    if cols is not None:
        return cols if kind == "values" else layout.table[table]
    cols = layout.coded.get(table, _NONE)
    if kind == "values":
        return cols if row in wb.coded.get(table, ()) else _NONE
    return cols if _CODE.fullmatch(row) else _NONE  # last year's codes need not be this year's rows


def read_manifest(c: sqlite3.Connection) -> Manifest:
    cur = c.execute(_select_sql(S.manifest))
    names = [d[0] for d in cur.description]
    rows = cur.fetchall()
    if len(rows) != 1 or rows[0][names.index("id")] != 1:
        raise Refused("清单（manifest）应恰好一行，文件已被改动")
    row = dict(zip(names, rows[0]))
    m = Manifest(**{k: row[k] for k in Manifest.__dataclass_fields__})
    if m.format != S.FORMAT_NAME:
        raise Refused("清单中的文件类型不对，不是本软件生成的上报文件")
    if not 1990 <= m.year <= 2200:
        raise Refused(f"清单中的年度“{m.year}”无效")
    if not m.department.strip():
        raise Refused("清单中没有部门名称")
    _name(m.department, "部门名称")
    _name(m.department_code, "部门代码")
    from services.identity import CodeError, department_code

    try:
        department_code(m.department_code)
    except CodeError as e:
        raise Refused(f"清单中的部门代码{e}") from None
    if any(getattr(m, k) < 0 for k in _MANIFEST_INTS) or m.allow_errors not in (0, 1):
        raise Refused("清单中的数量或标志无效，文件已被改动")
    if not _DIGEST.fullmatch(m.digest):
        raise Refused("清单中的校验码格式不对，文件已被改动")
    try:
        datetime.fromisoformat(m.created_at)
    except ValueError:
        raise Refused(f"清单中的封存时间“{m.created_at[:40]}”无效") from None
    return m


@cache
def _select_sql(table: Table) -> str:
    """``SELECT`` every column of a submission table in primary-key order, as SQLite text."""
    stmt = select(*table.columns).order_by(*table.primary_key.columns)
    return str(stmt.compile(dialect=sqlite.dialect()))


def _fetch(c: sqlite3.Connection, table: Table) -> list[tuple[Any, ...]]:
    # The bulk rows as plain tuples: they feed the digest's JSON as they are.
    rows = c.execute(_select_sql(table)).fetchall()
    if table in BULK_TABLES:
        _check_storage(table, rows)
    return rows


#: The tables with a row per figure: their storage classes are checked on the rows read.
BULK_TABLES = (S.cell_value, S.prior_value)
#: SQLite's storage class (``typeof``) of a value as the driver returns it.
_STORAGE = {int: "integer", str: "text", float: "real", bytes: "blob", type(None): "null"}


def allowed_types(table: Table) -> list[tuple[Any, tuple[str, ...]]]:
    """Each column with the storage classes our writer gives it (``typeof``)."""
    out = []
    for col in table.columns:
        kind = "integer" if col.type.python_type is int else "text"
        out.append((col, (kind,) if not col.nullable else (kind, "null")))
    return out


def wrong_type(table: Table, column: str, kind: str, kinds: tuple[str, ...]) -> Refused:
    return Refused(f"数据表“{table.name}”的“{column}”列中有 {kind} 类型的值（应为"
                   f"{'整数' if kinds[0] == 'integer' else '文本'}），文件不是由本软件生成或已被改动")


def _check_storage(table: Table, rows: list[tuple[Any, ...]]) -> None:
    """Every value's storage class, column by column in C (``set(map(type, …))``)."""
    for i, (col, kinds) in enumerate(allowed_types(table)):
        found = {_STORAGE.get(t, "blob") for t in set(map(type, map(itemgetter(i), rows)))}
        bad = sorted(found - set(kinds))
        if bad:
            raise wrong_type(table, col.name, bad[0], kinds)


_ROW, _COL, _TEXT = itemgetter(0, 1), itemgetter(2), itemgetter(3)


#: Coded rows (类, 款 and 项 together) one table may have: the whole 功能分类 has about 2,000.
MAX_CODED_ROWS = 5_000
#: Texts of the 情况说明 (a few dozen sections).
MAX_TEXTS = 1_000


@dataclass(frozen=True)
class Capacity:
    """What a submission on a template can hold at most (上报内容的上限): measured with
    ``count(*)`` before any row is read, so a forged file of a million figures costs nothing."""

    coded: int
    values: int
    findings: int


def capacity(template: Template) -> Capacity:
    found = template.memo.get("gate.capacity")
    if found is None:
        layout = _layout(template)
        fixed = sum(map(len, layout.fixed.values()))
        coded = sum(MAX_CODED_ROWS * len(cols) for cols in layout.coded.values())
        # every finding names a cell or a row, and no rule fires twice on one cell
        found = template.memo["gate.capacity"] = Capacity(MAX_CODED_ROWS * len(layout.coded), fixed + coded,
                                                          4 * (fixed + coded) + 1_000)
    return found


def check_size(c: sqlite3.Connection, m: Manifest, template: Template) -> None:
    """Refuse content beyond what the template can hold, before reading it."""
    cap = capacity(template)
    count = {t.name: c.execute(f'SELECT count(*) FROM "{t.name}"').fetchone()[0]
             for t in (S.coded_row, S.cell_value, S.prior_value, S.narrative_text, S.finding)}  # our own names
    for table, limit, what in ((S.coded_row, cap.coded, "科目行"), (S.cell_value, cap.values, "数据"),
                               (S.prior_value, cap.values, "上年数"), (S.narrative_text, MAX_TEXTS, "说明文字"),
                               (S.finding, cap.findings, "审核结果")):
        if count[table.name] > limit:
            raise Refused(f"含有 {count[table.name]:,} 个{what}，超过报表模板“{template.name}”所能容纳的 {limit:,} 个，"
                          "不是正常的上报文件")


def read_workbook(c: sqlite3.Connection, m: Manifest) -> tuple[Workbook, dict[str, list[Any]]]:
    """The department-year, every row validated against the template; also the raw rows for the digest."""
    try:
        template = get_template(m.template_id)
    except TemplateError:
        raise Refused(f"使用报表模板“{m.template_id[:40]}”，本软件没有这个模板，请升级本软件") from None
    check_size(c, m, template)
    wb = Workbook.new(template, m.year, m.department, m.department_code, default_rows=False)
    raw: dict[str, list[Any]] = {"coded": _fetch(c, S.coded_row)}
    for table_no, code, name in raw["coded"]:
        spec = template.tables.get(table_no)
        if spec is None or not spec.coded:
            raise Refused(f"科目行属于模板中不存在或不分科目的表“{table_no[:20]}”")
        if not _CODE.fullmatch(code):
            raise Refused(f"公开{table_no}表的科目编码“{code[:20]}”无效（应为 3、5 或 7 位数字）")
        wb.coded[table_no][code] = _name(name, f"科目 {code} 的名称")
    for kind, model, target in (("values", S.cell_value, wb.values), ("prior", S.prior_value, wb.prior)):
        rows = raw[kind] = _fetch(c, model)
        # Rows come grouped by (table, row): each group's columns are checked at once.
        for (table_no, row), group in groupby(rows, _ROW):
            cols = _columns(wb, kind, table_no, row)
            if not cols.issuperset(map(_COL, group)):
                col = next(x[2] for x in rows if x[0] == table_no and x[1] == row and x[2] not in cols)
                raise Refused(f"{'' if kind == 'values' else '上年数 '}{_where(table_no, row, col)}"
                              f" 在模板“{template.name}”中不存在")
        texts = list(map(_TEXT, rows))
        if not _all_canonical(texts):
            for table_no, row, col, text in rows:  # find the first bad one, for its reason
                _amount(text, table_no, row, col)
        target.update(zip([_cell(Cell, x[:3]) for x in rows], map(Decimal, texts)))
    raw["texts"] = _fetch(c, S.narrative_text)
    from services.explanations import NOTE_PREFIX

    for key, text in raw["texts"]:
        # an explanation's name is its finding's key (`services.explanations`), checked part by part
        wb.texts[key if key.startswith(NOTE_PREFIX) else _name(key, "说明文字的名称")] = text
    wb.notes = notes_of(wb.texts)
    return wb, raw


def _all_canonical(texts: list[str]) -> bool:
    """Whether every text is a canonical amount: one pass of the regular expression over them all
    (a submission has thousands; one match per text would cost the gate a tenth of its time)."""
    if not texts:
        return True
    joined = "\n".join(texts)
    return (joined.count("\n") == len(texts) - 1  # no text may hold a separator itself
            and _ALL_CANONICAL.fullmatch(joined) is not None and "\n-0\n" not in f"\n{joined}\n")


def read_sealed(c: sqlite3.Connection, m: Manifest) -> list[SealedFinding]:
    out = []
    for row in c.execute(_select_sql(S.finding)):  # in seq order, its primary key
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
