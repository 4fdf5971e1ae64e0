"""The audit (审核): every validator of a department-year, in one list, for every path.

The window, `check`, the seal (`submit`), the district's gate and the PDF's warning all see the
findings of one `Audit`: the table rules, kept current cell by cell (`services.engine.Checker`),
then each whole-workbook validator of `VALIDATORS` (the clerk's texts against the tables, the
text rules of inspections, the 绩效 forms), run again after a change. A new kind of check is one more entry in that list.
"""

from __future__ import annotations

from collections.abc import Callable

from services.engine import Checker, Delta
from services.findings import Finding
from services.workbook import Cell, Workbook


def _texts(wb: Workbook) -> list[Finding]:
    from services.narrative_check import check_texts  # lazy: the narrative spec is read on first use

    return check_texts(wb) if wb.texts else []


def _text_rules(wb: Workbook) -> list[Finding]:
    from services.text_rules import check_text_rules  # lazy, as the narrative check

    return check_text_rules(wb) if wb.texts else []


def _performance(wb: Workbook) -> list[Finding]:
    from services.performance import check_performance

    return check_performance(wb)


def _prior(wb: Workbook) -> list[Finding]:
    from services.prior_check import check_prior  # lazy: only a year with 上年数 compares anything

    return check_prior(wb) if wb.prior else []


def _complete(wb: Workbook) -> list[Finding]:
    from services.completeness import check_completeness

    return check_completeness(wb)


#: the validators beside the table rules, by name, in the order their findings are listed
VALIDATORS: tuple[tuple[str, Callable[[Workbook], list[Finding]]], ...] = (
    ("说明文字", _texts),
    ("文字规则", _text_rules),
    ("与上年核对", _prior),
    ("公开完整性", _complete),
    ("绩效", _performance),
)


#: the validator whose findings colour their cell like a table rule's
CELL_VALIDATOR = "与上年核对"


class Audit:
    """The findings of one workbook, kept current as it is edited."""

    def __init__(self, wb: Workbook):
        self.wb = wb
        #: the table rules (表内、表间), incremental
        self.tables = Checker(wb)
        self._others: dict[str, list[Finding]] = {}
        self.refresh()

    def refresh(self) -> Delta:
        """Run the whole-workbook validators again (after figures, texts or forms changed);
        the findings that appeared and disappeared."""
        others = {name: check(self.wb) for name, check in VALIDATORS}
        delta = Delta()
        for name, _ in VALIDATORS:
            old, new = self._others.get(name, []), others[name]
            if old != new:
                delta.appeared += [f for f in new if f not in old]
                delta.disappeared += [f for f in old if f not in new]
        self._others = others
        return delta

    def rebuild(self) -> Delta:
        """Everything checked again from scratch (rows added or removed, the year replaced)."""
        delta = self.tables.rebuild()
        more = self.refresh()
        delta.appeared += more.appeared
        delta.disappeared += more.disappeared
        return delta

    def of(self, name: str) -> list[Finding]:
        """The findings of one validator of `VALIDATORS` (the 绩效 page colours its cells so)."""
        return list(self._others.get(name, []))

    def at(self, cell: Cell) -> list[Finding]:
        """Findings flagged on one cell (red or amber): the table rules', and a figure that moved
        on last year (`services.prior_check`), which is the figure's own question."""
        found = self.tables.at(cell)
        moved = [f for f in self._others.get(CELL_VALIDATOR, []) if f.cell == cell]
        return found + moved if moved else found

    def findings(self) -> list[Finding]:
        """Every finding: the table rules in template order, then each validator's."""
        return self.tables.findings() + [f for name, _ in VALIDATORS for f in self._others.get(name, [])]


def audit(wb: Workbook) -> list[Finding]:
    """Every finding of a workbook, once (the command line, the seal, the gate, the PDF)."""
    return Audit(wb).findings()
