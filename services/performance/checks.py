"""The rules inside one 绩效 form (表内审核): 资金, 执行率, 得分, 分值, 总分, 等次, 指标, 偏差原因.

Each ``_check_*`` looks at one form and returns findings; nothing raises on what a clerk typed (a
blank is "not filled in", never zero for a rate). A stated 执行率 (imported or published) that
matches the template's rounding is quiet, one that matches the other rounding is a 提示 (the
template says how this region rounds), one that matches neither is an error.
"""

from __future__ import annotations

import re
from decimal import Decimal

from services.findings import Finding, fmt
from services.money import ZERO
from services.performance.findings import FIELD_NAMES, form_name, indicator_label, make
from services.performance.model import Form, Indicator, ProjectForm, form_cell
from services.performance.scoring import (
    execution_score,
    fell_short,
    format_rate,
    format_score,
    grade_name,
    misses_target,
    rate_of,
    scores,
)
from services.performance.spec import PerformanceSpec, strip_zhibiao

_MODE_ZH = {"ROUND_DOWN": "截位", "ROUND_HALF_UP": "四舍五入"}
_PUNCT = re.compile(r"[\s，。、；：,.;:“”\"'（）()《》【】]")


def check_form(form: Form, spec: PerformanceSpec) -> list[Finding]:
    out: list[Finding] = []
    for check in (_check_required, _check_funds, _check_rate, _check_indicators, _check_weights, _check_total):
        out += check(form, spec)
    return out


def filled(ind: Indicator) -> bool:
    """An indicator row with anything in it; an empty row (增加指标行, not yet typed in) is no
    indicator: it neither counts as filled nor is told it lacks a 分值."""
    return any(t.strip() for t in (ind.level1, ind.level2, ind.level3, ind.target, ind.actual, ind.reason)) \
        or ind.weight is not None or ind.score is not None


def _cell(form: Form, part: str, col: str):  # noqa: ANN202
    return form_cell(form.id, part, col)


def _check_required(form: Form, spec: PerformanceSpec) -> list[Finding]:
    name = form_name(form)
    missing = []
    if isinstance(form, ProjectForm) and not form.name.strip():
        missing.append(("name", "head", "项目名称"))
    row = form.total_row
    if row is None or row.budget is None:
        missing.append(("budget", "fund0", "全年预算数"))
    if row is None or row.spent is None:
        missing.append(("spent", "fund0", "全年执行数"))
    if not any(filled(i) for i in form.indicators):
        missing.append(("level3", "ind0", "绩效指标"))
    out = []
    for col, part, what in missing:
        if part == "fund0" and row is not None and row.spent is not None and col == "budget":
            continue  # said by 绩效-无预算数 below
        cell = _cell(form, part, col) if part != "ind0" else None
        out.append(make(spec, "绩效-必填", form, name, FIELD_NAMES.get(col, what), f"{name} 还没有填写{what}", cell))
    return out


def _check_funds(form: Form, spec: PerformanceSpec) -> list[Finding]:
    """年度资金总额 = Σ 其中 rows, for each amount column where any source row is filled."""
    if len(form.funds) < 2:
        return []
    out = []
    for col in ("initial", "budget", "spent"):
        parts = [getattr(r, col) for r in form.funds[1:]]
        if all(p is None for p in parts):
            continue
        total = getattr(form.funds[0], col) or ZERO
        want = sum((p for p in parts if p is not None), ZERO)
        if total != want:
            msg = f"{form_name(form)} {FIELD_NAMES[col]}合计为 {fmt(total)}，各资金来源之和为 {fmt(want)}，相差 {fmt(total - want)}"
            out.append(make(spec, "绩效-资金合计", form, form_name(form), FIELD_NAMES[col], msg, _cell(form, "fund0", col), want, total))
    return out


