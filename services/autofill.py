"""Filling in computed cells (自动计算): totals, 小计 and 类/款 rollups from their addends.

A computed cell is one the template marks ``computed`` (a row or a column), a coded table's total
row, or a 类/款 row whose children are present. Its value comes from the template's own rules:
the first 强制 ``=`` check (template order: a table's rules before the cross-table ones) whose
left side is exactly that cell, e.g. ``行27 = Σ 行1..8`` or ``每个类 = Σ 其款``. So the window
holds no arithmetic: a new template brings its own totals. Sums are exact `Decimal`; a total
whose addends are all blank stays blank (an empty table stays empty, not 0.00).

The checks come from the `Checker` (already compiled for the same rows), so nothing is compiled
twice; call `rebuild` after the checker's own `rebuild` when rows were added or removed.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from services.compile import Check
from services.engine import Checker
from services.money import ZERO, normalise
from services.templates import ERROR
from services.workbook import Cell, Workbook


def marked_cells(wb: Workbook) -> set[Cell]:
    """Cells the template marks as computed (flags, total rows, coded parent rows)."""
    out: set[Cell] = set()
    for t in wb.template.tables.values():
        computed_cols = {c.no for c in t.columns if c.computed}
        if t.coded:
            codes = wb.coded.get(t.no, {})
            parents = {c[:5] for c in codes if len(c) == 7} | {c[:3] for c in codes if len(c) == 5}
            for r in t.total_rows:
                if r.key:
                    out.update(Cell(t.no, r.key, c) for c in t.column_nos)
            for code in codes:
                cols = t.column_nos if code in parents else computed_cols
                out.update(Cell(t.no, code, c) for c in cols)
        else:
            for r in t.rows:
                if r.key:
                    cols = t.columns_for_side(r.side)
                    out.update(Cell(t.no, r.key, c) for c in cols if r.computed or c in computed_cols)
    return out


def _defines(ch: Check, cell: Cell) -> bool:
    """Whether ``ch`` reads ``cell = Σ others`` (a sum that can fill the cell in)."""
    return (
        ch.spec.level == ERROR
        and ch.cmp == "="
        and ch.missing_parent is None
        and ch.lhs == (((1, cell),), ZERO)
        and bool(ch.rhs[0])
        and all(c != cell for _, c in ch.rhs[0])
    )


class Autofill:
    """The formulas of one workbook's computed cells, and their evaluation after an edit."""

    def __init__(self, wb: Workbook, checker: Checker):
        self.wb, self.checker = wb, checker
        self.formulas: dict[Cell, Check] = {}
        self._users: dict[Cell, list[Cell]] = {}
        self._rank: dict[Cell, int] = {}
        self.rebuild()

    def rebuild(self) -> None:
        formulas = {}
        for cell in marked_cells(self.wb):
            for ch in self.checker.checks_reading(cell):
                if _defines(ch, cell):
                    formulas[cell] = ch
                    break
        self.formulas = formulas
        self._rank = {}
        for cell in list(formulas):
            self._rank_of(cell, set())
        users: dict[Cell, list[Cell]] = {}
        for cell, ch in self.formulas.items():
            for _, addend in ch.rhs[0]:
                users.setdefault(addend, []).append(cell)
        self._users = users

    def _rank_of(self, cell: Cell, path: set[Cell]) -> int:
        """Depth in the chain of totals (项 → 款 → 类 → 合计); a formula closing a cycle is dropped."""
        if cell in self._rank:
            return self._rank[cell]
        ch = self.formulas.get(cell)
        if ch is None:
            return 0
        path.add(cell)
        rank = 1
        for _, addend in ch.rhs[0]:
            if addend in path:
                del self.formulas[cell]  # a template whose totals refer to each other: leave it typed
                path.discard(cell)
                return 0
            rank = max(rank, self._rank_of(addend, path) + 1)
        path.discard(cell)
        self._rank[cell] = rank
        return rank

    def is_computed(self, cell: Cell) -> bool:
        return cell in self.formulas

    def rule_text(self, cell: Cell) -> str:
        """The rule a computed cell is filled in by, as the template words it ('' for a typed one)."""
        ch = self.formulas.get(cell)
        return ch.spec.text if ch is not None else ""

    def affected(self, cells: Iterable[Cell]) -> list[Cell]:
        """Computed cells depending (directly or through other totals) on ``cells``, addends first."""
        seen: set[Cell] = set()
        todo = list(cells)
        while todo:
            for user in self._users.get(todo.pop(), ()):
                if user not in seen:
                    seen.add(user)
                    todo.append(user)
        return sorted(seen, key=lambda c: self._rank.get(c, 0))

    def value(self, cell: Cell) -> Decimal | None:
        """The sum the cell's formula gives now; ``None`` when every addend is blank."""
        cells, const = self.formulas[cell].rhs
        values = self.wb.values
        total, any_value = const, const != 0
        for sign, addend in cells:
            v = values.get(addend)
            if v is not None:
                any_value = True
                total = total + v if sign > 0 else total - v
        return normalise(total) if any_value else None

    def fill(self, changed: Iterable[Cell]) -> dict[Cell, tuple[Decimal | None, Decimal | None]]:
        """Recompute what depends on ``changed`` into the workbook; returns {cell: (old, new)}."""
        return self._fill(self.affected(changed))

    def refill(self, cells: Iterable[Cell]) -> dict[Cell, tuple[Decimal | None, Decimal | None]]:
        """Recompute ``cells`` themselves (computed ones) and what depends on them."""
        own = [c for c in cells if c in self.formulas]
        return self._fill(sorted(set(own) | set(self.affected(own)), key=lambda c: self._rank.get(c, 0)))

    def fill_all(self) -> dict[Cell, tuple[Decimal | None, Decimal | None]]:
        """Recompute every computed cell (after typing totals by hand, to start again from the parts)."""
        return self._fill(sorted(self.formulas, key=lambda c: self._rank.get(c, 0)))

    def propagate(self, deltas: dict[Cell, Decimal]) -> dict[Cell, Decimal]:
        """How much each computed cell moves when ``deltas`` move their cells (an offset in the
        汇总: a 上级补助收入 taken out also leaves 本年收入合计 and 收入总计), without adding anything
        up again; ``deltas`` themselves included."""
        out = dict(deltas)
        for cell in self.affected(deltas):
            cells, _ = self.formulas[cell].rhs
            moved = sum((d if sign > 0 else -d for sign, addend in cells if (d := out.get(addend)) is not None), ZERO)
            if moved:
                out[cell] = moved
        return out

    def _fill(self, cells: list[Cell]) -> dict[Cell, tuple[Decimal | None, Decimal | None]]:
        out = {}
        for cell in cells:
            new = self.value(cell)
            old = self.wb.set(cell, new)
            if old != new:
                out[cell] = (old, new)
        return out
