"""The workbook (决算报表数据): one department's figures for one year, in memory.

A `Workbook` is what every part of the product reads and writes: the entry window, the checks,
Excel import/export, the department file and the district exchange. Cells are addressed by
``Cell(table, row, col)``: the table number (``"01"``), the row key (a fixed row's id such as
``"本年收入合计"``, a classification code such as ``"2010308"``, or ``"合计"``) and the 栏次.
Amounts are `Decimal`; a blank cell is absent (it reads as ``None`` and counts as zero in sums).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from services.templates import RowSpec, TableSpec, Template


class Cell(NamedTuple):
    table: str
    row: str
    col: int


#: the texts key that lists what an import could not read (未完整读入), as JSON; kept with the
#: year so that every later check knows (see `Workbook.unread`)
INCOMPLETE_KEY = "导入.未完整读入"


@dataclass(frozen=True)
class Unread:
    """What an import could not read of one table, and why: the whole table (a figure it could
    not place may belong anywhere in it), some columns (a header it did not recognise), or some
    cells (a 合计 printed as headers)."""

    why: str
    whole: bool = True
    columns: frozenset[int] = frozenset()
    cells: frozenset[tuple[str, int]] = frozenset()  # (row, 栏次)

    def covers(self, cell: Cell) -> bool:
        return self.whole or cell.col in self.columns or (cell.row, cell.col) in self.cells

    def as_json(self) -> dict:
        out: dict = {"why": self.why}
        if not self.whole:
            out["columns"] = sorted(self.columns)
            out["cells"] = sorted([list(c) for c in self.cells])
        return out

    @classmethod
    def from_json(cls, data: object) -> Unread:
        if not isinstance(data, dict):
            return cls(str(data))
        whole = "columns" not in data and "cells" not in data
        columns = frozenset(int(c) for c in data.get("columns", ()))
        cells = frozenset((str(r), int(c)) for r, c in data.get("cells", ()))
        return cls(str(data.get("why", "")), whole, columns, cells)


def code_level(code: str) -> str:
    """类 / 款 / 项 from the number of digits (3/5/7); '' for anything else."""
    return {3: "类", 5: "款", 7: "项"}.get(len(code), "")


def parent_code(code: str) -> str | None:
    """The parent's code from the digits: 2010308 → 20103 → 201 → None."""
    if len(code) == 7:
        return code[:5]
    if len(code) == 5:
        return code[:3]
    return None


