"""The 绩效 forms against the 公开 tables (表间核对), the department's small tables, and 元 vs 万元.

* A project's 全年执行数 agrees with table 03's 项目支出 (栏3) for the 功能分类 codes it lists.
  Projects that share a code are compared together (seed 002's three projects share 2010308), and a
  code under another listed code is not counted twice.
* The template's ``[[link]]`` rules, in the tables' notation (``{整体.执行数} = 表03 合计 栏1``):
  ``{…}`` with no table before it is a form field, ``表NN`` is the table playing the role the
  template's ``[tables]`` names, so a 2023 workbook (三公 is table 09 there) reads the right one.
* The department form's small tables (收入, 支出, 三公, 固定资产): their ``每行：`` rules and
  汇总 = Σ institutions.
* An amount in 元 typed into a 万元 form (seed 004 prints 80000 for 8 万元) is 10,000 times the
  table's figure, or far more than the whole department spent.
"""

from __future__ import annotations

from decimal import Decimal

from services.disclosure.texts import find_table
from services.findings import Finding, fmt
from services.money import ZERO, round_cent
from services.performance.findings import form_name, make
from services.performance.model import DEPARTMENT_ID, DepartmentForm, PerformanceForms, ProjectForm, block_cell, form_cell
from services.performance.spec import Block, PerformanceSpec
from services.rules import Formula, Ref, Term
from services.workbook import Cell, Workbook

_CMP = {"=": lambda a, b: a == b, "≥": lambda a, b: a >= b, "≤": lambda a, b: a <= b}


def check_links(wb: Workbook, forms: PerformanceForms, spec: PerformanceSpec) -> list[Finding]:
    out: list[Finding] = []
    yuan = _yuan(wb, forms, spec)
    out += yuan
    flagged = {f.cell for f in yuan}
    out += _projects_vs_table(wb, forms, spec, flagged)
    if forms.department is not None:
        out += _blocks(forms.department, spec)
        out += _template_links(wb, forms.department, spec, flagged)
    return out


# ── the tables' side ────────────────────────────────────────────────────────
def _table_no(wb: Workbook, spec: PerformanceSpec, no: str | None) -> str | None:
    role = spec.tables.get(no or "", "")
    t = find_table(wb.template, role) if role else (wb.template.tables.get(no or "") if no else None)
    return t.no if t is not None else None


def _table_value(wb: Workbook, spec: PerformanceSpec, ref: Ref) -> tuple[Decimal, list[Cell]] | None:
    no = _table_no(wb, spec, ref.table)
    if no is None or ref.row is None:
        return None
    t = wb.table(no)
    row = ref.row.id or ref.row.code
    if row is None or not wb.has_row(no, row):
        return None
    cols = wb.row_columns(no, row)
    if ref.col is not None:
        cols = [c for c in cols if ref.col <= c <= (ref.col_to or ref.col)]
    elif len(cols) != 1:
        return None
    cells = [Cell(t.no, row, c) for c in cols]
    return sum((wb.get(c) or ZERO for c in cells), ZERO), cells


def department_total(wb: Workbook, forms: PerformanceForms, spec: PerformanceSpec) -> Decimal:
    """What the whole department spent: table 03 合计 栏1, else the department form's 执行数."""
    no = _table_no(wb, spec, "03")
    v = wb.get(Cell(no, "合计", 1)) if no and wb.has_row(no, "合计") else None
    if not v and forms.department is not None and forms.department.total_row is not None:
        v = forms.department.total_row.spent
    return v or ZERO


# ── projects vs table 03 ────────────────────────────────────────────────────
def _components(projects: list[ProjectForm]) -> list[list[ProjectForm]]:
    """Projects joined by shared codes (a code and one under it are shared too)."""
    groups: list[tuple[set[str], list[ProjectForm]]] = []
    for p in projects:
        codes = {c for c in p.codes if c}
        if not codes:
            continue
        joined = [g for g in groups if any(a.startswith(b) or b.startswith(a) for a in g[0] for b in codes)]
        for g in joined:
            groups.remove(g)
            codes |= g[0]
        groups.append((codes, [q for g in joined for q in g[1]] + [p]))
    return [sorted(g[1], key=projects.index) for g in groups]