def _check_rate(form: Form, spec: PerformanceSpec) -> list[Finding]:
    row, name = form.total_row, form_name(form)
    if row is None:
        return []
    if row.spent is not None and not row.budget:
        return [make(spec, "绩效-无预算数", form, name, "全年预算数",
                     f"{name} 有执行数 {fmt(row.spent)} 万元，但全年预算数{'为 0' if row.budget == 0 else '未填写'}，无法计算执行率",
                     _cell(form, "fund0", "budget"))]
    rate = rate_of(row.spent, row.budget, spec)
    if rate is None:
        return []
    out = []
    used = rate
    if form.stated_rate is not None and form.stated_rate != rate:
        other = rate_of(row.spent, row.budget, spec, spec.other_rate_mode)
        mode, other_mode = _MODE_ZH[spec.rate_mode], _MODE_ZH[spec.other_rate_mode]
        if form.stated_rate == other:
            used = other
            msg = (f"{name} 表中执行率 {format_rate(form.stated_rate)} 是{other_mode}的结果，本模板按{mode}应为 "
                   f"{format_rate(rate)}（{_exact(row.spent, row.budget)}）")
            out.append(make(spec, "绩效-执行率取舍", form, name, "执行率", msg, _cell(form, "fund0", "rate"), rate, form.stated_rate))
        else:
            used = form.stated_rate
            msg = f"{name} 表中执行率为 {format_rate(form.stated_rate)}，按{mode}应为 {format_rate(rate)}（{_exact(row.spent, row.budget)}）"
            out.append(make(spec, "绩效-执行率", form, name, "执行率", msg, _cell(form, "fund0", "rate"), rate, form.stated_rate))
    if form.stated_score is not None:
        want = execution_score(form.execution_weight, used, spec)
        if want is not None and form.stated_score != want:
            msg = (f"{name} 表中预算执行得分为 {format_score(form.stated_score)}，按 {format_score(form.execution_weight, None)} 分 × "
                   f"{format_rate(used)} 应为 {format_score(want)}")
            out.append(make(spec, "绩效-执行得分", form, name, "得分", msg, _cell(form, "fund0", "score"), want, form.stated_score))
    return out


def _exact(spent: Decimal, budget: Decimal) -> str:
    pct = (spent / budget * 100).quantize(Decimal("0.0001"))
    return f"{fmt(spent)} ÷ {fmt(budget)} = {pct:f}…%"


def _check_indicators(form: Form, spec: PerformanceSpec) -> list[Finding]:
    out = []
    explained = _explained_by(form, spec)
    # a form that scores no indicator at all (seed 001 publishes only 目标 and 完成情况) is not
    # told row by row that it has no 分值; one that scores some must score all
    scored = any(i.weight is not None or i.score is not None for i in form.indicators)
    for i, ind in enumerate(form.indicators):
        if not filled(ind):
            continue
        label = indicator_label(form, i, ind)
        part = f"ind{i}"
        for col in ("weight", "score"):
            v = getattr(ind, col)
            if v is not None and v < 0:
                out.append(make(spec, "绩效-得分为负", form, label, FIELD_NAMES[col], f"{label} 的{FIELD_NAMES[col]}为 {fmt(v)}", _cell(form, part, col)))
        if ind.weight is not None and ind.score is not None and ind.score > ind.weight:
            msg = f"{label} 得分 {format_score(ind.score, None)} 超过分值 {format_score(ind.weight, None)}"
            out.append(make(spec, "绩效-得分超分值", form, label, "得分", msg, _cell(form, part, "score"), ind.weight, ind.score))
        if scored and ((ind.weight is None) != (ind.score is None) or ind.weight is None):
            col = "weight" if ind.weight is None else "score"
            out.append(make(spec, "绩效-缺分值", form, label, FIELD_NAMES[col], f"{label} 没有填写{FIELD_NAMES[col]}", _cell(form, part, col)))
        out += _names(form, spec, i, label)
        if fell_short(ind) and not ind.reason.strip() and i not in explained:
            why = "未得满分" if ind.weight is not None and ind.score is not None and ind.score < ind.weight else "完成值未达到目标值"
            msg = f"{label} {why}（目标值“{ind.target}”，完成值“{ind.actual}”），请在该指标或“偏差原因分析”中说明原因"
            out.append(make(spec, "绩效-偏差原因", form, label, "偏差原因", msg, _cell(form, part, "reason")))
        if misses_target(ind) and ind.weight is not None and ind.score is not None and ind.score >= ind.weight:
            msg = f"{label} 完成值“{ind.actual}”未达到目标值“{ind.target}”，却得满分 {format_score(ind.score, None)}"
            out.append(make(spec, "绩效-满分未达标", form, label, "得分", msg, _cell(form, part, "score")))
    return out