@dataclass
class Workbook:
    """One department-year (部门某年度决算): figures, coded rows, texts and last year's figures."""

    template: Template
    year: int
    department: str = ""
    department_code: str = ""
    values: dict[Cell, Decimal] = field(default_factory=dict)
    #: table → {code: name}, the classification rows present in each coded table
    coded: dict[str, dict[str, str]] = field(default_factory=dict)
    #: narrative and description texts (部门职责, 机构设置, reasons …), by key
    texts: dict[str, str] = field(default_factory=dict)
    #: last year's figures, by the same cells (上年数)
    prior: dict[Cell, Decimal] = field(default_factory=dict)
    #: the clerk's explanations of findings (出错说明), by finding key (`services.explanations`)
    notes: dict[tuple[str, str, str, str], str] = field(default_factory=dict)

    @classmethod
    def new(cls, template: Template, year: int, department: str = "", department_code: str = "",
            default_rows: bool = True) -> Workbook:
        """An empty department-year; each coded table starts with the template's standard rows
        (e.g. table 06's economic codes) unless ``default_rows`` is false (an import, a file)."""
        wb = cls(template, year, department, department_code)
        for t in template.tables.values():
            if t.coded:
                wb.coded[t.no] = {code: "" for code in t.default_codes} if default_rows else {}
        return wb

    def __reduce__(self):  # noqa: ANN204
        # Between processes (the district's gate workers) as exact decimal text: unpickling a
        # thousand Cell/Decimal objects one by one costs the receiving process twice as much.
        return (_unpickle, (self.template, self.year, self.department, self.department_code,
                            _flat(self.values), self.coded, self.texts, _flat(self.prior), self.notes))

    # ── structure ──────────────────────────────────────────────────────────
    def table(self, no: str) -> TableSpec:
        return self.template.tables[no]

    def codes(self, table: str) -> list[str]:
        """Codes of a coded table in code order (类 before its 款 before its 项)."""
        return sorted(self.coded.get(table, {}))

    def row_keys(self, table: str) -> list[str]:
        """Every addressable row of a table, in display order."""
        t = self.table(table)
        if not t.coded:
            return [r.key for r in t.rows if r.key]
        totals = [r.key for r in t.total_rows if r.key]
        return totals + self.codes(table)

    def has_row(self, table: str, row: str) -> bool:
        t = self.template.tables.get(table)
        if t is None:
            return False
        if t.fixed_row(row) is not None:
            return True
        return t.coded and row in self.coded.get(table, {})

    def row_columns(self, table: str, row: str) -> list[int]:
        t = self.table(table)
        spec = t.fixed_row(row)
        if spec is not None:
            return t.columns_for_side(spec.side)
        return t.column_nos if row in self.coded.get(table, {}) else []

    def row_label(self, table: str, row: str) -> str:
        t = self.table(table)
        spec: RowSpec | None = t.fixed_row(row)
        if spec is not None:
            return spec.label
        name = self.coded.get(table, {}).get(row, "")
        if not name:
            from services.catalog import name_for  # lazy: the catalog is only read when needed

            name = name_for(t.classification, row, self.year) or ""
        return name

    def replace_codes(self, table: str, rows: dict[str, str]) -> None:
        """Make a coded table's rows exactly ``rows`` ({code: name}); figures are left as they are."""
        self.coded[table] = dict(sorted(rows.items()))

    def add_code(self, table: str, code: str, name: str = "") -> list[str]:
        """Add a classification row and any missing parent rows; returns the codes added."""
        rows = self.coded.setdefault(table, {})
        added = []
        c: str | None = code
        while c is not None:
            if c not in rows:
                rows[c] = name if c == code else ""
                added.append(c)
            elif c == code and name:
                rows[c] = name
            c = parent_code(c)
        return added

    def remove_code(self, table: str, code: str) -> list[Cell]:
        """Remove a classification row and its figures; returns the cells that were cleared."""
        rows = self.coded.get(table, {})
        rows.pop(code, None)
        gone = [c for c in self.values if c.table == table and c.row == code]
        for c in gone:
            del self.values[c]
        return gone

    # ── figures ────────────────────────────────────────────────────────────
    def get(self, cell: Cell) -> Decimal | None:
        return self.values.get(cell)

    def set(self, cell: Cell, value: Decimal | None) -> Decimal | None:
        """Store one figure (``None`` clears it); returns the previous value."""
        old = self.values.get(cell)
        if value is None:
            self.values.pop(cell, None)
        else:
            self.values[cell] = value
        return old

    def unread(self) -> dict[str, Unread]:
        """What an import could not read, by table: checks reading those cells cannot tell a
        real error from a figure that was never read, so they report warnings, not errors."""
        raw = self.texts.get(INCOMPLETE_KEY)
        if not raw:
            return {}
        try:
            data = json.loads(raw)
        except ValueError:
            return {}
        return {str(k): Unread.from_json(v) for k, v in data.items()} if isinstance(data, dict) else {}

    def incomplete(self) -> dict[str, str]:
        """The tables read only in part, with why."""
        return {no: u.why for no, u in self.unread().items()}

    def set_unread(self, tables: dict[str, Unread]) -> None:
        if tables:
            data = {no: u.as_json() for no, u in sorted(tables.items())}
            self.texts[INCOMPLETE_KEY] = json.dumps(data, ensure_ascii=False)
        else:
            self.texts.pop(INCOMPLETE_KEY, None)

    def is_empty(self, table: str) -> bool:
        """No figure other than zero: the table prints its 本表无数据 sentence."""
        return not any(c.table == table and v != 0 for c, v in self.values.items())


_cell = tuple.__new__


def _flat(values: dict[Cell, Decimal]) -> list[tuple[str, str, int, str]]:
    return [(c.table, c.row, c.col, format(v, "f")) for c, v in values.items()]


def _cells(flat: list[tuple[str, str, int, str]]) -> dict[Cell, Decimal]:
    return {_cell(Cell, (t, r, c)): Decimal(v) for t, r, c, v in flat}


def _unpickle(template: Template, year: int, department: str, code: str, values: list, coded: dict,
              texts: dict, prior: list, notes: dict) -> Workbook:
    return Workbook(template, year, department, code, _cells(values), coded, texts, _cells(prior), notes)
