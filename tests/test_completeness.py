"""公开完整性 (services.completeness): seed 003's complete document is quiet; each part it would
lack fires once, saying where to fill it in; a 三公 detail is not asked for when that item spent
nothing; an empty table without its 本表无数据 sentence fires, one with it does not; the tables of
a workbook read from Excel are checked, the clerk's parts only once the clerk writes any."""

from __future__ import annotations

import pytest

from services.audit import audit
from services.completeness import RULE, check_completeness, items
from services.performance import FORMS_KEY, dumps
from services.workbook import Cell
from services.xlsx_import import import_xlsx
from tests.paths import FIXTURES, SHARED
from tests.seed002_performance import seed002_forms
from tests.seed003 import seed003


def test_the_complete_seed_document_is_quiet() -> None:
    wb = seed003()
    assert not [f for f in audit(wb) if f.rule == RULE]
    assert all(i.present or i.needless for i in items(wb))
    assert len(items(wb)) == 9 + 9  # the nine tables and the nine parts of the template's list


@pytest.mark.parametrize(("keys", "what", "where"), [
    (["数据.三公.车辆保有量"], "公务用车保有量", "年末开支财政拨款的公务用车保有量"),
    (["数据.三公.接待人次"], "公务接待批次和人次", "公务接待来宾人次"),
    (["数据.政府采购.中小企业"], "政府采购支出及授予中小企业合同金额", "授予中小企业合同金额"),
    (["数据.设备.通用50万"], "国有资产占用情况（车辆、大型设备）", "单位价值50万元以上通用设备"),
    (["说明.预算绩效"], "预算绩效情况（绩效自评）", "绩效自评"),
])
def test_each_missing_part_fires_once_and_says_where(keys: list[str], what: str, where: str) -> None:
    wb = seed003()
    for k in keys:
        del wb.texts[k]
    found = check_completeness(wb)
    assert [f.row for f in found] == [what]
    assert found[0].severity == "warning" and where in found[0].message and "部门概况与情况说明" in found[0].message


def test_performance_is_present_as_a_text_or_as_the_forms() -> None:
    wb = seed003()
    del wb.texts["说明.预算绩效"]
    wb.texts[FORMS_KEY] = dumps(seed002_forms())
    assert not check_completeness(wb)


def test_a_sangong_detail_is_needed_only_when_its_item_spent_something() -> None:
    wb = seed003()
    for k in ("数据.三公.出国团组", "数据.三公.出国人次", "数据.三公.购置车辆"):
        del wb.texts[k]  # seed 003 spent nothing abroad and bought no car
    assert not check_completeness(wb)
    wb.set(Cell("09", "三公经费", 8), wb.get(Cell("09", "三公经费", 12)))  # now it did go abroad
    assert [f.row for f in check_completeness(wb)] == ["因公出国（境）团组数和人次"]


def test_an_empty_table_needs_its_no_data_sentence() -> None:
    wb = seed003()
    for cell in [c for c in wb.values if c.table in ("07", "09")]:
        del wb.values[cell]  # 07 政府性基金 prints 本表无数据; the 三公 table has no such sentence
    found = check_completeness(wb)
    assert [(f.table, f.row) for f in found] == [("09", "公开09表 财政拨款“三公”经费支出决算表")]
    assert "请填写该表（确实为零的填 0）" in found[0].message
    assert next(i for i in items(wb) if i.table == "07").present


def test_an_excel_workbook_is_checked_for_its_tables_only() -> None:
    for path in (FIXTURES / "zhuzhou_2020.xlsx", FIXTURES / "wuhan_2020.xlsx", SHARED / "samples" / "putuo_czj_2024.xlsx"):
        wb = import_xlsx(path).workbook
        assert not check_completeness(wb), path.name  # all tables there (08/09 with their sentence)
        assert any(i.missing for i in items(wb))  # the checklist shows what the clerk must still write
        wb.texts["概况.部门职责"] = "受理来信来访"  # the clerk starts writing: the parts are asked for
        assert any(f.row == "公务用车保有量" for f in check_completeness(wb))


def test_a_code_without_its_glossary_entry_fires_until_the_clerk_explains_it() -> None:
    wb = seed003()
    wb.add_code("03", "2089999", "其他社会保障和就业支出")
    wb.set(Cell("03", "2089999", 1), wb.get(Cell("03", "2010308", 1)))
    found = check_completeness(wb)
    assert [f.row for f in found] == ["名词解释（所用功能分类科目的说明）"]
    assert "其他社会保障和就业支出（2089999）" in found[0].message
    wb.texts["名词.2089999"] = "反映其他用于社会保障和就业方面的支出。"
    assert not check_completeness(wb)


@pytest.mark.parametrize(("keys", "said", "what"), [
    # putuo's own sentences (上海市普陀区财政局 2024, 十一（三）and（二）)
    (["数据.设备.通用50万", "数据.设备.专用100万"], ("情况说明.十一、其他重要事项的情况说明.（三）国有资产占有使用情况说明",
     "截至2024年12月31日，共有车辆0辆。单价100万元（含）以上设备（不含车辆）2台（套）。"),
     "国有资产占用情况（车辆、大型设备）"),
    (["数据.政府采购.中小企业"], ("情况说明.十一、其他重要事项的情况说明.（二）政府采购支出情况",
     "2024年度政府采购金额为251.25万元。面向中小企业预留政府采购项目预算金额246.47万元。"),
     "政府采购支出及授予中小企业合同金额"),
    (["数据.三公.车辆保有量"], ("情况说明.七、财政拨款“三公”经费支出决算情况说明", "截至年末，公务用车保有量为3。"),
     "公务用车保有量"),
])
def test_a_published_document_says_a_part_in_its_own_words(keys, said, what) -> None:
    """Read back from a PDF or Word file, the 情况说明 is the document's sentences, not the product's
    fields: a part is there when one section says it, with its figures; a 【请填写】 says nothing."""
    wb = seed003()
    for k in keys:
        del wb.texts[k]
    assert [f.row for f in check_completeness(wb)] == [what]
    key, text = said
    wb.texts[key] = text
    assert check_completeness(wb) == []
    wb.texts[key] = "共有车辆【请填写：年末车辆总数】辆；面向中小企业【请填写：金额】万元，政府采购【请填写】万元。"
    assert [f.row for f in check_completeness(wb)] == [what]
