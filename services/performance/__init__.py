"""绩效自评 (performance self-evaluation): the 附件 forms of a department-year, their rules and texts.

A department publishes, as 第五部分 附件, a 部门整体支出绩效自评表 and one 项目支出绩效自评表 per
project. This package is their core, without Qt: `model` (the forms as data and their JSON, kept in
`Workbook.texts[FORMS_KEY]`), `spec` (the template in ``resources/templates/performance/``),
`scoring` (执行率, 得分, 总分, 等次), `checks` (rules inside a form), `links` (the forms against the
公开 tables, 元 vs 万元), `narrative` (the clerk's 绩效 texts against the forms), `grid` (the
forms as the window edits them), `xlsx` (reading the forms from a workbook).

    forms = load_forms(wb)               # never raises; a damaged document reads as no forms
    save_forms(wb, forms)                # → the JSON, also put in wb.texts[FORMS_KEY]
    check_performance(wb)                # → list[Finding], table "绩效"
"""

from __future__ import annotations

from services.findings import Finding
from services.performance.model import (
    DEPARTMENT_ID,
    FORMS_KEY,
    REPORT_KEY,
    TABLE,
    DepartmentForm,
    FormsError,
    FundRow,
    Indicator,
    PerformanceForms,
    ProjectForm,
    dumps,
    loads,
)
from services.performance.spec import PerformanceSpec, spec_for
from services.workbook import Workbook

__all__ = ["DEPARTMENT_ID", "FORMS_KEY", "REPORT_KEY", "TABLE", "DepartmentForm", "FormsError", "FundRow", "Indicator",
           "PerformanceForms", "ProjectForm", "check_performance", "load_forms", "save_forms", "spec_of"]


def load_forms(wb: Workbook) -> PerformanceForms:
    """The forms stored with the workbook (empty when there are none or they cannot be read)."""
    text = wb.texts.get(FORMS_KEY, "")
    if not text.strip():
        return PerformanceForms()
    try:
        return loads(text)
    except FormsError:
        return PerformanceForms()


def save_forms(wb: Workbook, forms: PerformanceForms) -> str:
    """Put the forms into ``wb.texts`` and return the JSON (the caller persists it, e.g. with
    `EntrySession.edit_forms`)."""
    if not forms.template:
        forms.template = spec_for(wb.year).id
    text = dumps(forms)
    wb.texts[FORMS_KEY] = text
    return text


def spec_of(wb: Workbook, forms: PerformanceForms | None = None) -> PerformanceSpec:
    """The 绩效 template the forms name, else the one for the workbook's year."""
    return spec_for(wb.year, (forms or load_forms(wb)).template or None)


def check_performance(wb: Workbook) -> list[Finding]:
    """Every 绩效 finding of a workbook: each form's own rules, the forms against the 公开 tables,
    the clerk's texts against the forms. Quick and empty when there are no forms."""
    text = wb.texts.get(FORMS_KEY, "")
    if not text.strip():
        return []
    from services.performance.checks import check_form
    from services.performance.findings import make
    from services.performance.links import check_links
    from services.performance.narrative import check_narrative

    try:
        forms = loads(text)
    except FormsError as e:
        spec = spec_for(wb.year)
        return [make(spec, "绩效-数据", None, "绩效自评表", "", f"{e}，绩效自评表无法核对", None)]
    spec = spec_of(wb, forms)
    out: list[Finding] = []
    for form in forms.forms():
        out += check_form(form, spec)
    out += check_links(wb, forms, spec)
    out += check_narrative(wb.texts, forms, spec)
    return out
