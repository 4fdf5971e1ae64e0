"""The 绩效自评 template (绩效自评表模板): settings, grades, indicator names, rules, as data.

The forms' layout, the rounding of 执行率 (seed 002 truncates: 75.186…% → 75.18%), the score
bands of 评价等次, the standard 一级/二级 indicator names, the department form's small tables and
the links to the 公开 tables live in ``resources/templates/performance/*.toml``, which a finance
person can read. This module reads one into a `PerformanceSpec`; the links and the small tables'
rules use the notation of the nine-table templates and are parsed by `services.rules`. The folder
is separate so that `services.templates.all_templates` (nine-table files only) never sees it.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path

from services.rules import Formula, parse_rule
from services.templates import ERROR, TEMPLATE_DIR, WARNING, TemplateError

PERFORMANCE_DIR = TEMPLATE_DIR / "performance"
_LEVELS = {"强制": ERROR, "提示": WARNING, "error": ERROR, "warning": WARNING}
_ROUNDING = {"截位": ROUND_DOWN, "truncate": ROUND_DOWN, "四舍五入": ROUND_HALF_UP, "half_up": ROUND_HALF_UP}


@dataclass(frozen=True)
class Grade:
    name: str
    min: Decimal
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Level1:
    name: str
    weight: Decimal | None
    level2: tuple[str, ...]


@dataclass(frozen=True)
class RuleText:
    id: str
    level: str  # ERROR | WARNING
    text: str


@dataclass(frozen=True)
class Link:
    """A rule between a form field and a 公开 table cell, in the templates' notation."""

    rule: RuleText
    formula: Formula


@dataclass(frozen=True)
class BlockRule:
    rule: RuleText
    formula: Formula


@dataclass(frozen=True)
class Block:
    """A small table of the department form (收入, 支出, 三公, 固定资产): 汇总 row + institutions."""

    id: str
    title: str
    total_row: str
    columns: tuple[str, ...]
    rules: tuple[BlockRule, ...]


@dataclass(frozen=True)
class Statement:
    subject: str  # project | department | projects
    field: str
    pattern: str


@dataclass
class PerformanceSpec:
    id: str
    name: str
    years: list[int]
    settings: dict
    grades: list[Grade]
    levels: list[Level1]
    fund_sources: list[str]
    fund_total_aliases: list[str]
    department_total: str
    print_columns: list[tuple[str, str]]
    tables: dict[str, str]
    project_link: dict
    links: list[Link]
    blocks: list[Block]
    rules: dict[str, RuleText]
    narrative: dict
    statements: list[Statement]
    pdf: dict
    path: Path | None = field(default=None, compare=False)

    # ── settings ───────────────────────────────────────────────────────────
    @property
    def rate_quantum(self) -> Decimal:
        """The rate as a fraction: 2 places of a percentage are 4 places of the fraction."""
        return Decimal(1).scaleb(-(int(self.settings.get("rate_places", 2)) + 2))

    @property
    def rate_mode(self) -> str:
        return _ROUNDING[self.settings.get("rate_rounding", "截位")]

    @property
    def other_rate_mode(self) -> str:
        return ROUND_HALF_UP if self.rate_mode == ROUND_DOWN else ROUND_DOWN

    @property
    def score_quantum(self) -> Decimal:
        return Decimal(1).scaleb(-int(self.settings.get("score_places", 2)))

    @property
    def score_mode(self) -> str:
        return _ROUNDING[self.settings.get("score_rounding", "四舍五入")]

    def setting(self, key: str, default: object = None) -> object:
        return self.settings.get(key, default)

    def decimal(self, key: str, default: str) -> Decimal:
        return Decimal(str(self.settings.get(key, default)))

    def rule(self, rule_id: str) -> RuleText:
        return self.rules.get(rule_id) or RuleText(rule_id, WARNING, rule_id)

    def block(self, block_id: str) -> Block | None:
        return next((b for b in self.blocks if b.id == block_id), None)

    def level1(self, name: str) -> Level1 | None:
        key = strip_zhibiao(name)
        return next((lv for lv in self.levels if strip_zhibiao(lv.name) == key), None)


