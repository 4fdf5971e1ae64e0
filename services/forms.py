"""Table forms (录入表单): one 公开 table laid out as printed, without Qt.

A `TableForm` is what the entry window shows of a table: the printed table (`services.printed`,
the same layout the PDF and the Excel export print: panels side by side, lead and 栏次 columns,
the multi-row header), which cells are computed, and the text of each in 万元. It also turns what
the clerk types or pastes into figures (`parse_amount`), refusing a block as a whole with the cell
named. The Qt model in ``ui/`` only forwards to it.

`EntrySession` applies what was typed to one department-year: store the figures, fill in the
computed cells (`services.autofill`), re-check incrementally, save each change through the
department file at once, and return a `Change` saying which figures and findings changed, so a
window repaints just those (Anki's ``OpChanges``). Undo is a `Change` replayed backwards.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

from services.audit import Audit
from services.autofill import Autofill
from services.engine import Checker, Delta
from services.findings import SEVERITY_ZH, Finding, fmt
from services.money import AmountError, format_wan, parse_amount, round_cent, to_storage
from services.printed import HeaderCell, PrintedTable
from services.workbook import Cell, Workbook

__all__ = ["EntryError", "EntrySession", "HeaderCell", "TableForm"]

#: The longest 科目名称 a clerk may type (the official names are under 40 characters).
MAX_ROW_NAME = 100

class EntryError(ValueError):
    """Something typed or pasted that cannot be stored; ``str()`` names the cell, in Chinese."""


def _norm(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


class TableForm(PrintedTable):
    """One table of one workbook, as the entry window shows it: the printed table, with the
    text of each cell, what may be typed where, and what typing or pasting means."""

    def __init__(self, wb: Workbook, table: str, computed=lambda cell: False, formula=lambda cell: "",  # noqa: ANN001
                 read_only: str | None = None):
        #: whether a cell is filled in from its addends (`Autofill.is_computed`), and by which rule
        self.computed, self.formula = computed, formula
        #: why nothing of this table can be edited (a district's department, a file another
        #: window edits), or None
        self.read_only = read_only
        self.rule_text = {r.id: r.text for r in wb.template.all_rules()}
        super().__init__(wb, table)

    # ── content ─────────────────────────────────────────────────────────────
    def text(self, row: int, column: int) -> str:
        r = self.row_at(row, column)
        if r is None:
            return ""
        kind = self.columns[column].kind
        if kind == "label":
            return "  " * r.level + r.label
        if kind == "line":
            return str(r.line) if r.line else ""
        if kind == "code":
            return r.code
        cell = self.cell(row, column)
        return format_wan(self.wb.get(cell)) if cell else ""

    def edit_text(self, row: int, column: int) -> str:
        """The exact figure, as F2 shows it (no separators, every decimal kept); a 科目名称 as it is."""
        cell = self.cell(row, column)
        if cell is None:
            r = self.row_at(row, column)
            return r.label if r is not None and self.renamable(row, column) else self.text(row, column)
        return to_storage(self.wb.get(cell)) or ""

    def renamable(self, row: int, column: int) -> str | None:
        """The code whose 科目名称 this is, when the clerk may rename it (a coded row's name)."""
        r = self.row_at(row, column)
        if r is None or r.total or not r.code or not self.spec.coded or self.columns[column].kind != "label":
            return None
        return r.code if r.code in self.wb.coded.get(self.no, {}) else None

    def is_computed(self, row: int, column: int) -> bool:
        cell = self.cell(row, column)
        return cell is not None and self.computed(cell)

    def editable(self, row: int, column: int, manual_totals: bool = False) -> bool:
        if self.read_only is not None:
            return False
        cell = self.cell(row, column)
        if cell is None:
            return self.renamable(row, column) is not None
        return manual_totals or not self.computed(cell)

    def describe(self, cell: Cell) -> str:
        """Where a cell is, in the clerk's words: 公开03表 2010301 行政运行（栏2 基本支出）."""
        spec = self.spec.fixed_row(cell.row)
        if spec is not None:
            row = f"行{spec.line} {spec.label}" if spec.line else spec.label
        else:
            row = f"{cell.row} {self.wb.row_label(self.no, cell.row)}".strip()
        col = self.spec.column(cell.col)
        group = col.group.replace("/", "·") + "·" if col.group else ""
        return f"公开{self.no}表 {row}（栏{col.no} {group}{col.label}）"

    def tooltip(self, findings: list[Finding]) -> str:
        """Each finding in plain Chinese: the rule, actual, expected, difference, rounding."""
        parts = []
        for f in findings:
            lines = [f"{SEVERITY_ZH[f.severity]}：{self.rule_text.get(f.rule, f.rule)}", f.message]
            if f.actual is not None and f.expected is not None:
                lines.append(f"实际 {fmt(f.actual)}　应为 {fmt(f.expected)}　相差 {fmt(f.difference)}")
            if f.possible_rounding:
                lines.append("可能为尾数差异")
            parts.append("\n".join(lines))
        return "\n\n".join(parts)

    # ── what the clerk types and pastes ──────────────────────────────────────
    def why_not_typed(self, row: int, column: int, manual_totals: bool = False) -> str | None:
        """Why nothing can be typed into this cell, and where to type instead (None: it can be)."""
        if self.editable(row, column, manual_totals):
            return None
        if self.read_only is not None:
            return self.read_only
        cell = self.cell(row, column)
        if cell is not None:
            how = self.formula(cell)
            return (f"{self.describe(cell)}是按明细自动计算的{f'（{how}）' if how else ''}，请填写它的明细；"
                    "要照公开表手工填写合计，请先打开工具栏的“手工填写合计”")
        r = self.row_at(row, column)
        kind = self.columns[column].kind
        if r is not None and kind == "label" and r.key and not r.total:
            return f"公开{self.no}表的项目名称“{r.label}”由报表模板规定，不能改"
        if r is not None and kind in ("code", "line"):
            return f"公开{self.no}表的{'科目编码' if kind == 'code' else '行次'}不能在这里改（增加科目行：Ctrl+Shift+N）"
        return f"公开{self.no}表的这一格不填数字（公开表上这里是空的），请填在有栏次的格子里"

    def parse(self, row: int, column: int, text: str, manual_totals: bool = False) -> tuple[Cell, Decimal | None]:
        """The figure typed into one cell, to the cent; raises `EntryError` naming the cell."""
        cell = self.cell(row, column)
        why = self.why_not_typed(row, column, manual_totals)
        if cell is None or why is not None:
            raise EntryError(why or f"公开{self.no}表 这一格不能填写")
        return cell, self._amount(cell, text)

    def _amount(self, cell: Cell, text: str) -> Decimal | None:
        try:
            d = parse_amount(text)
        except AmountError as e:
            raise EntryError(f"{self.describe(cell)}：{e}") from None
        if d is not None and d != round_cent(d):
            # 万元 to the cent, as published: a third decimal is a slip (or 元 typed as 万元)
            raise EntryError(f"{self.describe(cell)}：“{text.strip()}”超过两位小数；金额以万元为单位，只填到分（如 {format_wan(round_cent(d))}）")
        return d

    def plan_paste(self, top: int, left: int, grid: list[list[str]], manual_totals: bool = False) -> tuple[dict[Cell, Decimal | None], int]:
        """Figures for a block pasted at (top, left), all or nothing; and how many computed
        cells were left to be filled in. Raises `EntryError` naming the first cell refused."""
        if self.read_only is not None:
            raise EntryError(self.read_only)
        height, width = len(grid), max((len(r) for r in grid), default=0)
        if top + height > self.row_count() or left + width > self.column_count():
            raise EntryError(f"粘贴的数据有 {height} 行 {width} 列，从所选格子开始放不下（超出了表格），未粘贴任何数据")
        values: dict[Cell, Decimal | None] = {}
        skipped = 0
        for i, line in enumerate(grid):
            for j, text in enumerate(line):
                r, c = top + i, left + j
                cell = self.cell(r, c)
                if cell is None:
                    if text.strip() and _norm(text) != _norm(self.text(r, c)):
                        raise EntryError(f"第{i + 1}行第{j + 1}列的“{text.strip()}”要放到不能填写的格子里，未粘贴任何数据")
                    continue
                if not self.editable(r, c, manual_totals):
                    skipped += 1
                    continue
                try:
                    values[cell] = self._amount(cell, text)
                except EntryError as e:
                    raise EntryError(f"{e}；未粘贴任何数据") from None
        return values, skipped

    def plan_clear(self, positions: list[tuple[int, int]], manual_totals: bool = False) -> dict[Cell, Decimal | None]:
        """Blanks for the editable cells among ``positions`` that hold a figure (Delete)."""
        out: dict[Cell, Decimal | None] = {}
        for r, c in positions:
            cell = self.cell(r, c)
            if cell is not None and self.editable(r, c, manual_totals) and self.wb.get(cell) is not None:
                out[cell] = None
        return out


# ── applying edits ──────────────────────────────────────────────────────────
Values = dict[Cell, tuple[Decimal | None, Decimal | None]]


@dataclass
class Change:
    """What one edit did: figures (old, new), including filled-in totals; findings; row sets."""

    values: Values
    delta: Delta
    #: tables whose rows were added or removed (their forms were laid out again)
    tables: set[str] = field(default_factory=set)
    #: why the change is only in memory, if saving it failed (shown to the clerk)
    save_error: str | None = None

    def reverted(self) -> dict[Cell, Decimal | None]:
        return {cell: old for cell, (old, _) in self.values.items()}

    def replayed(self) -> dict[Cell, Decimal | None]:
        return {cell: new for cell, (_, new) in self.values.items()}


@dataclass
class RowSet:
    """A coded table's rows and figures, to put back exactly (undo of adding/removing rows)."""

    table: str
    coded: dict[str, str]
    values: dict[Cell, Decimal]


class EntrySession:
    """One department-year being edited: workbook, checker, autofill, forms and the store.

    ``store`` is a `services.store.DepartmentFile` (or anything with its per-edit methods), or
    None when the figures live only in memory; ``save_errors`` are the exceptions it raises for
    a file that cannot be written, reported in `Change.save_error` instead of raised.
    """

    def __init__(self, wb: Workbook, store=None, save_errors: tuple[type[BaseException], ...] = (OSError,),  # noqa: ANN001
                 read_only: str | None = None):
        self.wb, self.store, self.save_errors = wb, store, save_errors
        #: why this year cannot be edited (a district's department, a sealed year, a file another
        #: window edits): every edit is refused with it, before anything changes
        self.read_only = read_only
        #: every finding of the year (`services.audit`): what the window shows is what `check` says
        self.audit = Audit(wb)
        self.checker: Checker = self.audit.tables
        self.autofill = Autofill(wb, self.checker)
        #: the clerk types totals by hand (as published documents do); nothing is filled in
        self.manual_totals = False
        self._forms: dict[str, TableForm] = {}
        #: whether this session has written the year's 上年数 out whole (see `set_prior`)
        self._prior_written = False

    @property
    def year(self) -> int:
        return self.wb.year

    def form(self, table: str) -> TableForm:
        if table not in self._forms:
            self._forms[table] = TableForm(self.wb, table, self.autofill.is_computed, self.autofill.rule_text, self.read_only)
        return self._forms[table]

    def _writable(self) -> None:
        if self.read_only is not None:
            raise EntryError(self.read_only)

    # ── figures ─────────────────────────────────────────────────────────────
    def apply(self, values: dict[Cell, Decimal | None]) -> Change:
        """Store typed or pasted figures, fill in what depends on them, re-check, save."""
        self._writable()
        changed = self._set(values)
        if not self.manual_totals:
            for cell, (old, new) in self.autofill.fill(changed).items():
                changed[cell] = (changed[cell][0] if cell in changed else old, new)
        return self._finish(changed)

    def restore(self, values: dict[Cell, Decimal | None]) -> Change:
        """Put figures back exactly as given (undo/redo): nothing is filled in."""
        self._writable()
        return self._finish(self._set(values))

    def _set(self, values: dict[Cell, Decimal | None]) -> Values:
        changed: Values = {}
        for cell, new in values.items():
            old = self.wb.set(cell, new)
            if old != new:
                changed[cell] = (old, new)
        return changed

    def fill_all(self) -> Change:
        """Recompute every computed cell from its parts (after typing totals by hand)."""
        self._writable()
        return self._finish(self.autofill.fill_all())

    def _finish(self, changed: Values) -> Change:
        delta = self.checker.cells_changed(changed)
        if changed:
            self.audit.refresh()  # texts and 绩效 forms are checked against the figures too
        error = self._save(lambda s: s.set_cells(self.year, {c: new for c, (_, new) in changed.items()}))
        return Change(changed, delta, save_error=error)

    def _save(self, write) -> str | None:  # noqa: ANN001
        if self.store is None:
            return None
        try:
            write(self.store)
        except self.save_errors as e:
            return str(e)
        return None

    # ── coded rows ──────────────────────────────────────────────────────────
    def rows(self, table: str) -> RowSet:
        return RowSet(table, dict(self.wb.coded.get(table, {})),
                      {c: v for c, v in self.wb.values.items() if c.table == table})

    def add_code(self, table: str, code: str, name: str = "") -> Change:
        """Add a classification row with its missing parent 类/款 rows ('' = the catalog's name)."""
        self._writable()
        target = self.rows(table)
        Workbook(self.wb.template, self.year, coded={table: target.coded}).add_code(table, code, name)
        return self.set_rows(target)

    def rename_code(self, table: str, code: str, name: str) -> Change:
        """Give a classification row the clerk's name ('' = the catalog's name again)."""
        self._writable()
        name = " ".join(name.split())
        if len(name) > MAX_ROW_NAME:
            raise EntryError(f"科目名称过长（{len(name)} 个字，最多 {MAX_ROW_NAME} 个字）")
        target = self.rows(table)
        target.coded[code] = name
        return self.set_rows(target)

    def remove_codes(self, table: str, codes: list[str]) -> Change:
        """Remove rows (and every row under them) with their figures; the parents left are
        filled in again from the rows that remain."""
        self._writable()
        before = self.rows(table)
        gone = {c for c in before.coded if any(c.startswith(g) for g in codes)}
        target = RowSet(table, {c: n for c, n in before.coded.items() if c not in gone},
                        {c: v for c, v in before.values.items() if c.row not in gone})
        ancestors = {p for g in gone for p in (g[:3], g[:5]) if p in target.coded and p not in gone}
        summed = [c for c in self.autofill.formulas if c.table == table and c.row in ancestors]
        change = self.set_rows(target)
        if not self.manual_totals:
            # a 款 whose only 项 went is no sum any more: what it held was theirs, so it goes too
            orphans: dict[Cell, Decimal | None] = {c: None for c in summed if c not in self.autofill.formulas and self.wb.get(c) is not None}
            cleared = self._set(orphans)
            keys = ancestors | {r.key for r in self.wb.table(table).total_rows if r.key}
            cells = [c for c in self.autofill.formulas if c.table == table and c.row in keys]
            filled = {**cleared, **self.autofill.refill(cells)}
            more = self._finish(filled)
            for cell, (old, new) in filled.items():
                change.values[cell] = (change.values[cell][0], new) if cell in change.values else (old, new)
            change.delta.appeared += more.delta.appeared
            change.delta.disappeared += more.delta.disappeared
            change.save_error = change.save_error or more.save_error
        return change

    def set_rows(self, target: RowSet) -> Change:
        """Make a coded table's rows and figures exactly ``target``; saved and re-checked."""
        self._writable()
        table, wb = target.table, self.wb
        before = self.rows(table)
        removed = [c for c in before.coded if c not in target.coded]
        added = {c: n for c, n in target.coded.items() if before.coded.get(c) != n}
        wb.replace_codes(table, target.coded)
        changed: Values = {}
        for cell in set(before.values) | set(target.values):
            old, new = before.values.get(cell), target.values.get(cell)
            if old != new:
                wb.set(cell, new)
                changed[cell] = (old, new)

        def write(s) -> None:  # noqa: ANN001
            for code in removed:
                s.remove_coded_row(self.year, table, code)
            for code, name in added.items():
                s.set_coded_row(self.year, table, code, name)
            for cell, (_, new) in changed.items():
                if cell.row not in removed:  # a removed row's figures went with it
                    s.set_cell(self.year, cell, new)

        error = self._save(write)
        delta = self.checker.rebuild()
        self.audit.refresh()
        self.autofill.rebuild()
        if table in self._forms:
            self._forms[table].refresh_rows()
        return Change(changed, delta, {table}, error)

    # ── texts ───────────────────────────────────────────────────────────────
    def set_prior(self, cell: Cell, value: Decimal | None) -> str | None:
        """Last year's figure (上年数) typed by the clerk; returns why it could not be saved, if so.

        The first one typed in a session writes every 上年数 the year shows with it: those the
        file carried over from the previous year (`DepartmentFile.load`) must not vanish because
        the year now has 上年数 of its own."""
        if self.read_only is not None:
            return self.read_only
        if value is None:
            self.wb.prior.pop(cell, None)
        else:
            self.wb.prior[cell] = value
        if self._prior_written:
            return self._save(lambda s: s.set_cells(self.year, {cell: value}, prior=True))
        everything: dict[Cell, Decimal | None] = {**self.wb.prior, cell: value}
        error = self._save(lambda s: s.set_cells(self.year, everything, prior=True))
        self._prior_written = error is None
        return error

    def set_text(self, key: str, text: str) -> str | None:
        """A narrative text (部门职责, reasons …, the 绩效 forms); returns why it could not be
        saved, if so. The audit is run again: a text may contradict the tables."""
        if self.read_only is not None:
            return self.read_only
        self.wb.texts[key] = text
        self.audit.refresh()
        return self._save(lambda s: s.set_text(self.year, key, text))
