"""绩效自评: the forms as data, every rule firing and quiet, seed 002's forms computing their published
执行率/得分/总分 by themselves, the 177.14 vs 177.44 contradiction of its text, the forms in the PDF's
附件, and a workbook typed from seed 002's forms read back."""

from __future__ import annotations

import copy
import json
import re
import shutil
import subprocess
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.performance import (
    FORMS_KEY,
    REPORT_KEY,
    DepartmentForm,
    FundRow,
    Indicator,
    PerformanceForms,
    ProjectForm,
    check_performance,
    load_forms,
    save_forms,
)
from services.performance.model import BlockRow, FormsError, dumps, form_cell, loads
from services.performance.scoring import format_rate, grade_of, measure, misses_target, rate_of, scores
from services.performance.spec import all_specs, parse_spec, spec_for
from services.templates import all_templates
from services.workbook import Cell
from tests.seed002_performance import PUBLISHED, SEED002_TEXTS, seed002_forms

D = Decimal
ROOT = Path(__file__).resolve().parent.parent
SPEC = spec_for(2020)


def rules(findings) -> list[str]:  # noqa: ANN001
    return [f.rule for f in findings]


@pytest.fixture
def seed_wb(sample_wb):
    """Seed 002's tables (the bundled sample) with its 绩效 forms and texts entered."""
    save_forms(sample_wb, seed002_forms())
    sample_wb.texts.update(SEED002_TEXTS)
    return sample_wb


def with_forms(wb, forms: PerformanceForms):  # noqa: ANN001, ANN201
    save_forms(wb, forms)
    return check_performance(wb)


def project(budget: str = "100", spent: str = "90", inds: list[Indicator] | None = None, **kw) -> ProjectForm:  # noqa: ANN003
    """A consistent project: 20 for execution, 80 over three indicators, all full marks."""
    if inds is None:
        inds = [Indicator("产出指标", "数量指标", "办结率", "100%", "100%", D(40), D(40)),
                Indicator("效益指标", "社会效益指标", "社会稳定", "达成", "达成", D(30), D(30)),
                Indicator("满意度指标", "服务对象满意度指标", "群众满意度", "≥90%", "95%", D(10), D(10))]
    defaults = dict(funds=[FundRow("年度资金总额", None, D(budget), D(spent))], indicators=inds, name="测试项目")
    defaults.update(kw)
    return ProjectForm("P1", **defaults)


def only(findings, rule: str):  # noqa: ANN001, ANN201
    return [f for f in findings if f.rule == rule]


# ── template and model ──────────────────────────────────────────────────────
def test_template_is_data_and_kept_apart_from_the_nine_table_templates():
    assert "performance-2020" in all_specs()
    assert not any(t.startswith("performance") for t in all_templates())
    assert SPEC.settings["rate_rounding"] == "截位" and [g.name for g in SPEC.grades] == ["优", "良", "中", "差"]
    assert [lv.name for lv in SPEC.levels] == ["产出指标", "效益指标", "满意度指标"]
    assert spec_for(2031).id == "performance-2020"  # a later year falls back to the latest template


def test_json_keeps_exact_amounts_as_strings_and_round_trips():
    forms = seed002_forms(stated=True)
    text = dumps(forms)
    doc = json.loads(text)
    assert doc["projects"][0]["funds"][0]["spent"] == "177.44"
    assert doc["projects"][0]["stated_rate"] == "0.7518"
    assert loads(text) == forms
    assert dumps(loads(text)) == text  # same forms → same text (reproducible exchange files)


def test_forms_live_in_workbook_texts_and_survive_the_department_file(sample_wb, make_department_file):
    from services.store import DepartmentFile

    save_forms(sample_wb, seed002_forms())
    assert FORMS_KEY in sample_wb.texts
    path = make_department_file(sample_wb)
    with DepartmentFile.open(path) as f:
        back = f.load(2020)
    assert load_forms(back) == load_forms(sample_wb)


def test_damaged_document_reads_as_no_forms_and_is_reported(sample_wb):
    sample_wb.texts[FORMS_KEY] = "{not json"
    assert load_forms(sample_wb).is_empty()
    [f] = check_performance(sample_wb)
    assert f.rule == "绩效-数据" and f.is_error
    with pytest.raises(FormsError):
        loads('{"version": 99}')


def test_no_forms_no_findings_and_quick(sample_wb):
    assert check_performance(sample_wb) == []


# ── seed 002 computes its published figures ─────────────────────────────────
@pytest.mark.parametrize("name", list(PUBLISHED))
def test_seed002_forms_compute_the_published_rate_score_and_total(name):
    forms = seed002_forms()
    form = forms.department if name == "部门整体" else next(p for p in forms.projects if p.name == name)
    s = scores(form, SPEC)
    rate, score, total = PUBLISHED[name]
    assert format_rate(s.rate) == rate
    assert s.execution == score
    assert s.total == total
    assert s.weights == 100
    assert s.grade == "优"


