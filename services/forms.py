"""Table forms (录入表单): one 公开 table as rows and columns a window can show, without Qt.

A `TableForm` owns what the entry window needs to know about a table: the rows in printed order
(fixed rows with 行次, or 合计 + classification rows), which cells exist and which are editable,
the text of each cell in 万元, and what happens when the clerk types into one (parse, store,
re-check). The Qt model in ``ui/`` only forwards to it, so all of this is testable headless.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.engine import Checker, Delta
from services.findings import Finding
from services.money import AmountError, format_wan, parse_amount
from services.workbook import Cell, Workbook


@dataclass(frozen=True)
class FormRow:
    key: str | None  # None: an empty filler row
    line: int | None
    code: str
    label: str
    computed: bool
    columns: tuple[int, ...]


class TableForm:
    """One table of one workbook, as the entry window shows it."""

    #: leading text columns: 行次/科目编码 and 项目/科目名称
    LEAD = 2

    def __init__(self, wb: Workbook, table: str, checker: Checker):
        self.wb, self.no, self.checker = wb, table, checker
        self.spec = wb.table(table)
        self.rows: list[FormRow] = []
        self.refresh_rows()

    def refresh_rows(self) -> None:
        t, wb = self.spec, self.wb
        rows = []
        if t.coded:
            for r in t.total_rows:
                rows.append(FormRow(r.key, None, "", r.label, True, tuple(t.column_nos)))
            for code in wb.codes(t.no):
                has_children = any(c != code and c.startswith(code) for c in wb.coded[t.no])
                rows.append(FormRow(code, None, code, wb.row_label(t.no, code), has_children, tuple(t.column_nos)))
        else:
            for r in t.rows:
                if r.key is None:
                    continue
                rows.append(FormRow(r.key, r.line, r.code, r.label, r.computed, tuple(t.columns_for_side(r.side))))
        self.rows = rows

    # ── shape ───────────────────────────────────────────────────────────────
    def headers(self) -> list[str]:
        lead = ["科目编码", "科目名称"] if self.spec.coded else ["行次", "项目"]
        cols = []
        for c in self.spec.columns:
            group = c.group.replace("/", "·")
            side = f"{c.side}·" if c.side else ""
            cols.append(f"{side}{group + '·' if group else ''}{c.label}\n栏{c.no}")
        return lead + cols

    def column_count(self) -> int:
        return self.LEAD + len(self.spec.columns)

    def col_no(self, column: int) -> int | None:
        """The 栏次 of a view column, or None for the leading text columns."""
        if column < self.LEAD:
            return None
        return self.spec.columns[column - self.LEAD].no

    def cell(self, row: int, column: int) -> Cell | None:
        r = self.rows[row]
        col = self.col_no(column)
        if r.key is None or col is None or col not in r.columns:
            return None
        return Cell(self.no, r.key, col)

    def position(self, cell: Cell) -> tuple[int, int] | None:
        for i, r in enumerate(self.rows):
            if r.key == cell.row:
                for j, c in enumerate(self.spec.columns):
                    if c.no == cell.col:
                        return i, j + self.LEAD
        return None

    # ── content ─────────────────────────────────────────────────────────────
    def text(self, row: int, column: int) -> str:
        r = self.rows[row]
        if column == 0:
            return r.code if self.spec.coded else (str(r.line) if r.line else "")
        if column == 1:
            return r.label
        cell = self.cell(row, column)
        return format_wan(self.wb.get(cell)) if cell else ""

    def editable(self, row: int, column: int) -> bool:
        return self.cell(row, column) is not None

    def findings_at(self, row: int, column: int) -> list[Finding]:
        cell = self.cell(row, column)
        if cell is None:
            return []
        return self.checker.at(cell)

    def set_text(self, row: int, column: int, text: str) -> Delta:
        """Store what the clerk typed; raises `AmountError` (Chinese) and changes nothing if bad."""
        cell = self.cell(row, column)
        if cell is None:
            raise AmountError("这个格子不能填写")
        value = parse_amount(text)
        return self.checker.set_value(cell, value)
