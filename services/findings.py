"""Findings (审核结果): what a check says about a department-year.

The same `Finding` feeds the red and amber cells, the findings panel, the command line and the
district's report. Amounts stay `Decimal`; in JSON they are exact decimal strings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from services.money import CENT, format_wan, round_cent
from services.templates import ERROR
from services.workbook import Cell

SEVERITY_ZH = {"error": "错误", "warning": "提示"}
#: the `Finding.table` of a finding about the clerk's texts that no table cell holds (the text rules)
TEXT_TABLE = "说明"


def fmt(d: Decimal | None) -> str:
    """An amount in a message: two decimals unless the exact value has more."""
    if d is None:
        return ""
    return format_wan(d) if d == round_cent(d) else f"{d:,f}"


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: str  # "error" (强制) | "warning" (提示)
    table: str
    table_title: str
    row: str  # e.g. "行30 总计" or "2010308 信访事务"
    column: str  # e.g. "栏1 本年收入合计"
    message: str
    expected: Decimal | None = None
    actual: Decimal | None = None
    difference: Decimal | None = None
    possible_rounding: bool = False
    #: the cell to flag and jump to, and every cell the rule read (for highlighting)
    cell: Cell | None = None
    cells: tuple[Cell, ...] = field(default=(), compare=False)

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def as_json(self) -> dict:
        def num(d: Decimal | None) -> str | None:
            # 万元 with two decimals ("440.90", never "440.9"), or every digit the exact value has
            if d is None:
                return None
            return format(d.quantize(CENT) if d == round_cent(d) else d, "f")

        return {
            "rule": self.rule,
            "severity": self.severity,
            "table": self.table,
            "table_title": self.table_title,
            "row": self.row,
            "column": self.column,
            "message": self.message,
            "expected": num(self.expected),
            "actual": num(self.actual),
            "difference": num(self.difference),
            "possible_rounding": self.possible_rounding,
            "cell": list(self.cell) if self.cell else None,
        }
