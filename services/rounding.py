"""舍位平衡 (balanced rounding): the published 万元 figures of a year whose figures are finer.

A clerk may keep a year's figures in 元, as the ledger holds them (`ENTRY_UNIT_KEY` = 元, or an
import of a workbook printed in 元): the figures are then stored exactly (万元 with up to six
decimals, a hundredth of a 元) and every check runs on those exact figures, so a sum that holds
in the ledger holds in the checks and there is no 尾数 to warn about. The published tables show
万元 to the cent; rounding each figure on its own would break the sums that the exact figures
keep (the 尾数差异 every disclosure footnotes). `balanced` rounds them together instead.

The method (受控舍入, controlled rounding, as statistical offices publish tables that add up):
every figure finer than a cent is rounded down or up to a neighbouring cent, never further; every
rule of the template (表内、表间、科目层级 — the same `Check`s the audit runs) that holds on the
exact figures must hold on the rounded ones; and among the roundings that keep all of them, the
one closest to the exact figures (the least total adjustment) is taken. That is a small integer
program (one 0/1 choice per figure), solved exactly by HiGHS. For the rules of one table it is
the 舍位平衡 of the official software (the difference pushed onto the figures nearest their
other cent); because the rules across tables are in the same program, a figure printed in two
tables is the same in both. A rule that already fails on the exact figures is left out (it stays
a finding); should no rounding keep every rule (never seen on a real department), the fewest
rules are given up, and the audit of the exact figures still reports nothing new.
"""

from __future__ import annotations

import dataclasses
from decimal import ROUND_FLOOR, Decimal

from services.money import CENT
from services.workbook import Cell, Workbook

#: the year's setting: the unit the clerk types and reads figures in (万元, the default, or 元)
ENTRY_UNIT_KEY = "设置.录入单位"
YUAN = "元"
#: 1 万元 in 元
YUAN_PER_WAN = Decimal(10000)
#: the cost of giving up one rule, against at most one cent of adjustment per figure
_GIVE_UP = 10_000.0


def entry_unit(wb: Workbook) -> str:
    """The unit the clerk types this year's figures in: 元 or 万元."""
    return YUAN if (wb.texts.get(ENTRY_UNIT_KEY) or "").strip() == YUAN else "万元"


def finer_than_cent(wb: Workbook) -> bool:
    """Whether any figure of the year is finer than the cent it is published to."""
    return any(v != v.quantize(CENT, rounding=ROUND_FLOOR) for v in wb.values.values())


_cache: dict[int, tuple[tuple, dict[Cell, Decimal]]] = {}


def published(wb: Workbook) -> Workbook:
    """The workbook as published: itself when every figure is to the cent, otherwise a copy
    holding the balanced figures (texts, rows and 上年数 shared, read-only)."""
    if not finer_than_cent(wb):
        return wb
    # what the balancing depends on: the figures, and the rules (the template, the coded rows)
    key = (wb.template.id, frozenset(wb.values.items()), frozenset((t, c) for t, rows in wb.coded.items() for c in rows))
    hit = _cache.get(id(wb))
    if hit is None or hit[0] != key:
        # one entry per open workbook is enough: the window asks again after every edit
        if len(_cache) > 8:
            _cache.clear()
        hit = _cache[id(wb)] = (key, balanced(wb))
    return dataclasses.replace(wb, values=dict(hit[1]))