def strip_zhibiao(name: str) -> str:
    """A level name for comparison: 服务对象满意度指标 and 服务对象满意度 are the same."""
    s = "".join(name.split())
    return s[: -len("指标")] if s.endswith("指标") else s


def _rule_text(rule_id: str, d: dict, where: str) -> RuleText:
    try:
        return RuleText(rule_id, _LEVELS[d["level"]], str(d["text"]))
    except KeyError as e:
        raise TemplateError(f"{where} 规则 {rule_id} 缺少或写错了 {e}") from None


def _formula_rule(d: dict, rules: dict, where: str) -> tuple[RuleText, Formula]:
    """A rule written in the tables' notation (a link or a block rule); its text is registered."""
    formula = parse_rule(d["rule"])
    if not isinstance(formula, Formula):
        raise TemplateError(f"{where} 规则 {d['id']} 不是等式或不等式")
    rt = _rule_text(d["id"], d, where)
    rules[rt.id] = rt
    return rt, formula


def parse_spec(data: dict, path: Path | None = None) -> PerformanceSpec:
    where = path.name if path else "绩效模板"
    try:
        head, funds = data["template"], data["funds"]
        rules = {k: _rule_text(k, v, where) for k, v in data.get("rules", {}).items()}
        links = []
        for d in data.get("link", []):
            links.append(Link(*_formula_rule(d, rules, where)))
        blocks = []
        for b in data.get("department", {}).get("block", []):
            brules = []
            for d in b.get("rules", []):
                brules.append(BlockRule(*_formula_rule(d, rules, where)))
            blocks.append(Block(b["id"], b["title"], b.get("total_row", "汇总"), tuple(b["columns"]), tuple(brules)))
        pl = data.get("project_link", {})
        if pl:
            rules[pl["id"]] = _rule_text(pl["id"], pl, where)
        return PerformanceSpec(
            id=head["id"],
            name=head["name"],
            years=[int(y) for y in head["years"]],
            settings=dict(data.get("settings", {})),
            grades=sorted((Grade(g["name"], Decimal(str(g["min"])), tuple(g.get("aliases", ()))) for g in data["grade"]),
                          key=lambda g: -g.min),
            levels=[Level1(lv["name"], Decimal(str(lv["weight"])) if "weight" in lv else None, tuple(lv["level2"]))
                    for lv in data["level1"]],
            fund_sources=list(funds["sources"]),
            fund_total_aliases=list(funds.get("total_aliases", [])),
            department_total=funds.get("department_total", funds["sources"][0]),
            print_columns=[(c["key"], c["label"]) for c in funds["print_columns"]],
            tables=dict(data.get("tables", {})),
            project_link=dict(pl),
            links=links,
            blocks=blocks,
            rules=rules,
            narrative={k: v for k, v in data.get("narrative", {}).items() if k != "statement"},
            statements=[Statement(s["subject"], s["field"], s["pattern"]) for s in data.get("narrative", {}).get("statement", [])],
            pdf=dict(data.get("pdf", {})),
            path=path,
        )
    except (KeyError, TypeError, ValueError) as e:
        if isinstance(e, TemplateError):
            raise
        raise TemplateError(f"{where} 格式不对：{e!r}") from None


@cache
def all_specs() -> dict[str, PerformanceSpec]:
    """Every bundled 绩效 template, by id."""
    out = {}
    for p in sorted(PERFORMANCE_DIR.glob("*.toml")):
        s = parse_spec(tomllib.loads(p.read_text(encoding="utf-8")), p)
        out[s.id] = s
    return out


def spec_for(year: int, spec_id: str | None = None) -> PerformanceSpec:
    """The template a form names, else the one for ``year`` (the latest earlier one otherwise)."""
    specs = all_specs()
    if spec_id and spec_id in specs:
        return specs[spec_id]
    ordered = sorted(specs.values(), key=lambda s: min(s.years))
    for s in ordered:
        if year in s.years:
            return s
    earlier = [s for s in ordered if min(s.years) <= year]
    return earlier[-1] if earlier else ordered[0]