def _projects_vs_table(wb: Workbook, forms: PerformanceForms, spec: PerformanceSpec, flagged: set) -> list[Finding]:
    link = spec.project_link
    t = find_table(wb.template, link.get("table", "")) if link else None
    if t is None or wb.is_empty(t.no):
        return []
    col, cmp = int(link.get("column", 3)), link.get("compare", "=")
    out = []
    for group in _components(forms.projects):
        if any(form_cell(p.id, "fund0", "spent") in flagged for p in group):
            continue  # already said: the amount is in 元
        codes = sorted({c for p in group for c in p.codes if c})
        top = [c for c in codes if not any(c != o and c.startswith(o) for o in codes)]
        present = [c for c in top if wb.has_row(t.no, c)]
        cells = [Cell(t.no, c, col) for c in present]
        table = sum((wb.get(c) or ZERO for c in cells), ZERO)
        spent = sum((p.total_row.spent or ZERO for p in group if p.total_row), ZERO)
        if all(p.total_row is None or p.total_row.spent is None for p in group):
            continue
        if present == top and _CMP.get(cmp, _CMP["="])(spent, table):
            continue
        names = "、".join(form_name(p) for p in group)
        where = "、".join(f"{c} {wb.row_label(t.no, c)}".strip() for c in top)
        if present != top:
            missing = "、".join(c for c in top if c not in present)
            msg = f"{names} 列出的功能分类科目 {missing} 不在公开{t.no}表中"
        else:
            what = "全年执行数之和" if len(group) > 1 else "全年执行数"
            msg = (f"{names} 的{what}为 {fmt(spent)} 万元，公开{t.no}表 {where} 的{t.column(col).label}为 {fmt(table)} 万元，"
                   f"相差 {fmt(spent - table)}")
            if spent < table and cmp == "=":
                msg += "（若该科目下还有未做绩效自评的项目，可在模板中改为“≤”）"
        first = group[0]
        if present == top:
            anchor = form_cell(first.id, "fund0", "spent")
        else:
            owner = next(p for p in group if any(c in p.codes for c in top if c not in present))
            anchor = form_cell(owner.id, "head", "codes")
        out.append(make(spec, link["id"], first, names, "全年执行数", msg, anchor, table, spent,
                        cells=tuple(form_cell(p.id, "fund0", "spent") for p in group) + tuple(cells)))
    return out


# ── amounts in 元 ───────────────────────────────────────────────────────────
def _yuan(wb: Workbook, forms: PerformanceForms, spec: PerformanceSpec) -> list[Finding]:
    ratio = spec.decimal("yuan_ratio", "10000")
    factor = spec.decimal("suspect_factor", "100")
    total = department_total(wb, forms, spec)
    t = find_table(wb.template, spec.project_link.get("table", "")) if spec.project_link else None
    col = int(spec.project_link.get("column", 3)) if spec.project_link else 3
    out = []
    for form in forms.forms():
        single = None  # the table figure a one-code project can be compared with
        if isinstance(form, ProjectForm) and t is not None and len(form.codes) == 1 and wb.has_row(t.no, form.codes[0]):
            single = wb.get(Cell(t.no, form.codes[0], col))
        for k, row in enumerate(form.funds):
            for attr in ("initial", "budget", "spent"):
                a = getattr(row, attr)
                if a is None or a <= 0:
                    continue
                as_wan = round_cent(a / ratio)
                tenk = single is not None and single != 0 and attr == "spent" and as_wan == round_cent(single)
                huge = total > 0 and a > total * factor and not (isinstance(form, DepartmentForm) and a == total)
                if not (tenk or huge):
                    continue
                name = form_name(form)
                why = (f"恰为公开{t.no}表该科目数 {fmt(single)} 万元的 {fmt(ratio)} 倍" if tenk and t is not None
                       else f"是部门全年支出 {fmt(total)} 万元的 {(a / total).quantize(Decimal(1))} 倍")
                msg = f"{name} {row.source} {_FIELD[attr]} {fmt(a)} 万元{why}，似按“元”填写，应为 {fmt(as_wan)} 万元"
                out.append(make(spec, "绩效-金额单位", form, name, _FIELD[attr], msg, form_cell(form.id, f"fund{k}", attr), as_wan, a))
    return out


_FIELD = {"initial": "年初预算数", "budget": "全年预算数", "spent": "全年执行数"}


# ── the department form ─────────────────────────────────────────────────────
def _blocks(form: DepartmentForm, spec: PerformanceSpec) -> list[Finding]:
    out = []
    for block in spec.blocks:
        rows = form.blocks.get(block.id, [])
        out += _block_rows(form, block, rows, spec)
        out += _block_total(form, block, rows, spec)
    return out


def _row_side(terms: tuple[Term, ...], values: list[Decimal | None]) -> tuple[Decimal, bool]:
    total, seen = ZERO, False
    for t in terms:
        if t.const is not None:
            total += t.sign * t.const
            continue
        assert t.ref is not None and t.ref.col is not None
        for c in range(t.ref.col, (t.ref.col_to or t.ref.col) + 1):
            v = values[c - 1] if c - 1 < len(values) else None
            seen = seen or v is not None
            total += t.sign * (v or ZERO)
    return total, seen