def test_seed002_truncates_its_rates_where_rounding_would_differ():
    assert rate_of(D("177.44"), D(236), SPEC) == D("0.7518")  # 75.186…% truncated
    assert rate_of(D("11.66"), D(12), SPEC) == D("0.9716")  # 97.166…%
    half_up = parse_spec({**_raw_spec(), "settings": {**_raw_spec()["settings"], "rate_rounding": "四舍五入"}})
    assert rate_of(D("177.44"), D(236), half_up) == D("0.7519")


def _raw_spec() -> dict:
    import tomllib

    return tomllib.loads((ROOT / "resources/templates/performance/performance-2020.toml").read_text(encoding="utf-8"))


def test_seed002_as_published_reconciles_except_its_real_mistakes(seed_wb):
    save_forms(seed_wb, seed002_forms(stated=True))
    found = check_performance(seed_wb)
    assert not [f for f in found if f.is_error]
    # the text's 177.14 against the form's 177.44, the text's "11.66 元", and the department form's
    # 目标4 可持续性 that lost a point without a word in its 偏差原因分析
    assert sorted((f.rule, f.row, f.column) for f in found) == [
        ("绩效-偏差原因", "部门整体支出 · 目标4 项目具有可持续性", "偏差原因"),
        ("绩效-说明", "信访工作经费", "执行数"),
        ("绩效-说明", "局机关运行保障工作经费项目", "执行数"),
    ]


def test_the_177_14_versus_177_44_contradiction_is_flagged_with_its_evidence(seed_wb):
    [f] = [f for f in check_performance(seed_wb) if f.row == "信访工作经费"]
    assert f.table == "绩效" and f.table_title == "项目支出绩效自评表" and f.severity == "warning"
    assert f.actual == D("177.14") and f.expected == D("177.44") and f.difference == D("-0.30")
    assert "说明.预算绩效" in f.message and "执行数为 177.14 万元" in f.message
    assert "75.2%" in f.message and "相符" in f.message  # the text's own rate agrees with the form
    assert f.cell == form_cell("P1", "fund0", "spent")


def test_text_written_in_yuan_for_a_wan_figure_is_named(seed_wb):
    [f] = [f for f in check_performance(seed_wb) if f.row == "局机关运行保障工作经费项目"]
    assert "11.66 元" in f.message and "单位有误" in f.message


def test_department_statements_agree_and_a_changed_one_is_flagged(seed_wb):
    report = seed_wb.texts[REPORT_KEY]
    assert not [f for f in check_performance(seed_wb) if f.row == "部门整体支出" and f.rule == "绩效-说明"]
    seed_wb.texts[REPORT_KEY] = report.replace("得分为94.98", "得分为95.98").replace("等级为优秀", "等级为良好")
    found = [f for f in check_performance(seed_wb) if f.rule == "绩效-说明" and f.row == "部门整体支出"]
    assert sorted(f.column for f in found) == ["总分", "评价等次"]
    seed_wb.texts[REPORT_KEY] = report.replace("实际支出 7,071,155.35 元", "实际支出 7,171,155.35 元")
    [f] = [f for f in check_performance(seed_wb) if f.rule == "绩效-说明" and f.row == "部门整体支出"]
    assert "即 717.12 万元" in f.message


def test_all_projects_statement(seed_wb):
    text = seed_wb.texts["说明.预算绩效"]
    seed_wb.texts["说明.预算绩效"] = text.replace("共涉及项目 3 个，资金 374.1 万元", "共涉及项目 4 个，资金 374.4 万元")
    found = [f for f in check_performance(seed_wb) if f.row == "全部项目"]
    assert sorted(f.column for f in found) == ["执行数", "项目个数"]


# ── rules inside a form ─────────────────────────────────────────────────────
def test_a_consistent_project_is_quiet(sample_wb):
    assert with_forms(sample_wb, PerformanceForms(projects=[project()])) == []


def test_required_fields_of_a_new_project(sample_wb):
    found = with_forms(sample_wb, PerformanceForms(projects=[ProjectForm("P1", funds=[FundRow("年度资金总额")])]))
    assert sorted(f.column for f in only(found, "绩效-必填")) == sorted(["全年执行数", "全年预算数", "三级指标", "项目名称"])


def test_fund_sources_must_add_up():
    p = project(funds=[FundRow("年度资金总额", None, D(100), D(90)), FundRow("其中：当年财政拨款", None, D(80), D(70)),
                       FundRow("上年结转资金", None, D(20), D(10))])
    from services.performance.checks import check_form

    [f] = only(check_form(p, SPEC), "绩效-资金合计")
    assert f.column == "全年执行数" and f.expected == 80 and f.actual == 90 and f.is_error
    p.funds[2].spent = D(20)
    assert not only(check_form(p, SPEC), "绩效-资金合计")


