"""Expanding a template's rules into concrete checks over one workbook (审核公式展开).

A rule such as ``每行：栏1 = 栏2..7`` or ``每个类 = Σ 其款`` stands for many comparisons, one per
row, class or column. `compile_checks` turns every rule of the template into `Check`s: each
knows exactly which cells it reads, so the engine can index them and re-evaluate only the checks
that read a changed cell. Expansion depends on the rows present (coded rows), so it is redone
when rows are added or removed, never on a figure's change.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import cache, partial

from services.money import ZERO
from services.rules import EACH_CLASS, EACH_ROW, Formula, Hierarchy, ParentsExist, Ref, Rule, parse_rule
from services.templates import RuleSpec, TableSpec
from services.workbook import Cell, Workbook, parent_code

#: One side of a comparison: the cells added, the cells subtracted, and a constant.
Side = tuple[tuple[Cell, ...], tuple[Cell, ...], Decimal]
Signed = tuple[tuple[tuple[int, Cell], ...], Decimal]  # the same as (sign, cell) pairs and a constant
_NOTHING: Side = ((), (), ZERO)

#: ``Cell`` without the NamedTuple's Python-level ``__new__``: expansion makes thousands of them
#: per check of a department, and the district re-checks a thousand departments in a run.
_cell = partial(tuple.__new__, Cell)


@dataclass(eq=False, slots=True)
class Check:
    """One comparison: Σ left  cmp  Σ right, or a structural finding (``missing_parent``)."""

    spec: RuleSpec
    key: tuple
    anchor: Cell
    cmp: str = "="
    left: Side = _NOTHING
    right: Side = _NOTHING
    missing_parent: str | None = None

    @property
    def lhs(self) -> Signed:
        return _signed(self.left)

    @property
    def rhs(self) -> Signed:
        return _signed(self.right)

    @property
    def reads(self) -> Iterator[Cell]:
        for side in (self.left, self.right):
            yield from side[0]
            yield from side[1]

    @property
    def addends(self) -> int:
        n = len(self.left[0]) + len(self.left[1]) + len(self.right[0]) + len(self.right[1])
        return max(1, n - 1)


def _signed(side: Side) -> Signed:
    plus, minus, const = side
    return tuple((1, c) for c in plus) + tuple((-1, c) for c in minus), const


def _side(signed: list[tuple[int, Cell]], const: Decimal) -> Side:
    return tuple(c for sign, c in signed if sign > 0), tuple(c for sign, c in signed if sign < 0), const


@cache
def parsed(rule_text: str) -> Rule:
    return parse_rule(rule_text)


def compile_checks(wb: Workbook) -> list[Check]:
    out: list[Check] = []
    for spec in wb.template.all_rules():
        out.extend(compile_rule(wb, spec))
    return out


def compile_rule(wb: Workbook, spec: RuleSpec) -> list[Check]:
    rule = parsed(spec.rule)
    if isinstance(rule, ParentsExist):
        return list(_parents(wb, spec))
    if isinstance(rule, Hierarchy):
        return list(_hierarchy(wb, spec, rule))
    if _on_fixed_rows(wb.template, spec):
        # Nothing but the template decides this expansion: made once, shared by every workbook
        # (the district re-checks a thousand departments; Checks are never changed once made).
        memo = wb.template.memo
        found = memo.get(("checks", spec))
        if found is None:
            found = memo[("checks", spec)] = tuple(_expand(wb, spec, rule))
        return list(found)
    return list(_expand(wb, spec, rule))


def _expand(wb: Workbook, spec: RuleSpec, rule: Formula) -> Iterator[Check]:
    if rule.scope == EACH_ROW:
        return _each_row(wb, spec, rule)
    if rule.scope == EACH_CLASS:
        return (c for code in _class_codes(wb, spec, rule) for c in _shared_formula(wb, spec, rule, code))
    return iter(_shared_formula(wb, spec, rule, None))


def _shared_formula(wb: Workbook, spec: RuleSpec, rule: Formula, this_class: str | None,
                    this_row: str | None = None) -> tuple[Check, ...]:
    """`_formula`'s checks, made once per template for each way the coded rows they name can be
    present or absent: nothing else of the workbook enters them (a district re-checks a thousand
    departments, whose 类 recur)."""
    present = []
    for term in rule.lhs + rule.rhs:
        if term.ref is None:
            continue
        table = term.ref.table or spec.table
        if wb.table(table).coded:
            rows = wb.coded.get(table, {})
            present.append(tuple(r in rows for r in _rows(wb, table, term.ref, this_class, this_row)))
    key = ("formula", spec, this_class, this_row, tuple(present))
    memo = wb.template.memo
    found = memo.get(key)
    if found is None:
        found = memo[key] = tuple(_formula(wb, spec, rule, this_class, this_row))
    return found


def _on_fixed_rows(template, spec: RuleSpec) -> bool:  # noqa: ANN001 - a Template
    """Whether a formula reads only tables without coded rows (its expansion is the template's)."""
    rule = parsed(spec.rule)
    tables = {spec.table} | {t.ref.table for t in rule.lhs + rule.rhs if t.ref is not None and t.ref.table}
    return not any(template.tables[no].coded for no in tables if no in template.tables)


# ── rows and columns ───────────────────────────────────────────────────────
def _rows(wb: Workbook, table: str, ref: Ref, this_class: str | None, this_row: str | None) -> list[str]:
    t = wb.table(table)
    sel = ref.row
    if sel is None:
        if this_row is not None:
            return [this_row]
        keyed = [r.key for r in t.rows if r.key]
        return keyed[:1] if len(keyed) == 1 else []
    if sel.line is not None:
        hi = sel.line_to if sel.line_to is not None else sel.line
        return [r.key for r in t.rows if r.key and r.line is not None and sel.line <= r.line <= hi]
    if sel.id is not None:
        return [sel.id] if t.fixed_row(sel.id) else []
    code = this_class if sel.this_class else sel.code
    if code is None:
        return []
    if t.coded:
        return [code]
    r = t.row_by_code(code)
    return [r.key] if r and r.key else []


def _term_cells(wb: Workbook, table: str, rows: list[str], ref: Ref, free_col: int | None) -> list[Cell]:
    cells = []
    for row in rows:
        have = wb.row_columns(table, row) if wb.has_row(table, row) else wb.table(table).column_nos
        if ref.col is not None:
            hi = ref.col_to if ref.col_to is not None else ref.col
            cols = [c for c in have if ref.col <= c <= hi]
        elif len(have) == 1:
            cols = have
        elif free_col is not None and free_col in have:
            cols = [free_col]
        else:
            cols = []
        cells.extend(_cell((table, row, c)) for c in cols)
    return cells


def _formula(wb: Workbook, spec: RuleSpec, rule: Formula, this_class: str | None, this_row: str | None = None) -> Iterator[Check]:
    terms = [(side, t) for side, ts in ((0, rule.lhs), (1, rule.rhs)) for t in ts]
    resolved = []
    free_sets: list[set[int]] = []
    for side, t in terms:
        if t.ref is None:
            resolved.append((side, t, "", []))
            continue
        table = t.ref.table or spec.table
        rows = _rows(wb, table, t.ref, this_class, this_row)
        resolved.append((side, t, table, rows))
        if t.ref.col is None:
            widths = [set(wb.row_columns(table, r)) for r in rows if wb.has_row(table, r)]
            if any(len(w) > 1 for w in widths):
                free_sets.append(set.intersection(*widths))
    free_cols: list[int | None] = sorted(set.intersection(*free_sets)) if free_sets else [None]
    for free in free_cols:
        sides: list[list[tuple[int, Cell]]] = [[], []]
        consts = [ZERO, ZERO]
        for side, t, table, rows in resolved:
            if t.ref is None:
                consts[side] += t.sign * (t.const or ZERO)
                continue
            sides[side].extend((t.sign, c) for c in _term_cells(wb, table, rows, t.ref, free))
        if not sides[0] and not sides[1]:
            continue
        anchor = (sides[0] or sides[1])[0][1]
        yield Check(spec, (spec.id, anchor), anchor, rule.cmp, _side(sides[0], consts[0]), _side(sides[1], consts[1]))


def _each_row(wb: Workbook, spec: RuleSpec, rule: Formula) -> Iterator[Check]:
    terms = rule.lhs + rule.rhs
    needed = {c for t in terms if t.ref and t.ref.col is not None and t.ref.row is None for c in range(t.ref.col, (t.ref.col_to or t.ref.col) + 1)}
    simple = all(t.ref is None or (t.ref.row is None and t.ref.col is not None and t.ref.table in (None, spec.table)) for t in terms)
    # The common case (栏1 = 栏2..7 on every row) builds the cells directly, once per template and
    # row: departments share most of their codes, and a district re-checks thousands of them.
    made: dict[str, Check] = wb.template.memo.setdefault(("row checks", spec.id), {}) if simple else {}
    for row in wb.row_keys(spec.table):
        if not needed <= set(wb.row_columns(spec.table, row)):
            continue
        if simple:
            found = made.get(row)
            if found is None:
                found = made[row] = _row_check(spec, rule, row)
            yield found
        else:
            yield from _shared_formula(wb, spec, rule, None, row)


def _row_check(spec: RuleSpec, rule: Formula, row: str) -> Check:
    sides: tuple[tuple[list[Cell], list[Cell]], ...] = (([], []), ([], []))
    consts = [ZERO, ZERO]
    anchor: Cell | None = None
    for side, ts in ((0, rule.lhs), (1, rule.rhs)):
        for t in ts:
            if t.ref is None:
                consts[side] += t.sign * (t.const or ZERO)
                continue
            hi = t.ref.col_to if t.ref.col_to is not None else t.ref.col
            cells = [_cell((spec.table, row, c)) for c in range(t.ref.col, hi + 1)]  # type: ignore[arg-type]
            if anchor is None and cells:
                anchor = cells[0]  # the first cell the rule names
            sides[side][t.sign < 0].extend(cells)
    (lp, lm), (rp, rm) = sides
    assert anchor is not None  # an each-row rule names at least one column
    return Check(spec, (spec.id, anchor), anchor, rule.cmp, (tuple(lp), tuple(lm), consts[0]),
                 (tuple(rp), tuple(rm), consts[1]))


def _class_codes(wb: Workbook, spec: RuleSpec, rule: Formula) -> list[str]:
    codes: set[str] = set()
    for t in rule.lhs + rule.rhs:
        if t.ref and t.ref.row and t.ref.row.this_class:
            table = wb.table(t.ref.table or spec.table)
            if table.coded:
                codes.update(c for c in wb.coded.get(table.no, {}) if len(c) == 3)
            else:
                codes.update(r.code for r in table.rows if len(r.code) == 3)
    return sorted(codes)


def _hierarchy(wb: Workbook, spec: RuleSpec, rule: Hierarchy) -> Iterator[Check]:
    t: TableSpec = wb.table(spec.table)
    codes = wb.codes(spec.table)
    width = {"类": 3, "款": 5, "项": 7}
    if rule.parent == "合计":
        parents = {"合计": [c for c in codes if len(c) == 3]}
    else:
        pw, cw = width[rule.parent], width[rule.child]
        parents = {}
        for c in codes:
            if len(c) == cw:
                parents.setdefault(c[:pw], []).append(c)
    present = wb.coded.get(spec.table, {})
    for parent, children in parents.items():
        if parent != "合计" and parent not in present:
            continue  # a missing parent is reported once, by 上级科目存在
        for col in t.column_nos:
            anchor = _cell((spec.table, parent, col))
            summed = tuple([_cell((spec.table, ch, col)) for ch in children])
            yield Check(spec, (spec.id, anchor), anchor, "=", ((anchor,), (), ZERO), (summed, (), ZERO))


def _parents(wb: Workbook, spec: RuleSpec) -> Iterator[Check]:
    present = wb.coded.get(spec.table, {})
    first_col = wb.table(spec.table).column_nos[0]
    for code in sorted(present):
        p = parent_code(code)
        if p is not None and p not in present:
            anchor = Cell(spec.table, code, first_col)
            yield Check(spec, (spec.id, anchor), anchor, missing_parent=p)


def validate_template(template) -> list[str]:  # noqa: ANN001 - a Template
    """Problems in a template file, in Chinese; an empty list means it is usable."""
    problems: list[str] = []
    seen: set[str] = set()
    for t in template.tables.values():
        nos = t.column_nos
        if len(set(nos)) != len(nos):
            problems.append(f"公开{t.no}表：栏次重复")
        keys = [r.key for r in t.rows + t.total_rows if r.key]
        if len(set(keys)) != len(keys):
            problems.append(f"公开{t.no}表：行名称重复")
        lines = [r.line for r in t.rows if r.line is not None]
        if len(set(lines)) != len(lines):
            problems.append(f"公开{t.no}表：行次重复")
    for spec in template.all_rules():
        where = f"{spec.id}（{spec.rule}）"
        if spec.id in seen:
            problems.append(f"审核公式编号重复：{spec.id}")
        seen.add(spec.id)
        if spec.table not in template.tables:
            problems.append(f"{where}：没有公开{spec.table}表")
            continue
        try:
            rule = parsed(spec.rule)
        except ValueError as e:
            problems.append(f"{where}：{e}")
            continue
        if not isinstance(rule, Formula):
            if not template.tables[spec.table].coded:
                problems.append(f"{where}：层级公式只能用于按科目编码列示的表")
            continue
        for term in rule.lhs + rule.rhs:
            if term.ref is not None:
                problems += [f"{where}：{p}" for p in _ref_problems(template, spec.table, term.ref)]
    return problems


def _ref_problems(template, home: str, ref: Ref) -> list[str]:  # noqa: ANN001
    no = ref.table or home
    t = template.tables.get(no)
    if t is None:
        return [f"没有公开{no}表"]
    out = []
    for c in (ref.col, ref.col_to):
        if c is not None and c not in t.column_nos:
            out.append(f"公开{no}表没有栏{c}")
    sel = ref.row
    if sel is None:
        return out
    if sel.line is not None:
        hi = sel.line_to if sel.line_to is not None else sel.line
        if not any(r.key and r.line is not None and sel.line <= r.line <= hi for r in t.rows):
            out.append(f"公开{no}表没有行{sel.line}" + (f"..{hi}" if hi != sel.line else ""))
    elif sel.id is not None and t.fixed_row(sel.id) is None:
        out.append(f"公开{no}表没有“{sel.id}”行")
    elif sel.code is not None and not t.coded and t.row_by_code(sel.code) is None:
        out.append(f"公开{no}表没有科目 {sel.code} 行")
    elif sel.this_class and not t.coded and not any(len(r.code) == 3 for r in t.rows):
        out.append(f"公开{no}表没有按类列示的行，不能用“该类”")
    return out