def _block_rows(form: DepartmentForm, block: Block, rows: list, spec: PerformanceSpec) -> list[Finding]:
    out = []
    for r, row in enumerate(rows):
        for br in block.rules:
            f: Formula = br.formula
            left, seen_l = _row_side(f.lhs, row.values)
            right, seen_r = _row_side(f.rhs, row.values)
            if not (seen_l or seen_r) or _CMP[f.cmp](left, right):
                continue
            c = f.lhs[0].ref.col if f.lhs[0].ref else 1
            label = f"{block.title} {row.name}"
            msg = f"{label}：{block.columns[c - 1]} {fmt(left)}，按公式应为 {fmt(right)}，相差 {fmt(left - right)}"
            out.append(make(spec, br.rule.id, form, label, block.columns[c - 1], msg, block_cell(block.id, r, c or 1), right, left))
    return out


def _block_total(form: DepartmentForm, block: Block, rows: list, spec: PerformanceSpec) -> list[Finding]:
    if len(rows) < 2:
        return []
    out = []
    for c in range(1, len(block.columns) + 1):
        parts = [r.values[c - 1] if c - 1 < len(r.values) else None for r in rows[1:]]
        if all(p is None for p in parts):
            continue
        total = (rows[0].values[c - 1] if c - 1 < len(rows[0].values) else None) or ZERO
        want = sum((p for p in parts if p is not None), ZERO)
        if total != want:
            label = f"{block.title} {rows[0].name}"
            msg = f"{label}：{block.columns[c - 1]} {fmt(total)}，各机构之和为 {fmt(want)}，相差 {fmt(total - want)}"
            out.append(make(spec, "绩效-机构汇总", form, label, block.columns[c - 1], msg, block_cell(block.id, 0, c), want, total))
    return out


def _form_value(form: DepartmentForm, ref: Ref, spec: PerformanceSpec) -> tuple[Decimal | None, Cell | None, str]:
    """A form field of a link: ``整体.执行数`` or ``支出.栏2`` → (value, cell, what it is called)."""
    key = ref.row.id if ref.row else None
    if not key or "." not in key:
        return None, None, ""
    head, what = key.split(".", 1)
    if head == "整体":
        row = form.total_row
        attr = {"预算数": "budget", "执行数": "spent", "年初预算数": "initial"}.get(what)
        if row is None or attr is None:
            return None, None, ""
        return getattr(row, attr), form_cell(DEPARTMENT_ID, "fund0", attr), _FIELD[attr]
    block = spec.block(head)
    rows = form.blocks.get(head, [])
    if block is None or not rows or not what.startswith("栏") or not what[1:].isdigit():
        return None, None, ""
    c = int(what[1:])
    if c > len(block.columns):
        return None, None, ""
    value = rows[0].values[c - 1] if c - 1 < len(rows[0].values) else None
    return value, block_cell(head, 0, c), f"{block.id} {block.columns[c - 1]}"


def _template_links(wb: Workbook, form: DepartmentForm, spec: PerformanceSpec, flagged: set) -> list[Finding]:
    out = []
    for link in spec.links:
        sides, label = [], ""
        for terms in (link.formula.lhs, link.formula.rhs):
            total, cells, ok = ZERO, [], True
            for term in terms:
                if term.const is not None:
                    total += term.sign * term.const
                    continue
                assert term.ref is not None
                if term.ref.table is None:
                    v, cell, what = _form_value(form, term.ref, spec)
                    if v is None:
                        ok = False
                        break
                    total += term.sign * v
                    cells.append(cell)
                    label = label or what
                else:
                    tv = _table_value(wb, spec, term.ref)
                    if tv is None:
                        ok = False
                        break
                    total += term.sign * tv[0]
                    cells += tv[1]
            if not ok:
                break
            sides.append((total, cells))
        if len(sides) != 2 or _CMP[link.formula.cmp](sides[0][0], sides[1][0]):
            continue
        (left, lcells), (right, rcells) = sides
        anchor = lcells[0] if lcells and lcells[0] and lcells[0].table == "绩效" else None
        if anchor in flagged:
            continue
        bound = {"=": "应为", "≥": "不应小于", "≤": "不应大于"}[link.formula.cmp]
        where = "、".join(dict.fromkeys(f"公开{c.table}表" for c in rcells if c is not None))
        msg = (f"部门整体支出绩效自评表的{label}为 {fmt(left)} 万元，按{where or '公开表'}{bound} {fmt(right)} 万元，"
               f"相差 {fmt(left - right)}（{link.rule.text}）")
        out.append(make(spec, link.rule.id, form, "部门整体支出", label, msg, anchor,
                        right, left, cells=tuple(c for c in lcells + rcells if c is not None)))
    return out