def _names(form: Form, spec: PerformanceSpec, i: int, label: str) -> list:
    ind = form.indicators[i]
    if not ind.level1 and not ind.level2:
        return []
    lv1 = spec.level1(ind.level1)
    if lv1 is None:
        names = "、".join(lv.name for lv in spec.levels)
        return [make(spec, "绩效-指标名称", form, label, "一级指标", f"{label} 的一级指标“{ind.level1}”不是规定的名称（{names}）",
                     _cell(form, f"ind{i}", "level1"))]
    if ind.level2 and strip_zhibiao(ind.level2) not in {strip_zhibiao(n) for n in lv1.level2}:
        names = "、".join(lv1.level2)
        return [make(spec, "绩效-指标名称", form, label, "二级指标", f"{label} 的二级指标“{ind.level2}”不属于{lv1.name}（{names}）",
                     _cell(form, f"ind{i}", "level2"))]
    return []


def _explained_by(form: Form, spec: PerformanceSpec) -> set[int]:
    """Indicators the form's 偏差原因分析 quotes (a run of ``reason_min_quote`` characters of the name)."""
    text = _PUNCT.sub("", form.analysis + form.improvement)
    if not text:
        return set()
    n = int(spec.setting("reason_min_quote", 3))  # type: ignore[arg-type]
    out = set()
    for i, ind in enumerate(form.indicators):
        name = _PUNCT.sub("", ind.level3)
        if any(name[k:k + n] in text for k in range(0, max(0, len(name) - n + 1))):
            out.add(i)
    return out


def _check_weights(form: Form, spec: PerformanceSpec) -> list[Finding]:
    """Σ 分值 = 100 and each 一级指标's Σ = its printed 分值, from the first figure: a sum already
    over is told at once; one still short only once every filled indicator has its 分值 (until
    then 绩效-缺分值 says which are missing)."""
    rows = [i for i in form.indicators if filled(i)]
    complete = bool(rows) and all(i.weight is not None for i in rows)
    name, out = form_name(form), []
    s = scores(form, spec)
    want = spec.decimal("total_weight", "100")
    if s.weights > want or (complete and s.weights != want):
        msg = f"{name} 预算执行分值 {format_score(form.execution_weight, None)} 与各指标分值合计为 {format_score(s.weights, None)}，应为 {format_score(want, None)}"
        out.append(make(spec, "绩效-分值合计", form, name, "分值", msg, _cell(form, "fund0", "weight"), want, s.weights))
    for lv in spec.levels:
        if lv.weight is None:
            continue
        mine = [k for k, i in enumerate(form.indicators) if filled(i) and spec.level1(i.level1) is lv]
        have = sum((w for k in mine if (w := form.indicators[k].weight) is not None), ZERO)
        done = complete and all(form.indicators[k].weight is not None for k in mine)
        if mine and (have > lv.weight or (done and have and have != lv.weight)):
            msg = f"{name} {lv.name}各指标分值合计为 {format_score(have, None)}，规定为 {format_score(lv.weight, None)}"
            out.append(make(spec, "绩效-分值小计", form, name, "分值", msg, _cell(form, f"ind{mine[0]}", "weight"), lv.weight, have))
    return out


def _check_total(form: Form, spec: PerformanceSpec) -> list[Finding]:
    s, name, out = scores(form, spec), form_name(form), []
    if form.stated_total is not None and s.total is not None and form.stated_total != s.total:
        msg = (f"{name} 表中总分为 {format_score(form.stated_total)}，预算执行得分 {format_score(s.execution)} + 指标得分 "
               f"{format_score(s.indicators, None)} = {format_score(s.total)}")
        out.append(make(spec, "绩效-总分", form, name, "总分", msg, _cell(form, "head", "total"), s.total, form.stated_total))
    if form.stated_grade.strip() and s.total is not None:
        stated = grade_name(form.stated_grade, spec)
        if stated != s.grade:
            msg = f"{name} 评价等次写的是“{form.stated_grade}”，总分 {format_score(s.total)} 应为“{s.grade}”"
            out.append(make(spec, "绩效-等次", form, name, "评价等次", msg, _cell(form, "head", "grade")))
    return out