def balanced(wb: Workbook) -> dict[Cell, Decimal]:
    """Every figure to the cent of 万元, rounded together so that the rules that hold on the exact
    figures hold on the printed ones, with the least total adjustment (see the module)."""
    from services.compile import compile_checks

    hundred = Decimal(100)
    floor: dict[Cell, int] = {}
    frac: dict[Cell, Decimal] = {}
    for cell, v in wb.values.items():
        c = v * hundred
        f = c.to_integral_value(rounding=ROUND_FLOOR)
        floor[cell] = int(f)
        if c != f:
            frac[cell] = c - f
    if not frac:
        return {cell: v.quantize(CENT) for cell, v in wb.values.items()}
    var = {cell: i for i, cell in enumerate(frac)}
    rows: list[tuple[dict[int, int], int, str]] = []  # ({variable: coefficient}, constant, cmp)
    for ch in compile_checks(wb):
        if ch.missing_parent is not None or ch.cmp not in ("=", "≥", "≤"):
            continue
        coef: dict[int, int] = {}
        exact = Decimal(0)
        base = Decimal(0)
        for sign_side, side in ((1, ch.left), (-1, ch.right)):
            plus, minus, const = side
            exact += sign_side * const
            base += sign_side * const * hundred
            for sign, cells in ((sign_side, plus), (-sign_side, minus)):
                for cell in cells:
                    x = wb.values.get(cell)
                    if x is None:
                        continue
                    exact += sign * x
                    base += sign * floor[cell]
                    i = var.get(cell)
                    if i is not None:
                        coef[i] = coef.get(i, 0) + sign
        holds = exact == 0 if ch.cmp == "=" else (exact >= 0 if ch.cmp == "≥" else exact <= 0)
        coef = {i: a for i, a in coef.items() if a}
        if not holds or not coef or base != base.to_integral_value():
            continue  # a failing rule stays a finding; a rule on whole cents only needs nothing
        rows.append((coef, int(base), ch.cmp))
    choice = _solve(len(var), [frac[c] for c in var], rows)
    out = {cell: Decimal(floor[cell]).scaleb(-2) for cell in wb.values}
    for cell, i in var.items():
        out[cell] = Decimal(floor[cell] + choice[i]).scaleb(-2)
    return out


def _solve(n: int, fracs: list[Decimal], rows: list[tuple[dict[int, int], int, str]]) -> list[int]:
    """0/1 per figure (down/up): Σ a·x + base  (=, ≥, ≤)  0 for every row, each row allowed to
    fail at a high cost, minimising the total distance to the exact figures."""
    import numpy as np

    # highspy's `Highs` prints a banner when it enables its callbacks; the plain solver class does
    # not, and the command line's output must stay the product's own.
    from highspy import HighsLp, HighsModelStatus, HighsVarType, MatrixFormat
    from highspy._core import _Highs

    # columns: the n choices, then one slack pair (too much, too little) per row
    m = len(rows)
    cost = [1.0 - 2.0 * float(f) for f in fracs] + [_GIVE_UP] * (2 * m)  # float-ok: the solver's costs and bounds; the figures stay Decimal
    lower, upper = [0.0] * (n + 2 * m), [1.0] * n + [float(n + 1)] * (2 * m)  # float-ok: the solver's costs and bounds; the figures stay Decimal
    entries: list[list[tuple[int, float]]] = [[] for _ in range(n + 2 * m)]
    row_lo, row_hi = [], []
    for r, (coef, base, cmp) in enumerate(rows):
        for i, a in coef.items():
            entries[i].append((r, float(a)))  # float-ok: the solver's costs and bounds; the figures stay Decimal
        entries[n + 2 * r].append((r, -1.0))
        entries[n + 2 * r + 1].append((r, 1.0))
        lo, hi = (-base, -base) if cmp == "=" else ((-base, np.inf) if cmp == "≥" else (-np.inf, -base))
        row_lo.append(float(lo))  # float-ok: the solver's costs and bounds; the figures stay Decimal
        row_hi.append(float(hi))  # float-ok: the solver's costs and bounds; the figures stay Decimal
    start, index, value = [0], [], []
    for col in entries:
        index += [r for r, _ in col]
        value += [a for _, a in col]
        start.append(len(index))
    lp = HighsLp()
    lp.num_col_, lp.num_row_ = n + 2 * m, m
    lp.col_cost_, lp.col_lower_, lp.col_upper_ = np.array(cost), np.array(lower), np.array(upper)
    lp.row_lower_, lp.row_upper_ = np.array(row_lo), np.array(row_hi)
    lp.a_matrix_.format_ = MatrixFormat.kColwise
    lp.a_matrix_.start_, lp.a_matrix_.index_ = np.array(start), np.array(index, dtype=np.int32)
    lp.a_matrix_.value_ = np.array(value)
    lp.integrality_ = [HighsVarType.kInteger] * (n + 2 * m)
    h = _Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)  # the same figures always print the same (reproducible PDF)
    h.setOptionValue("mip_rel_gap", 0.0)
    h.passModel(lp)
    h.run()
    if h.getModelStatus() != HighsModelStatus.kOptimal:
        return [1 if f >= Decimal("0.5") else 0 for f in fracs]  # plain rounding, never worse
    x = h.getSolution().col_value
    return [int(round(x[i])) for i in range(n)]
