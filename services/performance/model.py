"""The 绩效自评 forms (绩效自评表) of one department-year, as plain data, and their JSON.

`ProjectForm` is a 项目支出绩效自评表, `DepartmentForm` the 部门整体支出绩效自评表; both hold
资金 rows (`FundRow`: 年初预算数, 全年预算数, 全年执行数 by source), the 预算执行 分值, the
indicator rows (`Indicator`: 一级/二级/三级, 目标值, 完成值, 分值, 得分, 偏差原因) and the texts.
执行率, 得分, 总分 and 等次 are computed by `services.performance.scoring`; what a published or
imported form *stated* for them (``stated_*``) is kept, printed as stated in the PDF (the clerk's
figures are published as entered), and the checks say whether it was right.

The forms are stored as one JSON document in `Workbook.texts` under `FORMS_KEY`, with amounts as
exact decimal strings, so the department file keeps them with no schema change.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from decimal import Decimal, InvalidOperation

from services.money import to_storage
from services.workbook import Cell

FORMS_KEY = "绩效.forms"
#: the 部门整体支出绩效自评报告 (plain text, printed before the department form in 附件)
REPORT_KEY = "绩效.自评报告"
#: the `Finding.table` of every 绩效 finding, and the `Cell.table` of the form cells
TABLE = "绩效"
FORMAT_VERSION = 1
DEPARTMENT_ID = "D"

# Cell columns of a fund row and of an indicator row (for findings and the window).
FUND_COLS = ("initial", "budget", "spent", "weight", "rate", "score")
IND_COLS = ("level1", "level2", "level3", "target", "actual", "weight", "score", "reason")
HEAD_COLS = ("name", "department", "implementer", "codes", "goal_target", "goal_actual", "analysis",
             "improvement", "total", "grade")


def form_cell(form_id: str, part: str, column: str) -> Cell:
    """The cell of a form field, for findings: ``Cell("绩效", "P1:fund0", 2)``."""
    cols = FUND_COLS if part.startswith("fund") else IND_COLS if part.startswith("ind") else HEAD_COLS
    return Cell(TABLE, f"{form_id}:{part}", cols.index(column))


def block_cell(block: str, row: int, col: int) -> Cell:
    """A cell of a department small table (收入, 支出 …): row 0 is 汇总, col is the 栏 (1-based)."""
    return Cell(TABLE, f"{DEPARTMENT_ID}:blk:{block}:{row}", col)


@dataclass
class FundRow:
    """One 资金来源 line: 年度资金总额 (the first), 其中：当年财政拨款, 上年结转资金, 其他资金."""

    source: str
    initial: Decimal | None = None  # 年初预算数
    budget: Decimal | None = None  # 全年预算数
    spent: Decimal | None = None  # 全年执行数


@dataclass
class Indicator:
    """One 三级指标 row; ``goal`` names the 年度目标 it serves (department form only)."""

    level1: str = ""
    level2: str = ""
    level3: str = ""
    target: str = ""  # 年初目标值 (free text: "≥95%", "10 件", "效果明显")
    actual: str = ""  # 实际完成值
    weight: Decimal | None = None  # 分值
    score: Decimal | None = None  # 得分
    reason: str = ""  # 偏差原因及改进措施
    goal: str = ""


@dataclass
class BlockRow:
    """A row of a department small table: ``name`` (局机关, an institution) and its 栏 values."""

    name: str
    values: list[Decimal | None] = field(default_factory=list)


@dataclass
class Form:
    """What both forms share."""

    id: str
    funds: list[FundRow] = field(default_factory=list)
    execution_weight: Decimal | None = Decimal(20)
    goal_target: str = ""  # 年度总体目标（预期目标）
    goal_actual: str = ""  # 实际完成情况
    indicators: list[Indicator] = field(default_factory=list)
    analysis: str = ""  # 偏差大或目标未完成原因分析
    improvement: str = ""  # 改进措施及结果应用方案
    filled_on: str = ""  # 填报日期
    stated_rate: Decimal | None = None  # 执行率 as published, a fraction (0.7518)
    stated_score: Decimal | None = None  # 预算执行得分 as published
    stated_total: Decimal | None = None  # 总分 as published
    stated_grade: str = ""  # 评价等次 as published

    @property
    def total_row(self) -> FundRow | None:
        return self.funds[0] if self.funds else None

    def goals(self) -> list[str]:
        """The 年度目标 names in order of first use."""
        return list(dict.fromkeys(i.goal for i in self.indicators if i.goal))


@dataclass
class ProjectForm(Form):
    """项目支出绩效自评表."""

    name: str = ""
    department: str = ""  # 主管部门
    implementer: str = ""  # 项目实施单位
    #: 功能分类科目 the project is paid under (links it to table 03's 项目支出)
    codes: list[str] = field(default_factory=list)


@dataclass
class DepartmentForm(Form):
    """部门整体支出绩效自评表; ``blocks``: 收入, 支出, 三公, 固定资产 by institution."""

    unit: str = ""  # 单位名称
    blocks: dict[str, list[BlockRow]] = field(default_factory=dict)


@dataclass
class PerformanceForms:
    """All the 绩效 forms of a department-year."""

    template: str = ""
    department: DepartmentForm | None = None
    projects: list[ProjectForm] = field(default_factory=list)

    def forms(self) -> list[Form]:
        return ([self.department] if self.department else []) + list(self.projects)

    def by_id(self, form_id: str) -> Form | None:
        return next((f for f in self.forms() if f.id == form_id), None)

    def new_project_id(self) -> str:
        used = [int(p.id[1:]) for p in self.projects if p.id[1:].isdigit()]
        return f"P{max(used, default=0) + 1}"

    def is_empty(self) -> bool:
        return self.department is None and not self.projects


# ── JSON ────────────────────────────────────────────────────────────────────
class FormsError(ValueError):
    """The stored JSON cannot be read; `str()` is for the clerk."""


def _enc(value: object) -> object:
    if isinstance(value, Decimal):
        return to_storage(value)
    if isinstance(value, list):
        return [_enc(v) for v in value]
    if isinstance(value, dict):
        return {k: _enc(v) for k, v in value.items()}
    if hasattr(value, "__dataclass_fields__"):
        return {f.name: _enc(getattr(value, f.name)) for f in fields(value)}  # type: ignore[arg-type]
    return value


def dumps(forms: PerformanceForms) -> str:
    """The JSON text stored in `Workbook.texts` (same forms → same text)."""
    doc = {"version": FORMAT_VERSION, **_enc(forms)}  # type: ignore[dict-item]
    return json.dumps(doc, ensure_ascii=False, indent=1)


def _dec(v: object) -> Decimal | None:
    if v is None or v == "":
        return None
    try:
        d = Decimal(str(v))
    except InvalidOperation:
        raise FormsError(f"“{v}”不是数字") from None
    if not d.is_finite():
        raise FormsError(f"“{v}”不是数字")
    return d


_DECIMALS = {"initial", "budget", "spent", "weight", "score", "execution_weight", "stated_rate", "stated_score", "stated_total"}


def _build(cls: type, d: dict) -> object:
    kw = {}
    for f in fields(cls):
        if f.name not in d:
            continue
        v = d[f.name]
        if f.name in _DECIMALS:
            v = _dec(v)
        elif f.name == "funds":
            v = [_build(FundRow, x) for x in v]
        elif f.name == "indicators":
            v = [_build(Indicator, x) for x in v]
        elif f.name == "blocks":
            v = {k: [BlockRow(r["name"], [_dec(x) for x in r.get("values", [])]) for r in rows] for k, rows in v.items()}
        elif f.name == "codes":
            v = [str(c) for c in v]
        elif isinstance(v, (int, float)) and not isinstance(v, bool):
            v = str(v)
        kw[f.name] = v
    return cls(**kw)


def loads(text: str) -> PerformanceForms:
    """Forms from their JSON; raises `FormsError` for text that is not such a document."""
    try:
        doc = json.loads(text)
        if not isinstance(doc, dict):
            raise FormsError("不是绩效自评表数据")
        if int(doc.get("version", 1)) > FORMAT_VERSION:
            raise FormsError("绩效自评表数据是更新版本的软件保存的，请升级后再打开")
        dept = doc.get("department")
        return PerformanceForms(
            template=str(doc.get("template", "")),
            department=_build(DepartmentForm, dept) if dept else None,  # type: ignore[arg-type]
            projects=[_build(ProjectForm, p) for p in doc.get("projects", [])],  # type: ignore[misc]
        )
    except FormsError:
        raise
    except (ValueError, TypeError, KeyError, AttributeError) as e:
        raise FormsError(f"绩效自评表数据已损坏（{type(e).__name__}）") from None