@pytest.mark.parametrize(("stated", "rule"), [("0.7518", None), ("0.7519", "绩效-执行率取舍"), ("0.7600", "绩效-执行率")])
def test_stated_rate_matching_the_template_the_other_rounding_or_neither(stated, rule):
    from services.performance.checks import check_form

    p = project("236", "177.44", stated_rate=D(stated))
    got = [r for r in rules(check_form(p, SPEC)) if r.startswith("绩效-执行率")]
    assert got == ([rule] if rule else [])
    if rule == "绩效-执行率":
        assert check_form(p, SPEC)[0].is_error


def test_execution_score_is_weight_times_printed_rate_capped_at_the_weight():
    from services.performance.checks import check_form

    assert scores(project("236", "177.44"), SPEC).execution == D("15.04")  # 20 × 75.18% = 15.036
    assert scores(project("100", "120"), SPEC).execution == D(20)  # 120%: no more than the 分值
    assert not only(check_form(project("236", "177.44", stated_score=D("15.04")), SPEC), "绩效-执行得分")
    [f] = only(check_form(project("236", "177.44", stated_score=D("15.03")), SPEC), "绩效-执行得分")
    assert f.expected == D("15.04") and f.is_error


def test_spent_without_budget(sample_wb):
    from services.performance.checks import check_form

    [f] = only(check_form(project(funds=[FundRow("年度资金总额", None, None, D(5))]), SPEC), "绩效-无预算数")
    assert f.column == "全年预算数"


def test_indicator_scores_weights_and_total():
    from services.performance.checks import check_form

    p = project()
    p.indicators[0].score = D(41)
    assert rules(check_form(p, SPEC)).count("绩效-得分超分值") == 1
    p.indicators[0].score = D(-1)
    assert "绩效-得分为负" in rules(check_form(p, SPEC))
    p = project()
    p.indicators[1].weight = D(26)
    found = check_form(p, SPEC)
    [f] = only(found, "绩效-分值合计")
    assert f.actual == D(96) and f.is_error
    assert only(found, "绩效-分值小计")[0].column == "分值"  # 效益指标 26, the template says 30
    p = project(stated_total=D("99.00"))
    [f] = only(check_form(p, SPEC), "绩效-总分")
    assert f.expected == D("98.00") and f.is_error  # 20 × 90% = 18 + 80


def test_missing_weight_on_a_scored_form_but_not_on_an_unscored_one():
    from services.performance.checks import check_form

    p = project()
    p.indicators[2].weight = None
    assert only(check_form(p, SPEC), "绩效-缺分值")[0].column == "分值"
    unscored = project(inds=[Indicator("产出指标", "质量指标", "群众信访按期办结率", "≥95%", "100%")], stated_total=D(96))
    assert not only(check_form(unscored, SPEC), "绩效-缺分值")


@pytest.mark.parametrize(("total", "grade"), [("100", "优"), ("90", "优"), ("89.99", "良"), ("80", "良"), ("79.99", "中"),
                                             ("60", "中"), ("59.99", "差"), ("0", "差")])
def test_grade_bands(total, grade):
    assert grade_of(D(total), SPEC) == grade


def test_stated_grade_must_follow_the_total():
    from services.performance.checks import check_form

    dept = DepartmentForm("D", funds=[FundRow("部门整体支出总额", None, D(100), D(100))], indicators=project().indicators,
                          stated_grade="良好")
    [f] = only(check_form(dept, SPEC), "绩效-等次")
    assert "“优”" in f.message and f.is_error
    dept.stated_grade = "优秀"
    assert not only(check_form(dept, SPEC), "绩效-等次")


def test_indicator_names_are_the_standard_ones():
    from services.performance.checks import check_form

    p = project()
    p.indicators[0].level1 = "项目完成指标"  # seed 004's word
    p.indicators[1].level2 = "数量指标"  # not a 效益 二级
    p.indicators[2].level2 = "服务对象满意度"  # the seed's spelling: fine
    found = only(check_form(p, SPEC), "绩效-指标名称")
    assert [f.column for f in found] == ["一级指标", "二级指标"] and all(f.severity == "warning" for f in found)


def test_deviation_needs_a_reason():
    from services.performance.checks import check_form

    p = project()
    p.indicators[1] = Indicator("效益指标", "社会效益指标", "个别群体问题化解效果", "效果明显", "欠明显", D(30), D(20))
    [f] = only(check_form(p, SPEC), "绩效-偏差原因")
    assert f.cell == form_cell("P1", "ind1", "reason") and "未得满分" in f.message
    p.indicators[1].reason = "诉求超过政策法规界限"
    assert not only(check_form(p, SPEC), "绩效-偏差原因")
    p.indicators[1].reason = ""
    p.analysis = "个别群体问题成因复杂，化解效果欠明显。"  # quotes the indicator's name
    assert not only(check_form(p, SPEC), "绩效-偏差原因")
    p.analysis = "预算执行率较低。"
    assert only(check_form(p, SPEC), "绩效-偏差原因")


