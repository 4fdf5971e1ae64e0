"""The printed table (印刷版式): how one 公开 table of a workbook is laid out, derived from its
template — the one model that the entry form, the PDF, the Excel export and the import read.

A `PrintedTable` is panels side by side (01/04 收入 | 支出, 06's column groups, one panel
otherwise), each with its lead columns (项目 and 行次, 科目编码 and 科目名称, none for a one-row
table such as 三公) and its amount columns in the order the template lists them (a 栏次 keeps
its number wherever it is printed); the header cells with their spans (panel titles, the groups
of the columns' ``group`` paths, labels that span down, the 栏次 line); and the body lines: which
row of the workbook stands in each panel on each line, totals where the template prints them.
A new layout is a template file: nothing here names a table, a row or a column.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.templates import ColumnSpec, RowSpec, TableSpec
from services.workbook import Cell, Workbook

#: what the lead columns' headers say
LEAD_TITLES = {"label": "项目", "line": "行次", "code": "科目编码", "name": "科目名称"}
#: the header over the code and name columns of a coded table printed in one panel
CODED_TOP = "项目"


def column_path(col: ColumnSpec) -> tuple[str, ...]:
    """A column's header texts, top to bottom: its ``group`` path, then its label."""
    return (*(g for g in col.group.split("/") if g), col.label)


@dataclass(frozen=True)
class PrintedRow:
    """What one panel shows on one line: a template row, a coded row, a filler, a label alone."""

    key: str | None  # the workbook row; None for a printed filler line or a label without figures
    line: int | None  # 行次
    code: str
    label: str
    level: int  # indent: 0 for 类 and totals, 1 for 款, 2 for 项 (fixed rows: the template's)
    total: bool  # a total row, printed bold
    columns: tuple[int, ...]  # the 栏次 this row has figures in


@dataclass(frozen=True)
class PrintedColumn:
    panel: int
    kind: str  # "label" (项目 / 科目名称) | "line" (行次) | "code" (科目编码) | "amount"
    no: int | None = None  # 栏次 of an amount column
    path: tuple[str, ...] = ()  # header texts of an amount column, top to bottom


@dataclass(frozen=True)
class HeaderCell:
    """One cell of the printed header, spanning ``rows`` lines × ``columns`` columns."""

    row: int
    column: int
    rows: int
    columns: int
    text: str


