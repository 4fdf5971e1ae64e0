"""The clerk's 绩效 texts against the forms (绩效说明与自评表核对).

The 情况说明's 预算绩效情况说明 and the 绩效自评报告 restate the forms: "信访工作经费项目…项目全年
预算数为 236 万元，执行数为 177.14 万元，完成预算的 75.2%". Seed 002's form says 177.44, and the
text's own 75.2% agrees with 177.44, so the text's 177.14 is the typing error: this module finds
such statements and says so. A paragraph is cut at every mention of a project (its name, or the
name without 项目/经费, as clerks shorten it), of the whole department (部门整体…) or of all projects
(共涉及项目…); the statements the template lists (``[[narrative.statement]]``: a field and a
pattern) are looked for in each piece and compared with that subject's form. An amount written in
元 that equals the 万元 figure is a wrong unit ("执行数为 11.66 元"). Findings are warnings.
"""

from __future__ import annotations

import re
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from services.findings import Finding, fmt
from services.money import AmountError, parse_amount, round_cent
from services.performance.findings import form_name, make
from services.performance.model import FORMS_KEY, Form, PerformanceForms, ProjectForm, form_cell
from services.performance.scoring import format_rate, format_score, grade_name, scores
from services.performance.spec import PerformanceSpec

_WAN = Decimal(10000)
_ATTR = {"预算数": "budget", "执行数": "spent"}


def stems(name: str, spec: PerformanceSpec) -> list[str]:
    """A project's name and its shortenings: 全区稳定工作经费 → 全区稳定工作."""
    suffixes = tuple(spec.narrative.get("name_suffixes", ()))
    least = int(spec.narrative.get("min_name", 4))
    out, s = [], "".join(name.split())
    while len(s) >= least and s not in out:
        out.append(s)
        nxt = next((s[: -len(x)] for x in suffixes if s.endswith(x)), s)
        if nxt == s:
            break
        s = nxt
    return [x for x in out if len(x) >= least]


def _anchors(forms: PerformanceForms, spec: PerformanceSpec) -> tuple[re.Pattern | None, dict[str, tuple[str, Form | None]]]:
    by: dict[str, tuple[str, Form | None]] = {}
    for p in forms.projects:
        for s in stems(p.name, spec):
            by.setdefault(s, ("project", p))
    for a in spec.narrative.get("department_anchors", ()):
        by.setdefault(a, ("department", forms.department))
    for a in spec.narrative.get("projects_anchors", ()):
        by.setdefault(a, ("projects", None))
    if not by:
        return None, by
    return re.compile("|".join(re.escape(k) for k in sorted(by, key=len, reverse=True))), by


def check_narrative(texts: dict[str, str], forms: PerformanceForms, spec: PerformanceSpec) -> list[Finding]:
    pattern, by = _anchors(forms, spec)
    if pattern is None:
        return []
    compiled = [(s, re.compile(s.pattern)) for s in spec.statements]
    out: list[Finding] = []
    seen: set[tuple] = set()
    for key in sorted(texts):
        if key == FORMS_KEY or not texts[key]:
            continue
        for para in texts[key].splitlines():
            marks = list(pattern.finditer(para))
            for i, m in enumerate(marks):
                # from the mention to the next one: "共涉及项目 3 个" is read with its anchor
                piece = para[m.start(): marks[i + 1].start() if i + 1 < len(marks) else len(para)]
                subject, form = by[m.group(0)]
                if subject != "projects" and form is None:
                    continue
                found = {s.field: mm for s, mm in ((s, rx.search(piece)) for s, rx in compiled if s.subject == subject) if mm}
                for fld, mm in found.items():
                    f = _compare(key, subject, form, fld, mm, found, forms, spec)
                    if f is not None and (key, f.rule, f.row, f.column, f.actual) not in seen:
                        seen.add((key, f.rule, f.row, f.column, f.actual))
                        out.append(f)
    return out


def _number(text: str) -> Decimal | None:
    try:
        return parse_amount(text)
    except AmountError:
        return None


def _rate_agrees(stated: Decimal, spent: Decimal | None, budget: Decimal | None) -> bool:
    """A rate written with any number of places agrees when rounding or truncating gives it."""
    if spent is None or not budget:
        return False
    places = -stated.as_tuple().exponent if stated.as_tuple().exponent < 0 else 0  # type: ignore[operator]
    exact = spent / budget * 100
    q = Decimal(1).scaleb(-places)
    return stated in {exact.quantize(q, rounding=ROUND_HALF_UP), exact.quantize(q, rounding=ROUND_DOWN)}