def test_a_missed_numeric_target_needs_a_reason_and_no_full_marks():
    from services.performance.checks import check_form

    p = project()
    p.indicators[2] = Indicator("满意度指标", "服务对象满意度指标", "群众满意度", "≥95%", "90%", D(10), D(10))
    assert sorted(rules(check_form(p, SPEC))) == ["绩效-偏差原因", "绩效-满分未达标"]


@pytest.mark.parametrize(("target", "actual", "missed"), [
    ("≥95%", "99.43%", False), ("≥95%", "90%", True), ("≤200 人次", "108 人次", False), ("< 5 %", "15.45 %", True),
    ("< 5 %", "0 %", False), ("10", "11", False), ("10 件", "9 件", True), ("不少于 120 件", "125 件", False),
    ("248 天", "248 天", False), ("效果明显", "欠明显", None), ("100%", "11", None), ("10 件", "10 人", None)])
def test_targets_and_results(target, actual, missed):
    assert misses_target(Indicator(target=target, actual=actual)) is missed


@given(st.text(max_size=30))
def test_measure_never_raises(text):
    measure(text)


@settings(max_examples=200)
@given(st.decimals(min_value=D("0.01"), max_value=D("99999"), places=2), st.decimals(min_value=D("0.01"), max_value=D("99999"), places=2))
def test_truncation_never_exceeds_rounding_and_they_differ_by_at_most_one_step(spent, budget):
    down = rate_of(spent, budget, SPEC)
    from decimal import ROUND_HALF_UP

    up = rate_of(spent, budget, SPEC, ROUND_HALF_UP)
    assert down <= up <= down + SPEC.rate_quantum


@settings(max_examples=50)
@given(st.lists(st.tuples(st.text(max_size=8), st.decimals(min_value=0, max_value=100, places=2), st.text(max_size=10)), max_size=6))
def test_any_forms_round_trip_through_json(rows):
    forms = PerformanceForms("performance-2020", None, [project(inds=[Indicator("产出指标", "数量指标", n, t, t, w, w) for n, w, t in rows])])
    assert loads(dumps(forms)) == forms


# ── the forms against the tables ────────────────────────────────────────────
def test_projects_sharing_codes_are_compared_together_with_table_03(seed_wb):
    assert not only(check_performance(seed_wb), "绩效-项目对支出表")  # 177.44 + 185 + 11.66 = 369.83 + 1.27 + 3
    forms = seed002_forms()
    forms.projects[1].funds[0].spent = D(180)
    [f] = only(with_forms(seed_wb, forms), "绩效-项目对支出表")
    assert f.row == "信访工作经费、全区稳定工作经费、局机关运行保障工作经费项目" and f.severity == "warning"
    assert f.actual == D("369.10") and f.expected == D("374.10")
    assert Cell("03", "2010308", 3) in f.cells


def test_a_code_missing_from_table_03_is_named_on_the_codes_field(seed_wb):
    forms = seed002_forms()
    forms.projects[2].codes.append("2130504")
    [f] = only(with_forms(seed_wb, forms), "绩效-项目对支出表")
    assert "2130504" in f.message and f.cell == form_cell("P3", "head", "codes")


def test_a_project_in_yuan_is_found_as_seed_004_prints_it(sample_wb):
    # seed 004: "预算数: 80000 / 执行数: 80000" in a 万元 form, for a project of 8 万元
    p = project("80000", "80000", codes=["2010308"])
    found = with_forms(sample_wb, PerformanceForms(projects=[p]))
    unit = only(found, "绩效-金额单位")
    assert {f.column for f in unit} == {"全年预算数", "全年执行数"}
    assert all("应为 8.00 万元" in f.message for f in unit)
    assert not only(found, "绩效-项目对支出表")  # said once, as a unit problem
    # exactly 10,000 × the table's figure for its code, even when not huge
    wb = sample_wb
    p = project("3698300", "3698300", codes=["2010308"])
    [f] = [f for f in with_forms(wb, PerformanceForms(projects=[p])) if f.rule == "绩效-金额单位" and f.column == "全年执行数"]
    assert "10,000.00 倍" in f.message


def test_department_form_against_table_03(seed_wb):
    assert not only(check_performance(seed_wb), "绩效-整体对支出表")
    forms = seed002_forms()
    forms.department.funds[0].spent = D("700.12")
    [f] = only(with_forms(seed_wb, forms), "绩效-整体对支出表")
    assert f.expected == D("707.12") and "公开03表" in f.message and f.column == "全年执行数"


