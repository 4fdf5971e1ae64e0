"""How a 绩效 rule speaks: one `Finding` per problem, in the same type as the tables' findings.

Every 绩效 finding has ``table = "绩效"``, ``table_title`` the form's title (项目支出绩效自评表 /
部门整体支出绩效自评表), ``row`` the project (and indicator), ``column`` the field, and a
``cell`` in the form (`services.performance.model.form_cell`) that the window colours; so they
show in the same findings panel, command line and JSON as the tables' findings. The rule's level
and wording come from the template (``[rules]``).
"""

from __future__ import annotations

from decimal import Decimal

from services.findings import Finding
from services.money import CENT
from services.performance.model import DepartmentForm, Form, Indicator, ProjectForm
from services.performance.spec import PerformanceSpec
from services.workbook import Cell

PROJECT_TITLE = "项目支出绩效自评表"
DEPARTMENT_TITLE = "部门整体支出绩效自评表"
FIELD_NAMES = {"initial": "年初预算数", "budget": "全年预算数", "spent": "全年执行数", "weight": "分值", "rate": "执行率",
               "score": "得分", "level1": "一级指标", "level2": "二级指标", "level3": "三级指标", "target": "年初目标值",
               "actual": "实际完成值", "reason": "偏差原因", "name": "项目名称", "total": "总分", "grade": "评价等次",
               "codes": "功能分类科目", "analysis": "偏差原因分析"}


def form_title(form: Form) -> str:
    return DEPARTMENT_TITLE if isinstance(form, DepartmentForm) else PROJECT_TITLE


def form_name(form: Form) -> str:
    if isinstance(form, ProjectForm):
        return form.name or f"（未命名项目 {form.id}）"
    return "部门整体支出"


def indicator_label(form: Form, i: int, ind: Indicator) -> str:
    """"信访工作经费 · 积案化解效果明显…", "部门整体支出 · 目标4 项目具有可持续性"."""
    name = ind.level3 or ind.level2 or f"第{i + 1}个指标"
    goals = form.goals()
    where = f"目标{goals.index(ind.goal) + 1} " if ind.goal in goals else ""
    return f"{form_name(form)} · {where}{name}"


def make(spec: PerformanceSpec, rule_id: str, form: Form | None, row: str, column: str, message: str, cell: Cell | None,
         expected: Decimal | None = None, actual: Decimal | None = None, cells: tuple[Cell, ...] = ()) -> Finding:
    rule = spec.rule(rule_id)
    diff = None if expected is None or actual is None else actual - expected
    return Finding(
        rule=rule.id,
        severity=rule.level,
        table="绩效",
        table_title=form_title(form) if form is not None else PROJECT_TITLE,
        row=row,
        column=column,
        message=message,
        expected=expected,
        actual=actual,
        difference=diff,
        possible_rounding=diff is not None and diff != 0 and abs(diff) <= CENT,
        cell=cell,
        cells=cells or ((cell,) if cell is not None else ()),
    )
