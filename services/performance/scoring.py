"""Scores (评分): 执行率, 预算执行得分, 总分, 评价等次, and whether an indicator fell short.

执行率 = 全年执行数 ÷ 全年预算数, kept to the template's places with its rounding (seed 002
truncates: 177.44 ÷ 236 = 75.186…% → 75.18%); 预算执行得分 = 分值 × that printed rate, capped at
the 分值 and rounded to two places (20 × 75.18% = 15.036 → 15.04); 总分 = 预算执行得分 + Σ 指标得分;
评价等次 is the highest band whose minimum the 总分 reaches. All `Decimal`.

An indicator *fell short* (偏差) when it lost points, or when its 目标值 and 完成值 are numbers
(``≥95%``, ``≤200 人次``, ``< 5 %``, ``10 件``) and the 完成值 misses the target.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from services.money import ZERO
from services.performance.model import Form, Indicator
from services.performance.spec import PerformanceSpec

HUNDRED = Decimal(100)


def rate_of(spent: Decimal | None, budget: Decimal | None, spec: PerformanceSpec, mode: str | None = None) -> Decimal | None:
    """执行率 as a fraction (0.7518), rounded as the template says (or by ``mode``)."""
    if spent is None or budget is None or budget == 0:
        return None
    return (spent / budget).quantize(spec.rate_quantum, rounding=mode or spec.rate_mode)


def execution_score(weight: Decimal | None, rate: Decimal | None, spec: PerformanceSpec) -> Decimal | None:
    """分值 × 执行率, at most the 分值."""
    if weight is None or rate is None:
        return None
    return (weight * min(rate, Decimal(1))).quantize(spec.score_quantum, rounding=spec.score_mode)


def grade_of(total: Decimal | None, spec: PerformanceSpec) -> str:
    if total is None:
        return ""
    return next((g.name for g in spec.grades if total >= g.min), spec.grades[-1].name if spec.grades else "")


def grade_name(text: str, spec: PerformanceSpec) -> str:
    """A stated 等次 (优秀, 良好 …) as the template's band name; '' when it is none of them."""
    s = "".join(text.split())
    for g in spec.grades:
        if s == g.name or s in g.aliases:
            return g.name
    return ""


@dataclass(frozen=True)
class Scores:
    budget: Decimal | None
    spent: Decimal | None
    rate: Decimal | None
    execution: Decimal | None  # 预算执行得分
    indicators: Decimal  # Σ 指标得分
    total: Decimal | None  # 总分
    weights: Decimal  # Σ 分值 (预算执行 + 指标)
    grade: str


def scores(form: Form, spec: PerformanceSpec) -> Scores:
    row = form.total_row
    budget, spent = (row.budget, row.spent) if row else (None, None)
    rate = rate_of(spent, budget, spec)
    execution = execution_score(form.execution_weight, rate, spec)
    ind = sum((i.score for i in form.indicators if i.score is not None), ZERO)
    weights = (form.execution_weight or ZERO) + sum((i.weight for i in form.indicators if i.weight is not None), ZERO)
    has_scores = any(i.score is not None for i in form.indicators)
    total = None if execution is None and not has_scores else (execution or ZERO) + ind
    return Scores(budget, spent, rate, execution, ind, total, weights, grade_of(total, spec))


def format_rate(rate: Decimal | None) -> str:
    """A rate as printed: 75.18%, 100% (two places, a whole number without them)."""
    if rate is None:
        return ""
    pct = rate * HUNDRED
    if pct == pct.to_integral_value():
        return f"{pct.quantize(Decimal(1))}%"
    return f"{pct.quantize(Decimal('0.01'))}%"


def format_score(d: Decimal | None, places: int | None = 2) -> str:
    """A score: two places (15.04, 94.00); ``places=None`` keeps what was typed (4, 1.78)."""
    if d is None:
        return ""
    if places is None:
        n = d.normalize()
        return f"{n:f}" if n != n.to_integral_value() else f"{n.quantize(Decimal(1))}"
    return f"{d.quantize(Decimal(1).scaleb(-places)):f}"


# ── targets and results ─────────────────────────────────────────────────────
_CMP_WORDS = (("≥", "≥"), (">=", "≥"), ("不少于", "≥"), ("不低于", "≥"), ("大于等于", "≥"), ("≤", "≤"), ("<=", "≤"),
              ("不超过", "≤"), ("不高于", "≤"), ("不大于", "≤"), ("小于等于", "≤"), ("<", "<"), ("小于", "<"), ("低于", "<"),
              (">", ">"), ("大于", ">"), ("高于", ">"))
_NUMBER = re.compile(r"^(?P<num>\d+(?:\.\d+)?)(?P<pct>%)?(?P<unit>[^\d.%]{0,4})$")


@dataclass(frozen=True)
class Measure:
    cmp: str  # ≥ ≤ < > (a plain target means "at least")
    value: Decimal
    percent: bool
    unit: str


def measure(text: str) -> Measure | None:
    """A number with an optional comparison word, % and unit: "≥95%", "≤200 人次", "10 件"."""
    s = "".join(unicodedata.normalize("NFKC", text).split())
    cmp = "≥"
    for word, c in _CMP_WORDS:
        if s.startswith(word):
            cmp, s = c, s[len(word):]
            break
    m = _NUMBER.match(s)
    if not m:
        return None
    return Measure(cmp, Decimal(m.group("num")), bool(m.group("pct")), m.group("unit"))


def misses_target(ind: Indicator) -> bool | None:
    """Whether a numeric 完成值 misses its 目标值; None when they are not comparable numbers."""
    t, a = measure(ind.target), measure(ind.actual)
    if t is None or a is None or t.percent != a.percent:
        return None
    if t.unit and a.unit and t.unit != a.unit:
        return None
    ok = {"≥": a.value >= t.value, "≤": a.value <= t.value, "<": a.value < t.value, ">": a.value > t.value}[t.cmp]
    return not ok


def fell_short(ind: Indicator) -> bool:
    """偏差: points lost, or a numeric target missed."""
    lost = ind.weight is not None and ind.score is not None and ind.score < ind.weight
    return lost or bool(misses_target(ind))