def _seed001_blocks(dept: DepartmentForm) -> None:
    """岳阳云溪区 2022 (seed 001): 收支 by institution, 三公 (its 合计 is the 预算 1.2, its items the 0.04 spent)."""
    dept.blocks = {
        "收入": [BlockRow("局机关及二级机构汇总", [D("273.09"), D(0), D("259.16"), D(0), D(0), D("13.93")]),
                BlockRow("1、局机关", [D("273.09"), D(0), D("259.16"), D(0), D(0), D("13.93")])],
        "支出": [BlockRow("局机关及二级机构汇总", [D("273.09"), D("140.00"), D("128.80"), D("11.20"), D("133.09"), D(0), D(0)]),
                BlockRow("1、局机关", [D("273.09"), D("140.00"), D("128.80"), D("11.20"), D("133.09"), D(0), D(0)])],
        "三公": [BlockRow("局机关及二级机构汇总", [D("1.2"), D("0.04"), D(0), D(0), D(0)]),
                BlockRow("1、局机关", [D("1.2"), D("0.04"), D(0), D(0), D(0)])],
        "固定资产": [BlockRow("局机关及二级机构汇总", [D("99.32"), D("99.32"), D(0), D(0)])],
    }


def test_department_small_tables_find_seed_001s_three_public_mistake():
    from services.performance.links import _blocks

    dept = DepartmentForm("D")
    _seed001_blocks(dept)
    found = _blocks(dept, SPEC)
    assert [(f.rule, f.row) for f in found] == [("绩效-三公合计", "“三公”经费（万元） 局机关及二级机构汇总"),
                                               ("绩效-三公合计", "“三公”经费（万元） 1、局机关")]
    assert found[0].expected == D("0.04") and found[0].is_error
    dept.blocks["三公"][0].values[0] = dept.blocks["三公"][1].values[0] = D("0.04")
    dept.blocks["支出"][1].values[1] = D("139.00")
    found = _blocks(dept, SPEC)
    assert sorted(f.rule for f in found) == ["绩效-基本支出", "绩效-支出合计", "绩效-机构汇总"]


def test_department_small_tables_against_the_published_tables(sample_wb, seed003_wb):
    dept = DepartmentForm("D", funds=[FundRow("部门整体支出总额", None, D("707.89"), D("707.12"))])
    dept.blocks = {"收入": [BlockRow("汇总", [D("707.12")])], "支出": [BlockRow("汇总", [D("707.12"), D("333.02"), None, None, D("374.1")])]}
    found = with_forms(sample_wb, PerformanceForms(department=dept))
    assert not [f for f in found if f.rule.endswith(("对总表", "对支出表"))]
    dept.blocks["支出"][0].values[4] = D("370")
    [f] = only(with_forms(sample_wb, PerformanceForms(department=dept)), "绩效-项目支出对支出表")
    assert f.expected == D("374.1") and "支出 项目支出" in f.column
    # 2023 (seed 003): 三公 is table 09 there; the template names the table by role, not number
    dept = DepartmentForm("D")
    dept.blocks = {"三公": [BlockRow("汇总", [D(0)])]}
    [f] = only(with_forms(seed003_wb, PerformanceForms(department=dept)), "绩效-三公对三公表")
    assert any(c.table == "09" for c in f.cells)


@pytest.fixture
def seed003_wb():
    from tests.seed003 import seed003

    return seed003()


# ── the PDF's 附件 ───────────────────────────────────────────────────────────
def _pdf_text(path: Path) -> str:
    from tests.test_pdf import pdf_text

    return re.sub(r"\s+", "", pdf_text(path))


def test_attachment_pdf_prints_the_department_and_every_project_form(seed_wb, tmp_path):
    from services.pdf.performance import performance_pdf

    pages = performance_pdf(seed_wb, str(tmp_path / "附件.pdf"))
    text = _pdf_text(tmp_path / "附件.pdf")
    assert pages >= 5
    for s in ("第五部分", "2020年度武汉市汉阳区信访局部门整体绩效自评表", "2020年度信访工作经费项目自评表",
              "2020年度全区稳定工作经费项目自评表", "2020年度局机关运行保障工作经费项目自评表",
              "75.18%", "15.04", "91.04", "97.16%", "19.43", "99.21", "99.89%", "19.98", "94.98",
              "产出指标（40分）", "数量指标（16", "年度目标1：（11分）", "积案化解效果明显", "一、自评结论"):
        assert s in text, s


