"""Table forms (录入表单): one 公开 table laid out as printed, without Qt.

A `TableForm` is what the entry window shows of a table: the printed table (`services.printed`,
the same layout the PDF and the Excel export print: panels side by side, lead and 栏次 columns,
the multi-row header), which cells are computed, and the text of each in 万元. It also turns what
the clerk types or pastes into figures (`parse_amount`), refusing a block as a whole with the cell
named. The Qt model in ``ui/`` only forwards to it.

What was typed is applied to the department-year by its editing session (`services.session`).
"""

from __future__ import annotations

import unicodedata
from decimal import Decimal

from services.explanations import key_of
from services.findings import SEVERITY_ZH, Finding, fmt
from services.money import AmountError, format_wan, normalise, parse_amount, round_cent, to_storage
from services.printed import HeaderCell, PrintedTable
from services.rounding import YUAN, entry_unit
from services.workbook import Cell, Workbook

__all__ = ["MAX_ROW_NAME", "EntryError", "HeaderCell", "TableForm"]

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
        if cell is None:
            return ""
        v = self.wb.get(cell)
        return format_wan(v.scaleb(4) if v is not None and self.unit == YUAN else v)

    @property
    def unit(self) -> str:
        """The unit figures are typed and shown in: 万元, or 元 for a year kept as the ledger
        holds it (stored exactly; published in 万元 by 舍位平衡, `services.rounding`)."""
        return entry_unit(self.wb)

    def edit_text(self, row: int, column: int) -> str:
        """The exact figure, as F2 shows it (no separators, every decimal kept); a 科目名称 as it is."""
        cell = self.cell(row, column)
        if cell is None:
            r = self.row_at(row, column)
            return r.label if r is not None and self.renamable(row, column) else self.text(row, column)
        v = self.wb.get(cell)
        return to_storage(v.scaleb(4) if v is not None and self.unit == YUAN else v) or ""

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
            note = self.wb.notes.get(key_of(f))
            if note:
                lines.append(f"出错说明：{note}")
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
            # to the cent of the unit: a third decimal is a slip (or 元 typed as 万元)
            raise EntryError(f"{self.describe(cell)}：“{text.strip()}”超过两位小数；金额以{self.unit}为单位，只填到分（如 {format_wan(round_cent(d))}）")
        return normalise(d.scaleb(-4)) if d is not None and self.unit == YUAN else d

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
