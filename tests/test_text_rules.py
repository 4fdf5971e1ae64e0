"""The text rules of inspections (services/text_rules.py): each fires on a real or realistic
sentence and is quiet once the sentence is right; over the six real texts (five seeds, putuo) they
find exactly the real defects listed here, each read in its document."""

from decimal import Decimal

import pytest

from services.audit import audit
from services.text_rules import check_text_rules
from services.workbook import Cell, Unread
from tests.real_texts import SEED_STEMS, putuo_workbook, seed_workbook


@pytest.fixture
def wuhan():
    """Seed 002's tables (武汉市汉阳区信访局 2020) without texts."""
    wb = seed_workbook("002")
    wb.texts = {}
    return wb


def _rules(wb, text: str, key: str = "原因.收入支出总体") -> list[tuple[str, str]]:
    wb.texts[key] = text
    return [(f.rule, f.message) for f in check_text_rules(wb)]


# (rule, a sentence with the defect, the same sentence written right)
CASES = [
    ("说明-增减矛盾", "会议费减少为0.00万元，与上年持平。", "会议费为0.00万元，与上年持平。"),
    ("说明-增减矛盾", "与上年相比增加0.00万元，增长0%。", "与上年相比持平。"),
    ("说明-增减矛盾", "比上年增加5.20万元，下降3.10%。", "比上年增加5.20万元，增长3.10%。"),
    ("说明-增减矛盾", "收、支总计与上年持平。主要原因是人员减少。", "收、支总计与上年持平。"),
    ("说明-零基数比率", "培训费支出5.00万元，比上年增加5.00万元，增长100%。", "培训费支出5.00万元，比上年增加5.00万元（上年为0）。"),
    ("说明-零基数比率", "上年为0万元，本年支出3万元，增长300%。", "上年为0万元，本年支出3万元。"),
    ("说明-零基数比率", "公务接待费预算为0万元，决算为1.20万元，完成预算的100%。", "公务接待费预算为1.20万元，决算为1.20万元，完成预算的100%。"),
    ("说明-占比缺%", "基本支出649.40万元，占76.23；", "基本支出649.40万元，占76.23%；"),
    ("说明-模板空白", "一般公共服务支出 万元，占 %，比上年减少 万元。", "一般公共服务支出654.40万元，占92.54%，比上年减少10.00万元。"),
    ("说明-模板空白", "202 年度收、支总计707.12万元。", "2020年度收、支总计707.12万元。"),
    ("说明-模板空白", "与上年相比减少（增加）0 万元。", "与上年相比持平。"),
    ("说明-模板空白", "详见第错误！未定义书签。页。", "详见第3页。"),
    ("说明-完成预算", "全年预算为650.00万元，支出决算为654.40万元，完成年初预算的100.68%。",
     "年初预算为650.00万元，支出决算为654.40万元，完成年初预算的100.68%。"),
    ("说明-完成预算", "年初预算为572.97万元，支出决算为281.43万元，完成年初预算的48.53%。",
     "年初预算为572.97万元，支出决算为281.43万元，完成年初预算的49.12%。"),
    ("说明-部门名称", "武汉市汉阳区教育局2020年度收、支总计707.12万元。", "武汉市汉阳区信访局2020年度收、支总计707.12万元。"),
    ("说明-占比不符", "本年支出合计707.12万元，其中：基本支出649.40万元，占93.00%；项目支出57.72万元，占8.16%。",
     "本年支出合计707.12万元，其中：基本支出649.40万元，占91.84%；项目支出57.72万元，占8.16%。"),
    ("说明-其中不符", "政府采购支出总额12.00万元，其中：货物5.00万元、工程0万元、服务6.00万元。",
     "政府采购支出总额11.00万元，其中：货物5.00万元、工程0万元、服务6.00万元。"),
]