def test_full_document_prints_the_forms_in_its_attachments(seed_wb, tmp_path, monkeypatch):
    """Through the hook proposed for `services.pdf.document.build` (installed here if the lead has not yet)."""
    import inspect

    from services.pdf import document, export_pdf
    from services.pdf.performance import attachment_flowables

    plain = copy.deepcopy(seed_wb)
    del plain.texts[FORMS_KEY], plain.texts[REPORT_KEY]
    without = export_pdf(plain, tmp_path / "without.pdf").pages
    if "attachment_flowables" not in inspect.getsource(document.build):
        original = document.block_flowables

        def hooked(blocks, styles, width, charts):  # noqa: ANN001, ANN202
            if blocks and blocks[0].kind == "part" and "附件" in blocks[0].toc[1]:
                return attachment_flowables(seed_wb, blocks, styles, width, charts)
            return original(blocks, styles, width, charts)

        monkeypatch.setattr(document, "block_flowables", hooked)
    res = export_pdf(seed_wb, tmp_path / "with.pdf")
    assert res.pages >= without + 5
    text = _pdf_text(tmp_path / "with.pdf")
    assert "2020年度信访工作经费项目自评表" in text and "收入支出决算总表" in text
    assert text.index("收入支出决算总表") < text.index("2020年度信访工作经费项目自评表")
    if shutil.which("pdffonts"):
        fonts = subprocess.run(["pdffonts", str(tmp_path / "with.pdf")], capture_output=True, text=True, check=True).stdout
        assert "Helvetica" not in fonts


def test_no_forms_print_visible_placeholders(sample_wb, tmp_path):
    from services.pdf.performance import performance_pdf

    performance_pdf(sample_wb, str(tmp_path / "empty.pdf"))
    text = _pdf_text(tmp_path / "empty.pdf")
    assert "【请填写：部门整体支出绩效自评报告】" in text and "【请填写：项目支出绩效自评表" in text


def test_printed_layout_spans_groups_as_the_seed():
    from services.performance.layout import form_grid

    g = form_grid(seed002_forms().projects[0], SPEC, 2020, "武汉市汉阳区信访局")
    texts = [t for row in g.rows for t, _ in row]
    assert "产出指标（40分）" in texts and "效益指标（30分）" in texts and "满意度指标（10分）" in texts
    assert "质量指标（16分）" in texts and "得分（20分*执行率）" in texts
    assert texts.count("产出指标（40分）") == 1  # once, spanning its ten rows
    assert any(c1 == c0 == 1 and r1 - r0 == 9 for c0, r0, c1, r1 in g.spans)


# ── Excel: a workbook typed from seed 002's forms ───────────────────────────
def _write_form(ws, row: int, form, title: str) -> int:  # noqa: ANN001
    """Lay a form out as seed 002 prints it (columns A–H, merged labels, no per-indicator 分值)."""
    def put(r, c, v, to=None):  # noqa: ANN001, ANN202
        ws.cell(r, c, v)
        if to:
            ws.merge_cells(start_row=r, start_column=c, end_row=to[0], end_column=to[1])

    put(row, 1, title, (row, 8))
    put(row + 1, 1, f"单位名称：{getattr(form, 'implementer', '') or getattr(form, 'unit', '')}")
    put(row + 1, 6, f"填报日期：{form.filled_on}")
    r = row + 2
    if isinstance(form, ProjectForm):
        put(r, 1, "项目名称", (r, 2)), put(r, 3, form.name, (r, 8))
        put(r + 1, 1, "主管部门", (r + 1, 2)), put(r + 1, 3, form.department, (r + 1, 4))
        put(r + 1, 5, "项目实施单位"), put(r + 1, 6, form.implementer, (r + 1, 8))
        put(r + 2, 1, "项目类别", (r + 2, 2)), put(r + 2, 3, "1、部门预算项目 √    2、市直专项 □", (r + 2, 8))
        r += 3
        put(r, 1, "预算执行情况 (万元) (20 分)", (r + 1, 2))
        source = "年度财政资金总额"
    else:
        put(r, 1, "单位名称：", (r, 2)), put(r, 3, form.unit, (r, 5)), put(r, 6, "项目支出总额"), put(r, 7, "7,071,155.35")
        r += 1
        put(r, 1, "项目执行情况 (万元) (20 分)", (r + 1, 2))
        source = "部门整体支出总额"
    put(r, 4, "预算数（A）"), put(r, 5, "执行数（B）"), put(r, 6, "执行率（B/A）"), put(r, 7, "得分 (20 分*执行率)")
    put(r + 1, 3, source)
    put(r + 1, 4, float(form.funds[0].budget)), put(r + 1, 5, float(form.funds[0].spent))
    if isinstance(form, ProjectForm):
        put(r + 1, 6, format_rate(form.stated_rate))  # typed as text, "75.18%"
    else:
        put(r + 1, 6, float(form.stated_rate))
        ws.cell(r + 1, 6).number_format = "0.00%"
    put(r + 1, 7, float(form.stated_score))
    r += 2
    header = ["一级指标", "二级指标", "三级指标", None, "年初目标值 (A)", "实际完成值 (B)", "得分"]
    goals = form.goals() or [""]
    first_header = True
    for n, goal in enumerate(goals, 1):
        members = [i for i in form.indicators if i.goal == goal]
        if goal:
            w = sum(i.weight for i in members)
            put(r, 1, f"年度目标 {n}： ({w} 分)"), put(r, 2, goal, (r, 8))
            r += 1
        if first_header:
            put(r, 1, "年度绩效目标 (80 分)" if not goal else None)
            for c, h in enumerate(header, 2):
                if h:
                    put(r, c, h)
            ws.merge_cells(start_row=r, start_column=4, end_row=r, end_column=5)
            r += 1
            first_header = False
        start = r
        for k, ind in enumerate(members):
            put(r, 4, ind.level3, (r, 5)), put(r, 6, ind.target), put(r, 7, ind.actual), put(r, 8, float(ind.score))
            for col, key in ((2, lambda i: i.level1), (3, lambda i: (i.level1, i.level2))):
                if k == 0 or key(members[k - 1]) != key(ind):
                    run = [m for m in members[k:]]
                    j = 0
                    while j + 1 < len(run) and key(run[j + 1]) == key(ind):
                        j += 1
                    w = sum(m.weight for m in run[: j + 1])
                    name = ind.level1 if col == 2 else ind.level2
                    put(r, col, f"{name} ({w} 分)", (r + j, col) if j else None)
            r += 1
        put(start, 1, "年度绩效指标" if goal else None)
    put(r, 1, "总分", (r, 2)), put(r, 3, float(form.stated_total), (r, 8))
    put(r + 1, 1, "偏差大或目标未完成原因分析", (r + 1, 2)), put(r + 1, 3, form.analysis, (r + 1, 8))
    put(r + 2, 1, "改进措施及结果应用方案", (r + 2, 2)), put(r + 2, 3, form.improvement or None, (r + 2, 8))
    return r + 4


