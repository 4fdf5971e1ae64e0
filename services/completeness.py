"""公开完整性 (completeness): what the disclosure must contain, as its template lists it.

The inspections of 公开 quality (DOMAIN.md) look for the nine tables (an empty one with its
本表无数据 sentence), the 三公 details (团组/人次, 公务用车 购置数 and 保有量, 接待批次/人次),
机关运行经费, 政府采购 with the share to 中小企业, 国有资产占用, 绩效自评 and 名词解释. A template's
``[[contents]]`` lists them (`Template.contents`); `items` says of each whether the year has it and
where to fill it in, for the window's checklist, and `check_completeness` gives a warning (提示)
for each one missing.

The tables are always checked. The parts the clerk writes (情况说明 figures, 名词解释, 绩效) are
checked once the year has any of the clerk's texts: a workbook read from Excel holds tables only,
so it says nothing about them (its PDF lists them as 【请填写】 all the same).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from services.findings import Finding
from services.templates import WARNING
from services.workbook import Cell, Workbook

RULE = "公开完整性"
#: the findings' table when the part is not a table's
TABLE = "完整性"
#: where the clerk's texts are typed in the window
TEXTS_PAGE = "部门概况与情况说明"
#: texts that are not the document's words (what an import noted, the 绩效 forms as data)
_NOT_TEXT = ("导入.", "绩效.")
#: what the product prints where the clerk has still to write (【请填写：…】)
_PLACEHOLDER = re.compile(r"【请填写[^】]*】")
#: where a published document's 名词解释 is kept when it is read back in (`services.published`)
PUBLISHED_GLOSSARY = "名词.公开文件"
#: the texts of the clerk's that show the 情况说明 is being written
_CLERK_TEXTS = ("概况.", "说明.", "数据.", "原因.", "名词.")


@dataclass(frozen=True)
class Item:
    """One part the disclosure must contain, and whether this year has it."""

    what: str
    present: bool
    #: not needed this year (e.g. 团组/人次 when 因公出国 spent nothing)
    needless: bool
    #: where to fill it in, in the clerk's words
    where: str
    #: the table it belongs with ('' for the texts)
    table: str = ""

    @property
    def missing(self) -> bool:
        return not self.present and not self.needless


def writing(wb: Workbook) -> bool:
    """Whether the year has any of the clerk's 情况说明 texts (or 绩效 forms)."""
    from services.performance import FORMS_KEY

    return any(k.startswith(_CLERK_TEXTS) or k == FORMS_KEY for k, v in wb.texts.items() if v.strip())


def _has_text(wb: Workbook, key: str) -> bool:
    return bool((wb.texts.get(key) or "").strip())


def _what(key: str) -> str:
    from services.disclosure.texts import field

    try:
        return field(key).what
    except KeyError:
        return key


def _zero(wb: Workbook, cond: dict) -> bool:
    """Whether the figure ``cond`` names (a table by its role, a row, a column) is zero or blank."""
    from services.disclosure.texts import find_table

    t = find_table(wb.template, str(cond["table"]))
    if t is None:
        return True
    row = str(cond.get("row") or (t.rows[0].key if t.rows and t.rows[0].key else "合计"))
    return not wb.get(Cell(t.no, row, int(cond["col"])))


def _tables(wb: Workbook) -> list[Item]:
    out = []
    values = wb.values
    for t in wb.template.tables.values():
        # the first figure found will do (a scan of every figure would cost each edit of a large department)
        has = any(Cell(t.no, r, c) in values for r in wb.row_keys(t.no) for c in wb.row_columns(t.no, r))
        where = f"公开{t.no}表 {t.title}"
        if has:
            out.append(Item(where, True, False, where, t.no))
        elif t.empty_note:  # printed with its 本表无数据 sentence
            out.append(Item(f"{where}（本表无数据，印出“{t.empty_note}”）", True, False, where, t.no))
        else:
            out.append(Item(where, False, False, f"{where}：请填写该表（确实为零的填 0）", t.no))
    return out


