"""The 绩效 forms as the window edits them (moneyGuru-style table logic, without Qt).

A `Grid` is one editable table of a form: its columns, what each cell shows, which cells are
editable, what a choice cell offers (一级 → 产出/效益/满意度, 二级 → those of the row's 一级),
parsing what the clerk typed (an `EntryError` in Chinese when it is not a number), adding and
removing rows, and the `Cell` a finding names for each position. `FundGrid` is the 资金 table
(执行率 and 得分 computed, read-only), `IndicatorGrid` the 指标 rows, `BlockGrid` a department
small table (收入, 支出 …). `ui.performance_page` is a thin Qt adapter over these.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from services.forms import EntryError
from services.money import AmountError, format_wan, parse_amount
from services.performance.model import DEPARTMENT_ID, BlockRow, DepartmentForm, Form, FundRow, Indicator, block_cell, form_cell
from services.performance.scoring import format_rate, format_score, scores
from services.performance.spec import Block, PerformanceSpec
from services.workbook import Cell


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str  # text | amount | score | computed | choice | label


def parse_number(text: str, what: str) -> Decimal | None:
    try:
        return parse_amount(text)
    except AmountError as e:
        raise EntryError(f"{what}：{e}") from None


class Grid:
    columns: list[Column]

    def row_count(self) -> int:
        raise NotImplementedError

    def column_count(self) -> int:
        return len(self.columns)

    def text(self, r: int, c: int) -> str:
        raise NotImplementedError

    def edit_text(self, r: int, c: int) -> str:
        return self.text(r, c)

    def editable(self, r: int, c: int) -> bool:
        return self.columns[c].kind not in ("computed", "label")

    def choices(self, r: int, c: int) -> list[str] | None:
        return None

    def set(self, r: int, c: int, text: str) -> None:
        """Store what was typed; raises `EntryError` when it is not acceptable."""
        raise NotImplementedError

    def cell(self, r: int, c: int) -> Cell | None:
        raise NotImplementedError

    def is_amount(self, c: int) -> bool:
        return self.columns[c].kind in ("amount", "score", "computed")


class FundGrid(Grid):
    """资金来源 × 年初预算数, 全年预算数, 全年执行数, 分值, 执行率, 得分."""

    def __init__(self, form: Form, spec: PerformanceSpec):
        self.form, self.spec = form, spec
        self.columns = [Column("source", "资金来源", "label"), Column("initial", "年初预算数", "amount"),
                        Column("budget", "全年预算数", "amount"), Column("spent", "全年执行数", "amount"),
                        Column("weight", "分值", "score"), Column("rate", "执行率", "computed"), Column("score", "得分", "computed")]
        if not form.funds:
            form.funds.append(FundRow(spec.department_total if isinstance(form, DepartmentForm) else spec.fund_sources[0]))

    def row_count(self) -> int:
        return max(len(self.spec.fund_sources), len(self.form.funds))

    def _row(self, r: int) -> FundRow | None:
        return self.form.funds[r] if r < len(self.form.funds) else None

    def _source(self, r: int) -> str:
        row = self._row(r)
        return row.source if row else self.spec.fund_sources[r]

    def text(self, r: int, c: int) -> str:
        key, row = self.columns[c].key, self._row(r)
        if key == "source":
            return self._source(r)
        if key in ("weight", "rate", "score"):
            if r != 0:
                return ""
            s = scores(self.form, self.spec)
            return {"weight": format_score(self.form.execution_weight, None), "rate": format_rate(s.rate),
                    "score": format_score(s.execution)}[key]
        return format_wan(getattr(row, key)) if row else ""

    def edit_text(self, r: int, c: int) -> str:
        key, row = self.columns[c].key, self._row(r)
        if key in ("initial", "budget", "spent") and row is not None:
            v = getattr(row, key)
            return "" if v is None else f"{v:f}"
        return self.text(r, c)

    def editable(self, r: int, c: int) -> bool:
        key = self.columns[c].key
        return key in ("initial", "budget", "spent") or (key == "weight" and r == 0)

    def set(self, r: int, c: int, text: str) -> None:
        key = self.columns[c].key
        value = parse_number(text, self.columns[c].label)
        if value is not None and value < 0:
            raise EntryError(f"{self.columns[c].label}不能为负数")
        if key == "weight":
            self.form.execution_weight = value
            return
        while len(self.form.funds) <= r:
            self.form.funds.append(FundRow(self._source(len(self.form.funds))))
        setattr(self.form.funds[r], key, value)

    def cell(self, r: int, c: int) -> Cell | None:
        key = self.columns[c].key
        return None if key == "source" else form_cell(self.form.id, f"fund{r}", key)


class IndicatorGrid(Grid):
    """The 三级指标 rows: (年度目标,) 一级, 二级, 三级, 目标值, 完成值, 分值, 得分, 偏差原因."""

    def __init__(self, form: Form, spec: PerformanceSpec):
        self.form, self.spec = form, spec
        self.columns = ([Column("goal", "年度目标", "text")] if isinstance(form, DepartmentForm) else []) + [
            Column("level1", "一级指标", "choice"), Column("level2", "二级指标", "choice"), Column("level3", "三级指标", "text"),
            Column("target", "年初目标值", "text"), Column("actual", "实际完成值", "text"), Column("weight", "分值", "score"),
            Column("score", "得分", "score"), Column("reason", "偏差原因及改进措施", "text")]

    def row_count(self) -> int:
        return len(self.form.indicators)

    def text(self, r: int, c: int) -> str:
        v = getattr(self.form.indicators[r], self.columns[c].key)
        return format_score(v, None) if isinstance(v, Decimal) else (v or "")

    def choices(self, r: int, c: int) -> list[str] | None:
        key = self.columns[c].key
        if key == "level1":
            return [lv.name for lv in self.spec.levels]
        if key == "level2":
            lv = self.spec.level1(self.form.indicators[r].level1)
            return list(lv.level2) if lv else [n for lv in self.spec.levels for n in lv.level2]
        return None

    def set(self, r: int, c: int, text: str) -> None:
        key, ind = self.columns[c].key, self.form.indicators[r]
        if self.columns[c].kind == "score":
            value = parse_number(text, self.columns[c].label)
            if value is not None and value < 0:
                raise EntryError(f"{self.columns[c].label}不能为负数")
            setattr(ind, key, value)
            return
        setattr(ind, key, text.strip())
        if key == "level1":  # a 二级 of another 一级 no longer fits
            lv = self.spec.level1(ind.level1)
            if lv is not None and ind.level2 and ind.level2 not in lv.level2:
                ind.level2 = ""

    def add_row(self, at: int | None = None) -> int:
        """A new row after ``at`` (or at the end), in the same 目标 and 一级/二级 as the row above."""
        at = len(self.form.indicators) if at is None else min(at + 1, len(self.form.indicators))
        above = self.form.indicators[at - 1] if at > 0 else None
        new = Indicator(above.level1, above.level2, goal=above.goal) if above else Indicator(self.spec.levels[0].name)
        self.form.indicators.insert(at, new)
        return at

    def remove_row(self, r: int) -> None:
        if 0 <= r < len(self.form.indicators):
            del self.form.indicators[r]

    def cell(self, r: int, c: int) -> Cell | None:
        key = self.columns[c].key
        return None if key == "goal" else form_cell(self.form.id, f"ind{r}", key)


class BlockGrid(Grid):
    """A department small table: 汇总 row, then 局机关 and the institutions; names are editable."""

    def __init__(self, form: DepartmentForm, block: Block):
        self.form, self.block = form, block
        self.columns = [Column("name", "机构名称", "text")] + [Column(f"c{i}", name, "amount") for i, name in enumerate(block.columns, 1)]
        rows = form.blocks.setdefault(block.id, [])
        if not rows:
            rows.append(BlockRow(block.total_row, [None] * len(block.columns)))

    @property
    def rows(self) -> list[BlockRow]:
        return self.form.blocks[self.block.id]

    def row_count(self) -> int:
        return len(self.rows)

    def _value(self, r: int, c: int) -> Decimal | None:
        vals = self.rows[r].values
        return vals[c - 1] if c - 1 < len(vals) else None

    def text(self, r: int, c: int) -> str:
        return self.rows[r].name if c == 0 else format_wan(self._value(r, c))

    def edit_text(self, r: int, c: int) -> str:
        if c == 0:
            return self.rows[r].name
        v = self._value(r, c)
        return "" if v is None else f"{v:f}"

    def set(self, r: int, c: int, text: str) -> None:
        row = self.rows[r]
        if c == 0:
            row.name = text.strip()
            return
        value = parse_number(text, self.columns[c].label)
        row.values += [None] * (c - len(row.values))
        row.values[c - 1] = value

    def add_row(self) -> int:
        self.rows.append(BlockRow(f"{len(self.rows)}、", [None] * len(self.block.columns)))
        return len(self.rows) - 1

    def remove_row(self, r: int) -> None:
        if 0 < r < len(self.rows):  # the 汇总 row stays
            del self.rows[r]

    def cell(self, r: int, c: int) -> Cell | None:
        return None if c == 0 else block_cell(self.block.id, r, c)


__all__ = ["BlockGrid", "Column", "DEPARTMENT_ID", "EntryError", "FundGrid", "Grid", "IndicatorGrid"]
