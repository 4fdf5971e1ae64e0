"""Reading the 绩效 forms from a clerk's workbook (导入绩效自评表).

Like the nine tables, the forms are found by their titles, in any sheet, anywhere on it:
"2020 年度信访工作经费项目自评表" (项目支出绩效自评表 / 项目自评表) and "…部门整体绩效自评表"
(部门整体支出绩效自评表). A form runs from its title to the next title on the sheet. Inside it the
labels are found by their words (项目名称, 主管部门, 预算数, 执行数, 一级指标, 总分 …), not by
position; 一级/二级 cells merged down a group are carried to each row, and "产出指标（40 分）" gives
the group's 分值. The published forms do not print each indicator's 分值: it is taken from the
group's — every score when the group lost no points, else an equal share — and a note says so.
What the sheet states for 执行率, 得分 and 总分 is kept as ``stated_*`` for the checks to verify.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from os import PathLike
from pathlib import Path

from services.money import ZERO
from services.performance.model import DepartmentForm, Form, FundRow, Indicator, PerformanceForms, ProjectForm
from services.xlsx_cells import SheetGrid, as_amount, norm, ref

PROJECT_TITLES = ("项目支出绩效自评表", "项目自评表")
DEPARTMENT_TITLES = ("部门整体支出绩效自评表", "部门整体绩效自评表", "整体支出绩效自评表", "整体绩效自评表")
_WEIGHT = re.compile(r"[(（]\s*(\d+(?:\.\d+)?)\s*分")
_YEAR = re.compile(r"^.*?(?:19|20)\d{2}\s*年度?")
_GOAL = re.compile(r"^年度目标\s*(\d+)")
_CELLS = {"项目名称": "name", "主管部门": "department", "项目实施单位": "implementer", "实施单位": "implementer",
          "单位名称": "unit", "填报日期": "filled_on", "填报日": "filled_on"}


@dataclass
class FormsImport:
    forms: PerformanceForms
    #: what the reader decided or could not read, with the sheet and cell
    notes: list[str] = field(default_factory=list)
    #: form title → where it was read ("项目自评!A1")
    found: dict[str, str] = field(default_factory=dict)


def _kind(text: object) -> str | None:
    if not isinstance(text, str) or len(text) > 60:
        return None
    s = re.sub(r"[(（][^)）]*[)）]$", "", norm(text))
    if s.endswith(DEPARTMENT_TITLES):
        return "department"
    if s.endswith(PROJECT_TITLES):
        return "project"
    return None


def read_forms(grids: list[SheetGrid]) -> FormsImport:
    """Every 绩效 form in the sheets (an empty result when there are none)."""
    result = FormsImport(PerformanceForms())
    for g in grids:
        titles = sorted((r, c, k) for r, row in g.rows.items() for c, v in row.items() if (k := _kind(v)))
        for i, (r, c, kind) in enumerate(titles):
            end = next((t[0] for t in titles[i + 1:] if t[0] > r), g.max_row + 1)
            form = _read(g, r, end, kind, str(g.value(r, c)), result)
            if form is None:
                continue
            where = f"{g.name}!{ref(r, c)}"
            if isinstance(form, DepartmentForm):
                if result.forms.department is not None:
                    result.notes.append(f"{where} 又有一张部门整体支出绩效自评表，未导入（已导入前一张）")
                    continue
                result.forms.department = form
            else:
                form.id = result.forms.new_project_id()
                result.forms.projects.append(form)
            result.found[str(g.value(r, c))] = where
    return result


def import_performance(path: str | PathLike[str]) -> FormsImport:
    """The forms of an .xlsx file (openpyxl is imported only here)."""
    from openpyxl import load_workbook

    from services.xlsx_guard import measure

    measure(path)  # WorkbookTooLarge (a ValueError) before openpyxl builds anything
    with Path(path).open("rb") as f:
        book = load_workbook(f, data_only=True)
        return read_forms([SheetGrid.from_worksheet(ws) for ws in book.worksheets])


# ── one form ────────────────────────────────────────────────────────────────
def _texts(g: SheetGrid, r: int) -> list[tuple[int, object]]:
    return sorted(g.row(r).items())


def _after(cells: list[tuple[int, object]], c: int) -> object:
    """The first value right of column ``c``."""
    return next((v for cc, v in cells if cc > c), None)


def _read(g: SheetGrid, start: int, end: int, kind: str, title: str, result: FormsImport) -> Form | None:
    form: Form = DepartmentForm("D") if kind == "department" else ProjectForm("")
    head: dict[str, str] = {}
    fund_cols: dict[str, int] | None = None
    ind_cols: dict[str, int] | None = None
    goal, carry, groups = "", {"level1": "", "level2": ""}, {}
    r = start + 1
    while r < end:
        cells = _texts(g, r)
        labels = [(c, norm(v)) for c, v in cells if isinstance(v, str)]
        for c, text in labels:
            key = next((k for k in _CELLS if text.startswith(k)), None)
            if key and _CELLS[key] not in head:
                rest = text[len(key):].lstrip(":：")
                value = rest or _after(cells, c)
                head[_CELLS[key]] = str(value).strip() if value is not None else ""
        words = [t for _, t in labels]
        if any("预算数" in t for t in words) and any("执行数" in t for t in words):
            fund_cols = _fund_columns(cells, form)
        elif any("一级指标" in t for t in words) and any(("三级指标" in t or "二级指标" in t) for t in words):
            ind_cols = _indicator_columns(cells)
        elif any(t.startswith("总分") or "综合得分" in t for t in words):
            form.stated_total = _first_number(cells) or _first_number(_texts(g, r + 1))
        elif any(t.startswith("偏差") or "未完成原因" in t for t in words):
            form.analysis = _long_text(cells)
        elif any(t.startswith("改进措施") for t in words):
            form.improvement = _long_text(cells)
        elif any(t.startswith("评价等次") for t in words):
            form.stated_grade = str(_after(cells, next(c for c, t in labels if t.startswith("评价等次"))) or "")
        elif any(_GOAL.match(t) for t in words):
            c0 = next(c for c, t in labels if _GOAL.match(t))
            goal = str(_after(cells, c0) or "").strip()
            carry = {"level1": "", "level2": ""}
        elif fund_cols is not None and ind_cols is None and _fund_row(g, r, cells, fund_cols, form):
            pass
        elif ind_cols is not None:
            _indicator_row(g, r, ind_cols, form, goal, carry, groups)
        r += 1
    if isinstance(form, ProjectForm):
        form.name = head.get("name") or _name_from_title(title)
        form.department, form.implementer = head.get("department", ""), head.get("implementer", "")
    elif isinstance(form, DepartmentForm):
        form.unit = head.get("unit", "")
    form.filled_on = head.get("filled_on", "")
    if not form.funds and not form.indicators:
        return None
    _weights(form, groups, f"{g.name}!{ref(start, 1)}", result.notes)
    return form


def _name_from_title(title: str) -> str:
    s = _YEAR.sub("", norm(title))
    for t in PROJECT_TITLES:
        if s.endswith(t):
            s = s[: -len(t)]
    return s


def _fund_columns(cells: list[tuple[int, object]], form: Form) -> dict[str, int]:
    cols: dict[str, int] = {}
    for c, v in cells:
        t = norm(v) if isinstance(v, str) else ""
        if "年初预算" in t:
            cols["initial"] = c
        elif "预算数" in t:
            cols["budget"] = c
        elif "执行数" in t:
            cols["spent"] = c
        elif "得分" in t:  # before 执行率: "得分（20分*执行率）"
            cols["score"] = c
        elif "执行率" in t:
            cols["rate"] = c
        elif t == "分值":
            cols["weight"] = c
        m = _WEIGHT.search(t)
        if m and ("预算执行" in t or "执行情况" in t or "得分" in t):
            form.execution_weight = Decimal(m.group(1))
    return cols


def _fund_row(g: SheetGrid, r: int, cells: list, cols: dict[str, int], form: Form) -> bool:
    first = min(cols.values())
    label = next((norm(v) for c, v in reversed(cells) if c < first and isinstance(v, str) and _WEIGHT.search(norm(v)) is None), "")
    values = {k: as_amount(g.value(r, c)) for k, c in cols.items() if k in ("initial", "budget", "spent")}
    if not label or all(v is None for v in values.values()):
        return False
    form.funds.append(FundRow(label, values.get("initial"), values.get("budget"), values.get("spent")))
    if len(form.funds) == 1:
        if "rate" in cols:
            form.stated_rate = _rate(g.value(r, cols["rate"]))
        if "score" in cols:
            form.stated_score = as_amount(g.value(r, cols["score"]))
        if "weight" in cols and as_amount(g.value(r, cols["weight"])) is not None:
            form.execution_weight = as_amount(g.value(r, cols["weight"]))
    return True


def _rate(v: object) -> Decimal | None:
    if isinstance(v, str) and norm(v).endswith("%"):
        d = as_amount(norm(v)[:-1])
        return None if d is None else d / 100
    d = as_amount(v)
    if d is None:
        return None
    return d if d <= Decimal("1.5") else d / 100  # Excel's 75.18% is 0.7518; "75.18" typed is a percentage


def _indicator_columns(cells: list[tuple[int, object]]) -> dict[str, int]:
    cols: dict[str, int] = {}
    for c, v in cells:
        t = norm(v) if isinstance(v, str) else ""
        for key, words in (("level1", ("一级指标",)), ("level2", ("二级指标",)), ("level3", ("三级指标",)),
                           ("target", ("目标值", "预期指标值", "绩效目标", "预期目标")), ("actual", ("完成值", "实际完成", "完成情况")),
                           ("weight", ("分值",)), ("score", ("得分",)), ("reason", ("偏差原因", "原因分析", "改进措施"))):
            if key == "target" and t.startswith("年度"):
                continue  # "年度绩效目标（80 分）" is the section's label, not the 目标值 column
            if any(w in t for w in words) and key not in cols:
                cols[key] = c
                break
    return cols


def _split_weight(text: str) -> tuple[str, Decimal | None]:
    m = _WEIGHT.search(text)
    name = _WEIGHT.split(text)[0] if m else text
    return re.sub(r"[(（]$", "", name).strip(), Decimal(m.group(1)) if m else None


def _indicator_row(g: SheetGrid, r: int, cols: dict[str, int], form: Form, goal: str, carry: dict, groups: dict) -> None:
    def text(key: str, shown: bool = False) -> str:
        if key not in cols:
            return ""
        v = g.shown(r, cols[key]) if shown else g.value(r, cols[key])
        return "" if v is None else str(v).strip()

    for key in ("level1", "level2"):
        raw = text(key, shown=True)
        if raw:
            name, weight = _split_weight(norm(raw))
            carry[key] = name
            if weight is not None and key == "level2":
                groups[(goal, carry["level1"], name)] = weight
    name = text("level3")
    if not name:
        return
    score = as_amount(g.value(r, cols["score"])) if "score" in cols else None
    weight = as_amount(g.value(r, cols["weight"])) if "weight" in cols else None
    form.indicators.append(Indicator(carry["level1"], carry["level2"], name, text("target"), text("actual"), weight, score,
                                     text("reason"), goal))


def _weights(form: Form, groups: dict, where: str, notes: list[str]) -> None:
    """分值 of each indicator from its group's, when the sheet has no 分值 column."""
    if not groups or any(i.weight is not None for i in form.indicators):
        return
    guessed = unknown = 0
    for (goal, l1, l2), weight in groups.items():
        members = [i for i in form.indicators if (i.goal, i.level1, i.level2) == (goal, l1, l2)]
        if not members:
            continue
        scored = sum((i.score or ZERO for i in members), ZERO)
        share = weight / len(members)
        if scored == weight:
            for i in members:
                i.weight = i.score
        elif share == share.quantize(Decimal("0.01")) and all((i.score or ZERO) <= share for i in members):
            for i in members:
                i.weight = share.normalize()
        else:
            unknown += len(members)
            continue
        guessed += len(members)
    if guessed:
        notes.append(f"{where} 表中没有各指标的分值，已按二级指标标明的分值推算 {guessed} 个指标的分值，请核对")
    if unknown:
        notes.append(f"{where} 有 {unknown} 个指标的分值无法从二级指标的分值推算，请补填")


def _first_number(cells: list[tuple[int, object]]) -> Decimal | None:
    return next((d for _, v in cells if (d := as_amount(v)) is not None), None)


def _long_text(cells: list[tuple[int, object]]) -> str:
    texts = [str(v).strip() for _, v in cells if isinstance(v, str)]
    return max(texts[1:], key=len) if len(texts) > 1 else ""