def _said(wb: Workbook, words: list[str]) -> bool:
    """Whether the year's texts say it in their own words (a published document read back in:
    its 情况说明 as written, not the product's fields): one of them matching every pattern of ``words``."""
    texts = []
    for k, v in wb.texts.items():
        said = _PLACEHOLDER.sub("", v or "").strip()  # a 【请填写】 left in says nothing
        if said and not k.startswith(_NOT_TEXT):
            # a section's heading is its key ("情况说明.十三、国有资产占用情况说明"): part of what it says
            texts.append(f"{k}\n{said}")
    return any(all(re.search(w, t) for w in words) for t in texts)


def _glossary(wb: Workbook) -> Item:
    """名词解释: every functional 科目 the tables use (a leaf row with a figure) needs its
    explanation: the bundled one (by code, or by name for 行政运行 …) or the clerk's (名词.科目),
    as the drafting of the 名词解释 looks for it (`services.disclosure.narrative`)."""
    from services.disclosure.texts import glossary_spec

    g = glossary_spec()
    by_code, by_name = g.get("codes", {}), g.get("names", {})
    get, texts = wb.values.get, wb.texts
    missing: list[tuple[str, str]] = []
    seen: set[str] = set()
    for t in wb.template.tables.values():
        if not (t.coded and t.classification == "功能"):
            continue
        codes = wb.coded.get(t.no, {})
        parents = {c[:5] if len(c) == 7 else c[:3] for c in codes if len(c) > 3}
        cols = t.column_nos
        # run on every edit: the cheap tests first, the name (a catalog look-up) only when needed
        for code in codes:
            if code in seen or code in parents or not any(get(Cell(t.no, code, c)) for c in cols):
                continue
            seen.add(code)
            if by_code.get(code) or (texts.get(f"名词.{code}") or "").strip():
                continue
            name = wb.row_label(t.no, code) or code
            if not by_name.get(name):
                missing.append((code, f"{name}（{code}）"))
    named = [m for _, m in sorted(missing)]
    where = f"{TEXTS_PAGE} → 名词解释：{'、'.join(named[:3])}{' 等' if len(named) > 3 else ''}的科目说明"
    # a published document read back in has its own 名词解释, written as it chose
    published = wb.texts.get(PUBLISHED_GLOSSARY) or ""
    present = not missing or (bool(published.strip()) and not _PLACEHOLDER.search(published))
    return Item("名词解释（所用功能分类科目的说明）", present, False, where)


def items(wb: Workbook) -> list[Item]:
    """Every part the template says the disclosure must contain, in the template's order."""
    out: list[Item] = []
    for spec in wb.template.contents:
        kind = str(spec.get("kind", "texts"))
        what = str(spec.get("what", ""))
        if kind == "tables":
            out += _tables(wb)
        elif kind == "glossary":
            out.append(_glossary(wb))
        elif kind == "figure":
            from services.disclosure.texts import find_table

            t = find_table(wb.template, str(spec["table"]))
            cell = Cell(t.no, str(spec["row"]), int(spec["col"])) if t else None
            present = cell is not None and wb.get(cell) is not None
            out.append(Item(what, present, False, f"公开{t.no if t else '?'}表 {spec['row']}" if t else what,
                            t.no if t else ""))
        else:
            keys = [str(k) for k in spec.get("keys", ())]
            found = [_has_text(wb, k) for k in keys]
            present = any(found) if spec.get("any") else all(found)
            if not present and spec.get("words"):
                present = _said(wb, [str(w) for w in spec["words"]])
            needless = "unless_zero" in spec and _zero(wb, spec["unless_zero"])
            lacking = [_what(k) for k, ok in zip(keys, found) if not ok]
            named = _what(keys[0]) if spec.get("any") else "、".join(lacking or [_what(k) for k in keys])
            where = spec.get("where") or f"{TEXTS_PAGE}：{named}"
            out.append(Item(what, present, needless, str(where)))
    return out


def check_completeness(wb: Workbook) -> list[Finding]:
    """A warning for each part missing (the clerk's parts once the clerk writes any)."""
    if not wb.template.contents:
        return []
    found = items(wb) if writing(wb) else _tables(wb)
    return [Finding(rule=RULE, severity=WARNING, table=i.table or TABLE,
                    table_title=wb.table(i.table).title if i.table else RULE, row=i.what, column="",
                    message=f"公开文件缺少“{i.what}”：请在 {i.where} 填写")
            for i in found if i.missing]