@pytest.mark.parametrize("rule, wrong, right", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_each_rule_fires_on_the_defect_and_is_quiet_when_it_is_right(wuhan, rule, wrong, right):
    found = _rules(wuhan, wrong)
    assert rule in {r for r, _ in found}, found
    assert all("原因.收入支出总体" in m for _, m in found)  # the message says where
    assert _rules(wuhan, right) == []


def test_the_same_quantity_given_twice(wuhan):
    wuhan.texts["情况说明.六、基本支出"] = "人员经费中职业年金257.14万元。"
    found = _rules(wuhan, "其中职业年金245.53万元。", key="情况说明.十、机关运行经费")
    assert [r for r, _ in found] == ["说明-前后不一致"]
    assert "职业年金245.53万元" in found[0][1] and "职业年金257.14万元" in found[0][1] and "11.61" in found[0][1]
    assert _rules(wuhan, "其中职业年金257.14万元。", key="情况说明.十、机关运行经费") == []


def test_a_short_form_or_another_department_named_in_passing_is_not_a_wrong_name(wuhan):
    assert _rules(wuhan, "汉阳区信访局2020年度收、支总计707.12万元；接待了武汉市信访局的考察。") == []
    assert _rules(wuhan, "按照区财政局2020年度部门决算编制要求，并对照武汉市信访局2020年度部署。") == []  # in passing, superior
    assert [r for r, _ in _rules(wuhan, "武汉市江夏区信访局2020年度收、支总计707.12万元。")] == ["说明-部门名称"]


def test_a_rate_on_a_budget_of_nothing_reads_the_tables_budget_only_when_the_table_was_read(wuhan):
    text = "其中：因公出国（境）费决算为1.00万元，完成预算的100%。"
    assert [r for r, _ in _rules(wuhan, text)] == ["说明-零基数比率"]  # 07 预算数 of 因公出国（境）费 is 0
    wuhan.set_unread({"07": Unread("表头中没有认出第2栏", False, frozenset({2}))})
    assert _rules(wuhan, text) == []


def test_text_findings_are_warnings_in_the_one_audit(wuhan):
    wuhan.texts["原因.收入支出总体"] = "比上年减少 万元。"
    found = [f for f in audit(wuhan) if f.rule == "说明-模板空白"]
    assert found and all(not f.is_error and f.table == "说明" and f.cell is None for f in found)
    wuhan.texts["数据.会议费"] = "为 万元"  # a figure's key holds no words to check
    wuhan.texts["原因.收入支出总体"] = "人员增加。"
    assert [f for f in audit(wuhan) if f.table == "说明"] == []


#: every finding of every rule over the six real texts, each read in its document and real
REAL = {
    "000": [  # 七（一）: the template's alternatives left in both 三公 sentences
        ("说明-模板空白", "因公出国（境）费支出预算为 0 万元"),
        ("说明-模板空白", "公务用车购置费及运行维护费支出预算为 0 万元"),
    ],
    "001": [],
    "002": [],
    "003": [  # 五（三）: 年初预算数 with 完成全年预算; 281.43 / 572.97 is 49.12%, not 48.53%
        ("说明-完成预算", "完成全年预算的105.19%"),
        ("说明-完成预算", "完成年初预算的48.53%"),
    ],
    "004": [],
    "putuo": [
        ("说明-占比不符", "2106.66万元，占71.73%"),  # 五（二）: 2106.66 / 2940.05 = 71.65%
        ("说明-其中不符", "为251.25万元，其中"),  # 十一（二）: 4.79 + 0 + 246.47 = 251.26
        ("说明-增减矛盾", "财政拨款收入支出总计持平。主要原因"),  # 四: 持平, the reason a 减少
    ],
}


@pytest.mark.parametrize("stem", [*SEED_STEMS, "putuo"])
def test_over_the_real_texts_only_the_real_defects_are_found(stem):
    wb = putuo_workbook() if stem == "putuo" else seed_workbook(stem)
    found = check_text_rules(wb)
    assert len(found) == len(REAL[stem]), [f.message for f in found]
    for rule, quote in REAL[stem]:
        assert any(f.rule == rule and quote in f.message for f in found), (rule, quote, [f.message for f in found])


def test_putuo_text_against_its_tables():
    """四 says 财政拨款收入支出总计0.3万元: 04 总计 is 2,961.68 (the narrative check, one label added)."""
    wb = putuo_workbook()
    found = [f for f in audit(wb) if f.rule == "说明-数字不符"]
    assert len(found) == 1
    assert found[0].cell == Cell("04", "收入总计", 1)
    assert (found[0].actual, found[0].expected) == (Decimal("0.30"), Decimal("2961.68"))