def _compare(key: str, subject: str, form: Form | None, fld: str, m: re.Match, found: dict, forms: PerformanceForms,
             spec: PerformanceSpec) -> Finding | None:
    said = _number(m.group("v")) if fld != "等次" else None
    quote = m.group(0)
    if subject == "projects":
        if fld == "项目个数":
            have = Decimal(len(forms.projects))
        else:
            have = sum((p.total_row.spent or Decimal(0) for p in forms.projects if p.total_row), Decimal(0))
        target: Form | None = forms.projects[0] if forms.projects else None
        name, cell = "全部项目", form_cell(target.id, "fund0", "spent") if target else None
        if said is None or _amount_ok(said, m, have, fld):
            return None
        return _finding(spec, key, quote, target, name, fld, cell, have, said, _unit_note(said, m, have))
    assert form is not None
    name, s = form_name(form), scores(form, spec)
    row = form.total_row
    if fld in _ATTR:
        have = getattr(row, _ATTR[fld]) if row else None
        if have is None or said is None:
            return None
        if _amount_ok(said, m, have, fld):
            return None
        cell = form_cell(form.id, "fund0", _ATTR[fld])
        if m.groupdict().get("unit") == "元" and said == round_cent(have):
            msg = f"说明文字“{key}”中写的“{quote}”单位有误：{name}的{fld}为 {fmt(have)} 万元，不是元"
            return make(spec, "绩效-说明", form, name, fld, msg, cell, have, said)
        note = _unit_note(said, m, have)
        rate = found.get("执行率")
        if fld == "执行数" and rate is not None and row is not None:
            r = _number(rate.group("v"))
            if r is not None and _rate_agrees(r, row.spent, row.budget):
                note += f"；文字中的“{rate.group(0)}”与表中执行数 {fmt(row.spent)} 万元相符，文字中的执行数可能写错了"
        return _finding(spec, key, quote, form, name, fld, cell, have, said, note)
    if fld == "执行率":
        if said is None or row is None or _rate_agrees(said, row.spent, row.budget):
            return None
        return _finding(spec, key, quote, form, name, fld, form_cell(form.id, "fund0", "rate"), None, said,
                        f"，表中为 {format_rate(s.rate)}")
    if fld in ("总分", "执行得分"):
        have = s.total if fld == "总分" else s.execution
        if have is None or said is None or said == have:
            return None
        cell = form_cell(form.id, "head", "total") if fld == "总分" else form_cell(form.id, "fund0", "score")
        return _finding(spec, key, quote, form, name, fld, cell, have, said, "")
    if fld == "等次":
        if not s.grade or grade_name(m.group("v"), spec) == s.grade:
            return None
        msg = f"说明文字“{key}”中写的“{quote}”与{name}的总分 {format_score(s.total)} 不符：应为“{s.grade}”"
        return make(spec, "绩效-说明", form, name, "评价等次", msg, form_cell(form.id, "head", "grade"))
    return None


def _amount_ok(said: Decimal, m: re.Match, have: Decimal, fld: str) -> bool:
    if fld == "项目个数":
        return said == have
    if m.groupdict().get("unit") == "元":
        return round_cent(said / _WAN) == round_cent(have)
    return said == round_cent(have)


def _unit_note(said: Decimal, m: re.Match, have: Decimal) -> str:
    if m.groupdict().get("unit") == "元":
        return f"（{fmt(said)} 元即 {fmt(round_cent(said / _WAN))} 万元）"
    return ""


def _finding(spec: PerformanceSpec, key: str, quote: str, form: Form | None, name: str, fld: str, cell, have: Decimal | None,  # noqa: ANN001
             said: Decimal, note: str) -> Finding:
    where = f"{name}的{'项目支出' if isinstance(form, ProjectForm) else '部门整体支出' if form is not None else ''}绩效自评表"
    if name == "全部项目":
        where = "各项目支出绩效自评表合计"
    shown = fmt(have) if have is not None and fld != "项目个数" else (f"{have}" if have is not None else "")
    text = f"{said}%" if fld == "执行率" else f"{said}" if fld == "项目个数" else fmt(said)
    msg = f"说明文字“{key}”中写的“{quote}”与{where}不符：文字为 {text}"
    if have is not None:
        msg += f"，表中为 {shown}"
    return make(spec, "绩效-说明", form, name, fld, msg + note, cell, have, said)