@pytest.fixture
def seed002_xlsx(tmp_path) -> Path:
    """The bundled sample workbook (the nine tables) plus two sheets typed from seed 002's 绩效 forms."""
    from openpyxl import load_workbook

    path = tmp_path / "汉阳区信访局_2020_含绩效.xlsx"
    shutil.copy(ROOT / "resources/samples/武汉市汉阳区信访局_2020.xlsx", path)
    book = load_workbook(path)
    forms = seed002_forms(stated=True)
    ws = book.create_sheet("附件1 项目自评表")
    ws.cell(1, 1, "附件 1：项目支出绩效自评表")
    row = 3
    for p in forms.projects:
        row = _write_form(ws, row, p, f"2020 年度{p.name}项目自评表")
    ws = book.create_sheet("整体")
    _write_form(ws, 2, forms.department, "2020 年度武汉市汉阳区信访局部门整体绩效自评表")
    book.save(path)
    return path


def test_import_reads_seed002s_typed_forms_with_their_weights(seed002_xlsx):
    from services.performance.xlsx import import_performance

    res = import_performance(seed002_xlsx)
    want = seed002_forms(stated=True)
    got = res.forms
    assert [p.name for p in got.projects] == [p.name for p in want.projects]
    for g, w in zip(got.forms(), want.forms()):
        assert g.funds[0].budget == w.funds[0].budget and g.funds[0].spent == w.funds[0].spent
        assert (g.stated_rate, g.stated_score, g.stated_total) == (w.stated_rate, w.stated_score, w.stated_total)
        assert [(i.level1, i.level2, i.level3, i.target, i.actual, i.weight, i.score, i.goal) for i in g.indicators] == \
               [(i.level1, i.level2, i.level3, i.target, i.actual, i.weight, i.score, i.goal) for i in w.indicators]
        assert g.analysis == w.analysis
    assert got.projects[0].department == "武汉市汉阳区信访局" and got.projects[0].filled_on == "2021/5/13"
    assert got.department.unit == "武汉市汉阳区信访局" and len(got.department.goals()) == 5
    assert any("推算" in n for n in res.notes)
    assert set(res.found) == {"2020 年度信访工作经费项目自评表", "2020 年度全区稳定工作经费项目自评表",
                              "2020 年度局机关运行保障工作经费项目项目自评表", "2020 年度武汉市汉阳区信访局部门整体绩效自评表"}


