"""The reconciliation engine (审核引擎): every rule of a department-year, incrementally.

`Checker` compiles the template's rules into `Check`s (see `services.compile`), indexes them by
the cells they read, and keeps the current findings. After one cell changes only the checks that
read it are evaluated again, and the caller learns which findings appeared and disappeared, so a
window repaints just those cells. Checks never raise on user data: a blank is zero, and a rule
that cannot be expanded over the rows present simply has no instance.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import repeat

from services.compile import Check, compile_checks
from services.findings import Finding, fmt
from services.money import CENT, ZERO
from services.templates import ERROR, WARNING
from services.workbook import Cell, Unread, Workbook

#: the rule id of the notice that a table was read only in part (未完整读入)
INCOMPLETE_RULE = "导入-未完整读入"


@contextmanager
def bulk_allocation() -> Iterator[None]:
    """Pause the cycle collector while thousands of small acyclic objects are made (the checks
    of a department, a submission's figures): it would scan them again and again for cycles
    they do not have, about a quarter of a full check's time. Collection resumes afterwards."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@dataclass
class Delta:
    """What a change did to the findings (新增 / 消除)."""

    appeared: list[Finding] = field(default_factory=list)
    disappeared: list[Finding] = field(default_factory=list)
    evaluated: int = 0

    def __bool__(self) -> bool:
        return bool(self.appeared or self.disappeared)


def _sum(get: Callable[[Cell, Decimal], Decimal], side: tuple) -> Decimal:
    """One side of a check (`compile.Side`): a blank cell counts as zero. The additions run inside
    ``sum``/``map`` (C), which matters when a district re-checks a thousand departments."""
    plus, minus, const = side
    total = sum(map(get, plus, repeat(ZERO)), const)
    if minus:
        total -= sum(map(get, minus, repeat(ZERO)), ZERO)
    return total


class Checker:
    """Keeps the findings of one `Workbook` current as it is edited."""

    def __init__(self, wb: Workbook):
        self.wb = wb
        self._checks: list[Check] = []
        self._index: dict[Cell, list[Check]] | None = None
        self._current: dict[tuple, Finding] = {}
        #: each check's place in template order; made when first needed (see `findings`)
        self._order: dict[tuple, int] | None = None
        #: whether ``_current`` is still in check order, as `rebuild` left it
        self._in_order = True
        self._by_cell: dict[Cell, list[Finding]] | None = None
        #: what an import could not read: failed checks reading it are warnings, not errors
        self._incomplete: dict[str, Unread] = {}
        self.rebuild()

    # ── public ────────────────────────────────────────────────────────────
    def findings(self) -> list[Finding]:
        """Current findings in template order (table by table, rule by rule, row by row)."""
        if self._in_order:  # nothing changed since `rebuild`: a one-shot check never sorts
            return list(self._current.values())
        if self._order is None:
            self._order = {ch.key: i for i, ch in enumerate(self._checks)}
            self._order.update({(INCOMPLETE_RULE, no): -1 for no in self._incomplete})
        order = self._order
        return [f for _, f in sorted(self._current.items(), key=lambda kv: order.get(kv[0], 0))]

    def at(self, cell: Cell) -> list[Finding]:
        """Findings flagged on one cell (for painting it red or amber)."""
        if self._by_cell is None:
            by: dict[Cell, list[Finding]] = {}
            for f in self._current.values():
                if f.cell is not None:
                    by.setdefault(f.cell, []).append(f)
            self._by_cell = by
        return self._by_cell.get(cell, [])

    def rebuild(self) -> Delta:
        """Re-expand every rule (after rows were added or removed) and evaluate all."""
        with bulk_allocation():
            checks = compile_checks(self.wb)
        self._checks, self._index = checks, None
        self._order = None
        self._incomplete = self.wb.unread()
        new: dict[tuple, Finding] = {(INCOMPLETE_RULE, no): self._incomplete_notice(no, u.why)
                                     for no, u in self._incomplete.items() if no in self.wb.template.tables}
        get = self.wb.values.get
        for ch in checks:
            # The common case inline (a sum that holds): only a failing check needs `evaluate`.
            # Sides without cells subtracted are summed here, without a call (most of them).
            if ch.cmp == "=" and ch.missing_parent is None:
                (lp, lm, lc), (rp, rm, rc) = ch.left, ch.right
                if not lm and not rm:
                    if sum(map(get, lp, repeat(ZERO)), lc) == sum(map(get, rp, repeat(ZERO)), rc):
                        continue
                elif _sum(get, ch.left) == _sum(get, ch.right):
                    continue
            f = self.evaluate(ch)
            if f is not None:
                new[ch.key] = f
        delta = _diff(self._current, new, len(checks))
        self._current, self._in_order = new, not self._incomplete  # filled in check order
        self._by_cell = None
        return delta

    def _reading(self) -> dict[Cell, list[Check]]:
        """The checks by the cells they read; built on the first edit, since a one-shot check
        (the command line, the district's gate) never needs it."""
        if self._index is None:
            index: dict[Cell, list[Check]] = {}
            for ch in self._checks:
                for cell in set(ch.reads):
                    index.setdefault(cell, []).append(ch)
            self._index = index
        return self._index

    def cells_changed(self, cells: Iterable[Cell]) -> Delta:
        """Re-evaluate only the checks reading ``cells``."""
        seen: dict[int, Check] = {}
        index = self._reading()
        for cell in cells:
            for ch in index.get(cell, ()):
                seen[id(ch)] = ch
        delta = Delta(evaluated=len(seen))
        for ch in seen.values():
            old = self._current.get(ch.key)
            f = self.evaluate(ch)
            if f == old:
                continue
            if old is not None:
                delta.disappeared.append(old)
                del self._current[ch.key]
            if f is not None:
                delta.appeared.append(f)
                self._current[ch.key] = f
                self._in_order = False
        if delta:
            self._by_cell = None
        return delta

    def set_value(self, cell: Cell, value: Decimal | None) -> Delta:
        """Store a figure in the workbook and re-check what depends on it."""
        self.wb.set(cell, value)
        return self.cells_changed([cell])

    def checks_reading(self, cell: Cell) -> list[Check]:
        return list(self._reading().get(cell, ()))

    @property
    def check_count(self) -> int:
        return len(self._checks)

    # ── evaluation ────────────────────────────────────────────────────────
    def evaluate(self, ch: Check) -> Finding | None:
        if ch.missing_parent is not None:
            return self._missing_parent(ch)
        get = self.wb.values.get
        left = _sum(get, ch.left)
        right = _sum(get, ch.right)
        if ch.cmp == "=":
            ok = left == right
        elif ch.cmp == "≥":
            ok = left >= right
        else:
            ok = left <= right
        if ok:
            return None
        return self._finding(ch, left, right)

    def _where(self, cell: Cell) -> tuple[str, str]:
        t = self.wb.table(cell.table)
        spec = t.fixed_row(cell.row)
        label = self.wb.row_label(cell.table, cell.row)
        if spec is not None and spec.line is not None:
            row = f"行{spec.line} {label}".strip()
        elif spec is not None:
            row = label
        else:
            row = f"{cell.row} {label}".strip()
        col = t.column(cell.col)
        parts = [p for p in col.group.split("/") if p]
        # "决算数·公务用车运行费" (全国: 预算数/决算数 is the group) or "公务用车运行费·决算数" (上海: the label)
        lead = (parts[-1] if col.label in ("预算数", "决算数") else parts[0]) if parts else ""
        column = f"栏{col.no} {lead + '·' if lead else ''}{col.label}"
        return row, column

    def _finding(self, ch: Check, left: Decimal, right: Decimal) -> Finding:
        diff = left - right
        row, column = self._where(ch.anchor)
        spec = ch.spec
        table = self.wb.table(ch.anchor.table)
        rounding = ch.cmp == "=" and abs(diff) <= CENT * ch.addends
        single = len(ch.left[0]) + len(ch.left[1]) == 1 and ch.left[2] == 0
        subject = f"{row}（{column}）为" if single else "左边合计"
        if ch.cmp == "=":
            msg = f"“{spec.text}”不成立：{subject} {fmt(left)}，按公式应为 {fmt(right)}，相差 {fmt(diff)}"
            if rounding:
                msg += "；差额不超过每个加数 0.01，可能为尾数差异，请核对原始数据"
        else:
            bound = "不应小于" if ch.cmp == "≥" else "不应大于"
            msg = f"{spec.text}：{subject} {fmt(left)}，{bound} {fmt(right)}，相差 {fmt(diff)}"
        severity, msg = self._unread_downgrade(ch, msg)
        return Finding(
            rule=spec.id,
            severity=severity,
            table=table.no,
            table_title=table.title,
            row=row,
            column=column,
            message=msg,
            expected=right,
            actual=left,
            difference=diff,
            possible_rounding=rounding,
            cell=ch.anchor,
            cells=tuple(ch.reads),
        )

    def _unread_downgrade(self, ch: Check, msg: str) -> tuple[str, str]:
        """A failed check's severity and message: a warning, saying why, when it reads figures
        the import could not read (the gap may be one of them: not a red flag)."""
        if not self._incomplete or ch.spec.level != ERROR:
            return ch.spec.level, msg
        cells = list(ch.reads) or [ch.anchor]
        unread = sorted({c.table for c in cells if c.table in self._incomplete and self._incomplete[c.table].covers(c)})
        if not unread:
            return ch.spec.level, msg
        return WARNING, msg + f"（{'、'.join(f'公开{t}表' for t in unread)}未完整读入，可能是漏读的数字所致，暂作提示）"

    def _incomplete_notice(self, no: str, why: str) -> Finding:
        table = self.wb.table(no)
        return Finding(
            rule=INCOMPLETE_RULE,
            severity=WARNING,
            table=no,
            table_title=table.title,
            row="",
            column="",
            message=f"公开{no}表导入时未能完整读入（{why}）；涉及未读入数字的审核只作提示，请对照原表补全或重新导入",
        )

    def _missing_parent(self, ch: Check) -> Finding:
        table = self.wb.table(ch.anchor.table)
        row, column = self._where(ch.anchor)
        level = {5: "类", 7: "款"}.get(len(ch.anchor.row), "上级")
        msg = f"{ch.spec.text}：{row} 的上级{level} {ch.missing_parent} 不在表中，请补上该科目行"
        severity, msg = self._unread_downgrade(ch, msg)
        return Finding(
            rule=ch.spec.id,
            severity=severity,
            table=table.no,
            table_title=table.title,
            row=row,
            column=column,
            message=msg,
            cell=ch.anchor,
        )


def _diff(old: dict[tuple, Finding], new: dict[tuple, Finding], evaluated: int) -> Delta:
    d = Delta(evaluated=evaluated)
    for k, f in new.items():
        if old.get(k) != f:
            d.appeared.append(f)
    for k, f in old.items():
        if new.get(k) != f:
            d.disappeared.append(f)
    return d


def check_workbook(wb: Workbook) -> list[Finding]:
    """All findings of a workbook: the audit (`services.audit`) — the tables' rules in template
    order, then the clerk's texts against the tables and the 绩效 forms."""
    from services.audit import audit

    return audit(wb)


__all__ = ["Checker", "Delta", "Finding", "bulk_allocation", "check_workbook"]