class PrintedTable:
    """One table of one workbook as printed."""

    def __init__(self, wb: Workbook, table: str):
        self.wb, self.no = wb, table
        self.spec: TableSpec = wb.table(table)
        self.panel_titles: list[str] = []
        self.columns: list[PrintedColumn] = []
        self.panels: list[list[PrintedRow | None]] = []
        self._pos: dict[Cell, tuple[int, int]] = {}
        self._build_columns()
        self.refresh_rows()

    # ── layout ──────────────────────────────────────────────────────────────
    @property
    def grouped(self) -> bool:
        """A coded table printed in column groups side by side (06: 人员经费 | 公用经费)."""
        return self.spec.coded and bool(self.spec.groups) and self.spec.layout in ("three_groups", "groups")

    @property
    def prints_lanci(self) -> bool:
        """Whether the printed table has a 栏次 line (the grouped 06 and some regions have none)."""
        return self.wb.template.print_lanci and not self.grouped

    def _build_columns(self) -> None:
        t = self.spec
        leads: list[tuple[str, ...]]
        if t.layout == "two_sides":
            sides = list(dict.fromkeys(r.side for r in t.rows if r.side))
            self.panel_titles = sides
            leads = [("label", "line")] * len(sides)
            amounts = [t.columns_for_side(s) for s in sides]
        elif self.grouped:
            self.panel_titles = list(t.group_titles) or [""] * len(t.groups)
            leads = [("code", "label")] * len(t.groups)
            amounts = [t.column_nos] * len(t.groups)
        elif t.coded:
            leads, amounts = [("code", "label")], [t.column_nos]
        else:
            keyed = [r for r in t.rows if r.key]
            has_lines = any(r.line for r in t.rows)
            lead: tuple[str, ...] = ("label", "line") if has_lines else (("label",) if len(keyed) > 1 else ())
            leads, amounts = [lead], [t.column_nos]
        for p, (kinds, cols) in enumerate(zip(leads, amounts)):
            self.columns += [PrintedColumn(p, k) for k in kinds]
            self.columns += [PrintedColumn(p, "amount", no, column_path(t.column(no))) for no in cols]

    def refresh_rows(self) -> None:
        """Lay the rows out again (after coded rows were added or removed)."""
        t, wb = self.spec, self.wb
        if not t.coded:
            if self.panel_titles:
                self.panels = [[self._fixed_row(r) for r in t.rows if r.side == s] for s in self.panel_titles]
            else:
                self.panels = [[self._fixed_row(r) for r in t.rows]]
        else:
            codes = wb.codes(t.no)
            totals: list[PrintedRow | None] = [PrintedRow(r.key, None, "", r.label, 0, True, tuple(t.column_nos))
                                               for r in t.total_rows]
            if self.grouped:
                self.panels = self._grouped(codes, totals)
            else:
                rows: list[PrintedRow | None] = [self._coded_row(c) for c in codes]
                self.panels = [rows + totals if t.totals_last else totals + rows]
        self._pos = {}
        for r in range(self.row_count()):
            for c in range(len(self.columns)):
                cell = self.cell(r, c)
                if cell is not None:
                    self._pos[cell] = (r, c)

    def _fixed_row(self, r: RowSpec) -> PrintedRow:
        return PrintedRow(r.key, r.line, r.code, r.label, r.indent, r.computed, tuple(self.spec.columns_for_side(r.side)))

    def _coded_row(self, code: str) -> PrintedRow:
        name = self.wb.row_label(self.no, code)
        return PrintedRow(code, None, code, name, {3: 0, 5: 1, 7: 2}.get(len(code), 0), False, tuple(self.spec.column_nos))

    def title_runs(self) -> list[tuple[str, int, int]]:
        """Neighbouring panels that share a title (公用经费 over two groups): (title, first, last)."""
        runs: list[tuple[str, int, int]] = []
        for p, title in enumerate(self.panel_titles):
            if runs and runs[-1][0] == title:
                runs[-1] = (title, runs[-1][1], p)
            else:
                runs.append((title, p, p))
        return runs

    def _grouped(self, codes: list[str], totals: list[PrintedRow | None]) -> list[list[PrintedRow | None]]:
        """Each group's codes in its own panel; on the last line each total stands under its
        title: the label in the first panel of the title, the figure in the last (as printed)."""
        groups = self.spec.groups
        panels: list[list[PrintedRow | None]] = [[] for _ in groups]
        for code in codes:
            p = next((i for i, g in enumerate(groups) if code[:3] in g), len(groups) - 1)
            panels[p].append(self._coded_row(code))
        height = max((len(panel) for panel in panels), default=0)
        for panel in panels:
            panel.extend([None] * (height - len(panel)))
        last: list[PrintedRow | None] = [None] * len(panels)
        runs = self.title_runs()
        for k, tot in enumerate(t for t in totals if t is not None):
            run = next((r for r in runs if r[0] and tot.label.startswith(r[0])), runs[min(k, len(runs) - 1)])
            _, first, end = run
            if first == end:
                last[end] = tot
            else:
                last[first] = PrintedRow(None, None, "", tot.label, 0, True, ())
                last[end] = PrintedRow(tot.key, None, "", "", 0, True, tot.columns)
        for panel, total in zip(panels, last):
            panel.append(total)
        return panels

    # ── shape ───────────────────────────────────────────────────────────────
    def row_count(self) -> int:
        return max((len(p) for p in self.panels), default=0)

    def column_count(self) -> int:
        return len(self.columns)

    def is_amount(self, column: int) -> bool:
        return self.columns[column].kind == "amount"

    def row_at(self, row: int, column: int) -> PrintedRow | None:
        panel = self.panels[self.columns[column].panel]
        return panel[row] if row < len(panel) else None

    def col_no(self, column: int) -> int | None:
        """The 栏次 of a column, or None for the lead text columns."""
        return self.columns[column].no

    def cell(self, row: int, column: int) -> Cell | None:
        col = self.columns[column]
        r = self.row_at(row, column)
        if r is None or r.key is None or col.no is None or col.no not in r.columns:
            return None
        return Cell(self.no, r.key, col.no)

    def position(self, cell: Cell) -> tuple[int, int] | None:
        return self._pos.get(cell)

    def lead_cells(self, row: int) -> list[tuple[int, int, str, PrintedRow]]:
        """The text cells of one body line as printed, besides its figures: (column, span, kind,
        row). A total's label starts in the first lead column of its panel and covers the others
        (合计 over 科目编码 | 科目名称); a label standing alone (公用经费合计 under two groups)
        reaches to just before its figure."""
        out: list[tuple[int, int, str, PrintedRow]] = []
        for p in range(len(self.panels)):
            leads = [j for j, c in enumerate(self.columns) if c.panel == p and c.kind != "amount"]
            if not leads:
                continue
            r = self.row_at(row, leads[0])
            if r is None:
                continue
            if r.total and not r.code and self.spec.coded:
                if r.label:
                    span = self.label_span(row, leads[-1]) + leads[-1] - leads[0] if r.key is None else len(leads)
                    out.append((leads[0], span, "label", r))
                continue
            out += [(j, 1, self.columns[j].kind, r) for j in leads]
        return out

    def label_span(self, row: int, column: int) -> int:
        """How many columns a total's label covers on the last line of a grouped table: from its
        label column to just before the column of its figure (1 for every other cell)."""
        r = self.row_at(row, column)
        if r is None or r.key is not None or not r.total or self.columns[column].kind != "label":
            return 1
        j = column + 1
        while j < len(self.columns):
            other = self.row_at(row, j)
            if self.cell(row, j) is not None or (other is not None and other.label and self.columns[j].kind == "label"):
                break
            j += 1
        return j - column

    # ── header ──────────────────────────────────────────────────────────────
    def header_cells(self, lanci: bool = True) -> tuple[int, list[HeaderCell]]:
        """(header height in lines, the cells): panel titles, the column groups, labels spanning
        down to the last header line, and the 栏次 line when ``lanci``."""
        top = 1 if any(self.panel_titles) else 0
        paths = [c.path for c in self.columns if c.kind == "amount"]
        depth = max([len(p) for p in paths] + [1])
        if self.spec.coded and not self.grouped:
            depth = max(depth, 2)  # 项目 over 科目编码 | 科目名称
        out: list[HeaderCell] = []
        if top:
            for title, first, end in self.title_runs():
                cols = [j for j, c in enumerate(self.columns) if first <= c.panel <= end]
                out.append(HeaderCell(0, cols[0], 1, len(cols), title))
        j = 0
        n = len(self.columns)
        while j < n:
            col = self.columns[j]
            if col.kind != "amount":
                lead = [k for k in range(j, n) if self.columns[k].panel == col.panel and self.columns[k].kind != "amount"]
                if self.spec.coded and not self.grouped:
                    out.append(HeaderCell(top, lead[0], depth - 1, len(lead), CODED_TOP))
                    for k in lead:
                        out.append(HeaderCell(top + depth - 1, k, 1, 1, LEAD_TITLES[self._lead_kind(k)]))
                else:
                    for k in lead:
                        out.append(HeaderCell(top, k, depth, 1, LEAD_TITLES[self._lead_kind(k)]))
                if lanci:
                    out.append(HeaderCell(top + depth, lead[0], 1, len(lead), "栏次"))
                j = lead[-1] + 1
                continue
            path = col.path
            out.append(HeaderCell(top + len(path) - 1, j, depth - len(path) + 1, 1, path[-1]))
            if lanci:
                out.append(HeaderCell(top + depth, j, 1, 1, str(col.no)))
            for level in range(len(path) - 1):
                prev = self.columns[j - 1] if j else None
                same = (
                    prev is not None and prev.kind == "amount" and prev.panel == col.panel
                    and prev.path[: level + 1] == path[: level + 1] and len(prev.path) > level + 1
                )
                if same:
                    cell = next(h for h in reversed(out) if h.row == top + level and h.column + h.columns == j)
                    out[out.index(cell)] = HeaderCell(cell.row, cell.column, 1, cell.columns + 1, cell.text)
                else:
                    out.append(HeaderCell(top + level, j, 1, 1, path[level]))
            j += 1
        return top + depth + (1 if lanci else 0), out

    def _lead_kind(self, column: int) -> str:
        kind = self.columns[column].kind
        return "name" if kind == "label" and self.spec.coded else kind