def test_imported_forms_check_as_published(seed002_xlsx):
    from services.performance.xlsx import import_performance
    from services.xlsx_import import import_xlsx

    wb = import_xlsx(seed002_xlsx).workbook  # the 绩效 sheets do not disturb the nine tables' import
    assert wb.get(Cell("03", "2010308", 3)) == D("369.83")
    forms = import_performance(seed002_xlsx).forms
    forms.projects[0].codes = ["2010308"]
    save_forms(wb, forms)
    wb.texts.update(SEED002_TEXTS)
    found = check_performance(wb)
    assert not [f for f in found if f.is_error]
    assert [f.row for f in found if "177.14" in f.message] == ["信访工作经费"]


def test_import_finds_a_wrong_stated_rate(tmp_path):
    from openpyxl import Workbook as XlBook

    from services.performance.xlsx import import_performance

    book = XlBook()
    ws = book.active
    p = replace(seed002_forms(stated=True).projects[0], stated_rate=D("0.7519"))
    _write_form(ws, 1, p, "信访工作经费项目支出绩效自评表")
    book.save(tmp_path / "x.xlsx")
    [form] = import_performance(tmp_path / "x.xlsx").forms.projects
    from services.performance.checks import check_form

    assert "绩效-执行率取舍" in rules(check_form(form, SPEC))


def test_forms_are_not_changed_by_reading_them(seed_wb):
    before = copy.deepcopy(seed_wb.texts)
    check_performance(seed_wb)
    assert seed_wb.texts == before


# ── the design card ─────────────────────────────────────────────────────────
def test_the_performance_core_imports_no_qt_reportlab_or_openpyxl():
    import sys

    code = ("import services.performance, services.performance.checks, services.performance.links, "
            "services.performance.narrative, services.performance.grid, services.performance.layout, "
            "services.performance.xlsx\nimport sys; print('\\n'.join(sys.modules))")
    mods = set(subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split())
    for heavy in ("PySide6", "reportlab", "openpyxl", "sqlalchemy"):
        assert not any(m.startswith(heavy) for m in mods), heavy


def test_no_float_in_the_performance_core():
    for p in (ROOT / "services" / "performance").glob("*.py"):
        assert "float(" not in p.read_text(encoding="utf-8"), p.name


def test_findings_go_to_the_command_line_as_json(seed_wb):
    out = [f.as_json() for f in check_performance(seed_wb)]
    assert json.loads(json.dumps(out, ensure_ascii=False))
    [f] = [f for f in out if f["row"] == "信访工作经费"]
    assert f["table"] == "绩效" and f["actual"] == "177.14" and f["cell"] == ["绩效", "P1:fund0", 2]


def test_what_the_attachments_still_lack(sample_wb):
    from services.performance.layout import missing

    assert len(missing(sample_wb, load_forms(sample_wb))) == 3
    save_forms(sample_wb, seed002_forms())
    sample_wb.texts[REPORT_KEY] = "一、自评结论"
    assert missing(sample_wb, load_forms(sample_wb)) == []


def test_score_rules_fire_from_the_first_figure():
    """A 分值 of 390 with nothing else scored gives 总分 360.56 (90% of it): 绩效-分值合计 says so
    at once, without waiting for an indicator; a sum still short is quiet while 分值 are missing."""
    from services.performance.checks import check_form

    p = project(inds=[], execution_weight=D(390))
    assert scores(p, SPEC).total == D("351.00")
    [f] = only(check_form(p, SPEC), "绩效-分值合计")
    assert f.is_error and f.actual == D(390) and f.expected == D(100)
    # partly scored and still short of 100: quiet until every filled indicator has its 分值
    p = project()
    p.indicators[2].weight = p.indicators[2].score = None
    assert not only(check_form(p, SPEC), "绩效-分值合计") and only(check_form(p, SPEC), "绩效-缺分值")
    # partly scored and already over 100: told now
    p.indicators[0].weight = D(75)
    [f] = only(check_form(p, SPEC), "绩效-分值合计")
    assert f.actual == D(125)
    # a 一级指标 over its printed 分值 is told before the others are filled
    p = project()
    p.indicators[0].weight = D(45)
    p.indicators[1].weight = None
    [f] = only(check_form(p, SPEC), "绩效-分值小计")
    assert f.actual == D(45) and f.expected == D(40)
    # 得分 over 分值 on a row, with the other rows empty
    p = project(inds=[Indicator("产出指标", "数量指标", "办结率", "100%", "100%", D(40), D(41))])
    assert only(check_form(p, SPEC), "绩效-得分超分值")


def test_an_empty_indicator_row_is_not_an_indicator():
    from services.performance.checks import check_form

    p = project(inds=[Indicator()])
    found = check_form(p, SPEC)
    assert any(f.rule == "绩效-必填" and "绩效指标" in f.message for f in found)
    assert not only(found, "绩效-缺分值") and not only(found, "绩效-分值合计")
    # an empty row under a complete form changes nothing
    p = project()
    assert not check_form(p, SPEC)
    p.indicators.append(Indicator())
    assert not check_form(p, SPEC)
