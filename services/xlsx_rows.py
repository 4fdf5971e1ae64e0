"""Matching the data rows of a table block to template rows, and placing their figures.

`xlsx_table` has split each data row into sections (the two halves of 01/04, the three groups of
06) and read each section's keys: code, name, label, 行次, amount cells. Here a section row
becomes a template row: by code or 合计 label (coded tables); by label, then code, then 行次 only
when the label is empty and the printed 行次 follow the template (fixed tables); or as the one row
of a single-row table (三公). Every figure that finds no row becomes an `Unplaced` with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from services.money import AmountError, normalise, parse_amount
from services.templates import RowSpec, TableSpec
from services.workbook import Cell, Unread
from services.xlsx_cells import ELLIPSIS, as_code, label_key, norm, ref, squeeze
from services.xlsx_layout import Block


@dataclass(frozen=True)
class Unplaced:
    """A figure in the file that was not imported, where it is, and why (in Chinese)."""

    sheet: str
    cell: str  # "C12"
    value: object
    reason: str
    table: str = ""  # the template table whose block it is in, if known

    @property
    def ref(self) -> str:
        """Where it is, as Excel writes it: 公开06表!C12."""
        return f"{self.sheet}!{self.cell}"

    def __str__(self) -> str:
        return f"{self.ref}：{self.reason}"


@dataclass
class TableRead:
    """What one block yielded: codes with names, figures, what could not be placed, notes."""

    no: str
    block: Block
    codes: dict[str, str] = field(default_factory=dict)
    values: dict[Cell, tuple[Decimal, str]] = field(default_factory=dict)  # → (amount, "C7")
    unplaced: list[Unplaced] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    columns: int = 0  # template columns recognised in the header
    #: template columns (栏次) the header did not show, so none of their figures were read
    missing: list[int] = field(default_factory=list)
    #: cells of rows that print a column header where their figure would be (never read)
    unprinted: list[Cell] = field(default_factory=list)
    body: bool = False  # anything under the title (a 目录 line has nothing)

    @property
    def where(self) -> str:
        return f"{self.block.sheet}!{ref(self.block.title_row, self.block.title_col)}"

    def unread(self, spec: TableSpec) -> Unread | None:
        """What of this table the read could not get, and why (None when every figure found its
        cell): columns whose header it did not recognise, cells printed as headers, or — when a
        figure could not be placed at all — the whole table."""
        why = []
        columns = frozenset(self.missing) if self.missing and (self.values or self.unplaced) else frozenset()
        if columns:
            why.append("表头中没有认出" + "、".join(f"第{n}栏（{spec.column(n).label}）" for n in sorted(columns)))
        if self.unprinted:
            why.append("、".join(f"{c.row}第{c.col}栏" for c in self.unprinted) + "印的是表头，没有数字")
        if self.unplaced:
            first = self.unplaced[0]
            more = " 等" if len(self.unplaced) > 1 else ""
            why.append(f"{len(self.unplaced)} 个数字未能放入（{first.ref}{more}）")
        if not why:
            return None
        cells = frozenset((c.row, c.col) for c in self.unprinted)
        return Unread("；".join(why), bool(self.unplaced), columns, cells)

    @property
    def weight(self) -> int:
        """How much of a table this block is (a 目录 line has none, the real table much)."""
        return self.columns + len(self.values) + len(self.codes)


@dataclass
class Section:
    """Columns ``first``..``last`` of a row that form one row of the table (one side, one group)."""

    first: int
    last: int
    side: str
    amounts: dict[int, int]  # sheet column → template 栏次

    @property
    def key_end(self) -> int:
        """Row keys (code, name, label, 行次) are printed left of the first amount column."""
        return min(self.amounts, default=self.last + 1)


@dataclass
class RowRead:
    """One data row within one section, before it is matched to a template row."""

    row: int
    section: Section
    code: str = ""
    name: str = ""
    label: str = ""
    line: int | None = None
    amounts: dict[int, object] = field(default_factory=dict)
    stray: list[tuple[int, object]] = field(default_factory=list)  # numbers outside amount columns
    #: amount columns where this line prints a column header instead of a figure (see xlsx_table)
    headed: list[int] = field(default_factory=list)


def _place(out: TableRead, spec: TableSpec, rec: RowRead, key: str, cols: list[int], scale: int) -> None:
    sheet = out.block.sheet
    out.unprinted += [Cell(spec.no, key, rec.section.amounts[c]) for c in rec.headed]
    for c, v in sorted(rec.amounts.items()):
        where = ref(rec.row, c)
        no = rec.section.amounts[c]
        try:
            d = parse_amount(v)
        except AmountError as e:
            out.unplaced.append(Unplaced(sheet, where, v, str(e), spec.no))
            continue
        if d is None:
            continue
        if no not in cols:
            out.unplaced.append(Unplaced(sheet, where, v, f"第{no}栏不属于“{rec.label or key}”这一行", spec.no))
            continue
        if scale:
            d = normalise(d.scaleb(scale))
        cell = Cell(spec.no, key, no)
        if cell in out.values:
            old, old_where = out.values[cell]
            if old != d:
                out.unplaced.append(
                    Unplaced(sheet, where, v, f"与 {sheet}!{old_where} 是同一格（{key} 第{no}栏），数值不同，未导入", spec.no)
                )
            continue
        out.values[cell] = (d, where)
    _report_stray(out, spec, rec)


def _report_stray(out: TableRead, spec: TableSpec, rec: RowRead) -> None:
    for c, v in rec.stray:
        out.unplaced.append(Unplaced(out.block.sheet, ref(rec.row, c), v, "不在可识别的金额栏内", spec.no))


def _unplace_row(out: TableRead, spec: TableSpec, rec: RowRead, reason: str) -> None:
    for c, v in sorted(rec.amounts.items()):
        if _not_blank(v):
            out.unplaced.append(Unplaced(out.block.sheet, ref(rec.row, c), v, reason, spec.no))
    _report_stray(out, spec, rec)


def _not_blank(v: object) -> bool:
    """A figure, or text that is not one ("-" and "—" are printed blanks)."""
    try:
        return parse_amount(v) is not None
    except AmountError:
        return True


def _has_amounts(rec: RowRead) -> bool:
    return any(_not_blank(v) for v in rec.amounts.values())


def _total_key(spec: TableSpec, label: str) -> str | None:
    key = label_key(label)
    for t in spec.total_rows:
        if key == label_key(t.label) or any(key == label_key(a) for a in t.aliases):
            return t.key
    return None


def place_coded(spec: TableSpec, recs: list[RowRead], out: TableRead, scale: int) -> None:
    cols = spec.column_nos
    pending: tuple[int, str] | None = None  # a total label whose figure is further right (06)
    for rec in recs:
        key: str | None = None
        if rec.code:
            key = rec.code
            if rec.name or rec.code not in out.codes:
                out.codes[rec.code] = rec.name
        elif rec.label:
            key = _total_key(spec, rec.label)
        elif pending and pending[0] == rec.row:
            key, pending = pending[1], None
        if key and not _has_amounts(rec) and not rec.code:
            pending = (rec.row, key)
        if key:
            _place(out, spec, rec, key, cols, scale)
        elif rec.label and ELLIPSIS.match(norm(rec.label)) and not _has_amounts(rec):
            continue
        elif _has_amounts(rec) or rec.stray:
            why = (
                f"“{squeeze(rec.label)}”不是科目编码，也不是合计行，无法确定是哪一行"
                if rec.label
                else "这一行没有科目编码，无法确定是哪一行"
            )
            _unplace_row(out, spec, rec, why)


def _fixed_candidates(spec: TableSpec, side: str) -> list[RowSpec]:
    return [r for r in spec.rows + spec.total_rows if r.key and (not side or not r.side or r.side == side)]


def _match_label(cands: list[RowSpec], rec: RowRead, used: set[str], last: int) -> RowSpec | None:
    key = label_key(rec.label)
    loose = [r for r in cands if key and (key == label_key(r.label) or any(key == label_key(a) for a in r.aliases))]
    if not loose and rec.code:
        loose = [r for r in cands if r.code == rec.code]
    if not loose and (code := as_code(rec.label)):
        loose = [r for r in cands if r.code == code[0]]
    free = [r for r in loose if r.key not in used]
    after = [r for r in free if (r.line or 0) > last]
    if after:
        return min(after, key=lambda r: r.line or 0)
    exact = [r for r in free if norm(r.label) == norm(rec.label)]
    best = exact or free or loose
    return best[0] if best else None


def place_fixed(spec: TableSpec, recs: list[RowRead], out: TableRead, scale: int) -> None:
    keyed = [r for r in spec.rows + spec.total_rows if r.key]
    if len(keyed) == 1:  # 三公: one data row, printed with or without a label
        _place_single(spec, keyed[0], recs, out, scale)
        return
    used: set[str] = set()
    last: dict[str, int] = {}
    matched: list[tuple[RowRead, RowSpec]] = []
    unlabelled: list[RowRead] = []
    for rec in recs:
        side = rec.section.side
        if not rec.label or ELLIPSIS.match(norm(rec.label)):
            if _has_amounts(rec) or rec.stray:
                unlabelled.append(rec)
            continue
        row = _match_label(_fixed_candidates(spec, side), rec, used, last.get(side, 0))
        if row is None:
            if _has_amounts(rec) or rec.stray:
                _unplace_row(out, spec, rec, f"“{squeeze(rec.label)}”在模板的公开{spec.no}表中没有这一行")
            continue
        used.add(row.key)  # type: ignore[arg-type]
        last[side] = max(last.get(side, 0), row.line or 0)
        matched.append((rec, row))
    trusted = _lines_trusted(matched)
    for rec in unlabelled:
        row = spec.row_by_line(rec.line) if rec.line and trusted.get(rec.section.side) else None
        if row is not None and row.key and row.key not in used and (not rec.section.side or row.side == rec.section.side):
            used.add(row.key)
            matched.append((rec, row))
        elif rec.label:
            _unplace_row(out, spec, rec, f"“{squeeze(rec.label)}”是省略行，无法确定是哪一行")
        else:
            _unplace_row(out, spec, rec, "这一行没有项目名称，行次也无法对应模板，无法确定是哪一行")
    for rec, row in matched:
        _place(out, spec, rec, row.key, spec.columns_for_side(row.side), scale)  # type: ignore[arg-type]


def _lines_trusted(matched: list[tuple[RowRead, RowSpec]]) -> dict[str, bool]:
    """Whether a side's printed 行次 follow the template (seed 000 renumbers 14..26: not)."""
    seen: dict[str, list[bool]] = {}
    for rec, row in matched:
        if rec.line is not None:
            seen.setdefault(rec.section.side, []).append(rec.line == row.line)
    return {side: bool(v) and sum(v) >= 0.8 * len(v) for side, v in seen.items()}


def _place_single(spec: TableSpec, row: RowSpec, recs: list[RowRead], out: TableRead, scale: int) -> None:
    done = False
    for rec in recs:
        if not (_has_amounts(rec) or rec.stray):
            continue
        if done:
            _unplace_row(out, spec, rec, f"公开{spec.no}表只有一行数据，这是多出来的一行")
            continue
        _place(out, spec, rec, row.key, spec.columns_for_side(row.side), scale)  # type: ignore[arg-type]
        done = True
