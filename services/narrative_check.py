"""Checking the clerk's own texts against the tables (说明文字与报表数字核对).

A reason or a description the clerk wrote may quote a figure ("收、支总计432.32万元") that the
tables contradict (01 总计 is 432.39): the published seeds do this. `check_texts` finds, in every
text of `Workbook.texts`, a known label followed closely by an amount in 万元, and compares the
amount with the table figure the label names. The labels, the words that mean "this is not the
table figure" (预算, 上年, 增加 …) and the rule id are data: ``[check]`` in
``resources/texts/narrative.toml``; every 类 name of the 一般公共预算 table is a label too
("卫生健康支出", "卫生健康（类）支出"). Findings are warnings; the cell is the table's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from services.disclosure.texts import find_table, narrative_spec
from services.findings import Finding, fmt
from services.money import CENT, AmountError, parse_amount, round_cent
from services.rounding import finer_than_cent, published
from services.templates import WARNING
from services.workbook import INCOMPLETE_KEY, Cell, Workbook

_AMOUNT = r"(?P<amount>\d[\d,]*(?:\.\d+)?)(?P<unit>\s*万元)"
_STOP = "，。；;！？!?：:\n、"


@dataclass(frozen=True)
class _Label:
    text: str
    cell: Cell


def _labels(wb: Workbook) -> list[_Label]:
    spec = narrative_spec()["check"]
    out: list[_Label] = []
    for item in spec["labels"]:
        t = find_table(wb.template, item["table"])
        if t is None:
            continue
        row = item["row"]
        if row == "*":
            keyed = [r.key for r in t.rows if r.key]
            if not keyed:
                continue
            row = keyed[0]
        if not wb.has_row(t.no, row):
            continue
        out.append(_Label(item["label"], Cell(t.no, row, int(item["col"]))))
    t = find_table(wb.template, spec["class_table"])
    if t is not None:
        for code in wb.codes(t.no):
            if len(code) != 3:
                continue
            name = wb.row_label(t.no, code)
            if not name:
                continue
            stem = name[:-2] if name.endswith("支出") else name
            cell = Cell(t.no, code, t.columns[0].no)
            for text in {name, f"{stem}（类）支出", f"{stem}(类)支出", f"{stem}（类）", f"{stem}(类)"}:
                out.append(_Label(text, cell))
    return out


def _where(wb: Workbook, cell: Cell) -> tuple[str, str]:
    t = wb.table(cell.table)
    spec = t.fixed_row(cell.row)
    label = wb.row_label(cell.table, cell.row)
    if spec is not None and spec.line is not None:
        row = f"行{spec.line} {label}"
    elif spec is not None:
        row = label
    else:
        row = f"{cell.row} {label}".strip()
    col = t.column(cell.col)
    group = col.group.split("/")[0] + "·" if col.group else ""
    return row, f"栏{col.no} {group}{col.label}"


def check_texts(wb: Workbook) -> list[Finding]:
    """Figures in the clerk's texts that contradict the tables (warnings, “说明-数字不符”)."""
    spec = narrative_spec()["check"]
    labels = _labels(wb)
    if not labels or not wb.texts:
        return []
    by_text: dict[str, Cell] = {}
    for lab in sorted(labels, key=lambda x: -len(x.text)):
        by_text.setdefault(lab.text, lab.cell)
    names = "|".join(re.escape(t) for t in sorted(by_text, key=len, reverse=True))
    gap = int(spec.get("max_gap", 8))
    # a lookahead, so that matches may overlap: in "收入总计含年初结转和结余0万元" the amount belongs
    # to the nearer label (年初结转和结余), and the match of the farther one is dropped below
    pattern = re.compile(rf"(?=(?P<label>{names})(?P<gap>[^\d{re.escape(_STOP)}]{{0,{gap}}}?)" + _AMOUNT + ")")
    inner = re.compile(names)
    skip = tuple(spec.get("skip_words", ()))
    other_funds = tuple(spec.get("skip_sections", ()))
    qualifiers = tuple(spec.get("qualifiers", ()))
    unread = wb.incomplete()
    findings: list[Finding] = []
    seen: set[tuple] = set()
    for key in sorted(wb.texts):
        if key == INCOMPLETE_KEY:  # the import's own record, not the clerk's words
            continue
        if any(w in key for w in other_funds):  # its 基本支出, 财政拨款收入 are that fund's, not the tables' totals
            continue
        text = wb.texts[key] or ""
        nearest: dict[int, re.Match] = {}  # one label per amount: the longest of nested ones
        for m in pattern.finditer(text):
            if any(w in m.group("gap") for w in skip) or inner.search(m.group("gap")):
                continue
            if text[:m.start("label")].endswith(qualifiers):  # 政府性基金预算财政拨款收入 is not 财政拨款收入
                continue
            nearest.setdefault(m.start("amount"), m)
        for m in nearest.values():
            try:
                said = parse_amount(m.group("amount"))
            except AmountError:
                continue
            if said is None:
                continue
            cell = by_text[m.group("label")]
            if cell.table in unread:  # a table read only in part: its figure may be the one not read
                continue
            table_value = round_cent(wb.get(cell) or Decimal(0))
            if said != table_value and abs(said - table_value) <= CENT and finer_than_cent(wb):
                # a year kept in 元 publishes balanced figures (舍位平衡), one cent off the
                # figure's own rounding at most: the text quotes what the table prints
                table_value = published(wb).get(cell) or Decimal(0)
            if said == table_value:
                continue
            if (key, cell, said) in seen:
                continue
            seen.add((key, cell, said))
            quote = text[m.start("label"):m.end("unit")]
            findings.append(_finding(wb, spec["rule"], key, quote, cell, said, table_value))
    return findings


def _finding(wb: Workbook, rule: str, key: str, quote: str, cell: Cell, said: Decimal, table_value: Decimal) -> Finding:
    t = wb.table(cell.table)
    row, column = _where(wb, cell)
    diff = said - table_value
    rounding = abs(diff) <= CENT
    msg = (
        f"说明文字“{key}”中写的“{quote}”与公开{t.no}表 {row}（{column}）{fmt(table_value)} 不符："
        f"文字为 {fmt(said)}，报表为 {fmt(table_value)}，相差 {fmt(diff)}"
    )
    if rounding:
        msg += "；可能为尾数差异，请核对"
    return Finding(
        rule=rule,
        severity=WARNING,
        table=t.no,
        table_title=t.title,
        row=row,
        column=column,
        message=msg,
        expected=table_value,
        actual=said,
        difference=diff,
        possible_rounding=rounding,
        cell=cell,
        cells=(cell,),
    )
