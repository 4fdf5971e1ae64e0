"""Template families (模板继承): a variant says only how it differs from the template it extends,
and the bundled variants (全国2024, 上海2024, 四川) are what their files say."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from services.compile import validate_template
from services.templates import (
    TemplateError,
    _raw_bundled,
    all_templates,
    get_template,
    parse_template,
    region_of,
    resolve,
)
from services.xlsx_import import import_xlsx
from tests import real_workbooks as R
from tests.paths import ROOT

RAW = {tid: data for tid, (_, data) in _raw_bundled().items()}


def child(**head) -> dict:
    return {"template": {"id": "t", "name": "t", "years": [2030], "extends": "national-2020", **head}}


def make(data: dict):
    return parse_template(resolve(data, RAW))


def test_a_variant_changes_rows_columns_and_rules_and_keeps_the_rest():
    data = child()
    data["table"] = [
        {"no": "01", "rows_change": [{"id": "使用非财政拨款结余", "label": "使用非财政拨款结余（含专用结余）"}],
         "rows_drop": ["231", 55]},
        {"no": "05", "columns_change": [{"no": 1, "label": "合计", "aliases": ["小计"]}],
         "rules_add": [{"id": "05-栏合计", "level": "提示", "text": "t", "rule": "每行：栏1 = 栏2 + 栏3"},
                       {"id": "05-新", "level": "强制", "text": "t", "rule": "合计 栏1 ≥ 0"}],
         "rules_drop": ["05-上级科目"]},
        {"no": "07", "title": "某某“三公”经费支出决算表"},
    ]
    t = make(data)
    base = get_template("national-2020")
    assert t.table("01").fixed_row("使用非财政拨款结余").label == "使用非财政拨款结余（含专用结余）"
    assert t.table("01").row_by_code("231") is None and t.table("01").row_by_code("232") is None  # line 55
    assert len(t.table("01").rows) == len(base.table("01").rows) - 2
    assert t.table("05").column(1).label == "合计" and t.table("05").column(1).aliases == ("小计",)
    rules = {r.id: r for r in t.table("05").rules}
    assert rules["05-栏合计"].level == "warning"  # replaced in place, same id
    assert "05-新" in rules and "05-上级科目" not in rules
    assert t.table("07").title == "某某“三公”经费支出决算表" and t.table("07").columns == base.table("07").columns
    assert t.table("02") == base.table("02")  # untouched tables are the parent's
    assert t.cross_rules == base.cross_rules
    assert t.extends == "national-2020" and validate_template(t) == []
    assert base.table("01").row_by_code("231") is not None  # the parent is not changed


def test_tables_added_replaced_dropped_reordered_and_cross_rules_redone():
    data = child(order=["01", "02", "03", "04", "05", "06", "10", "08", "07"],
                 drop_rules=["表间-04国有资本经营对09", "表间-04各类对09"])
    nine = get_template("national-2020").table("09")
    data["table"] = [
        {"no": "09", "drop": True},
        {"no": "10", "title": "国有资本经营预算财政拨款支出决算表", "kind": "coded", "classification": "功能",
         "columns": [{"no": 1, "label": "合计"}, {"no": 2, "label": "基本支出"}, {"no": 3, "label": "项目支出"}],
         "total_rows": [{"id": "合计", "label": "合计", "computed": True}],
         "rules": [{"id": "10-栏合计", "level": "强制", "text": "t", "rule": "每行：栏1 = 栏2 + 栏3"}]},
        {"no": "08", "replace": True, "title": "只有一栏的表", "kind": "fixed",
         "columns": [{"no": 1, "label": "金额"}], "rows": [{"id": "x", "label": "x"}]},
    ]
    data["cross"] = [{"table": "04", "rules": [
        {"id": "表间-04国有资本经营对10", "level": "强制", "text": "t", "rule": "行59 栏5 = 表10 合计 栏1"},
        {"id": "表间-04政府性基金对08", "level": "提示", "text": "t", "rule": "行2 ≥ 0"},
    ]}]
    t = make(data)
    assert list(t.tables) == ["01", "02", "03", "04", "05", "06", "10", "08", "07"]
    assert t.table("10").title == nine.title
    eight = t.table("08")
    assert eight.kind == "fixed" and eight.classification == "" and eight.empty_note == ""  # nothing left over
    ids = [r.id for r in t.cross_rules]
    assert "表间-04国有资本经营对10" in ids and "表间-04国有资本经营对09" not in ids
    replaced = next(r for r in t.cross_rules if r.id == "表间-04政府性基金对08")
    assert replaced.level == "warning" and ids.count("表间-04政府性基金对08") == 1


@pytest.mark.parametrize("bad, words", [
    ({"table": [{"no": "01", "rows_change": [{"id": "没有这一行", "label": "x"}]}]}, "rows_change"),
    ({"table": [{"no": "05", "columns_change": [{"no": 9, "label": "x"}]}]}, "第9栏"),
    ({"table": [{"no": "05", "rules_drop": ["没有"]}]}, "rules_drop"),
    ({"table": [{"no": "15", "drop": True}]}, "要删除的表"),
    ({"template": {"order": ["01"]}}, "order"),
    ({"template": {"drop_rules": ["没有的公式"]}}, "drop_rules"),
    ({"template": {"extends": "没有的模板"}}, "不存在"),
    ({"template": {"extends": "t"}}, "循环"),
])
def test_a_wrong_variant_file_is_refused_with_where(bad, words):
    data = child()
    data["template"].update(bad.pop("template", {}))
    data.update(bad)
    with pytest.raises(TemplateError, match=words):
        resolve(data, {**RAW, "t": data})


def test_national_2024_differs_from_2023_only_where_its_file_says():
    t23, t24 = get_template("national-2023"), get_template("national-2024")
    assert t24.extends == "national-2023" and t24.years == [2024, 2025, 2026]
    assert t24.table("01").fixed_row("使用非财政拨款结余").label == "使用非财政拨款结余（含专用结余）"
    assert [n for n in t23.tables if t23.table(n) != t24.table(n)] == ["01"]
    rows23, rows24 = t23.table("01").rows, t24.table("01").rows
    assert [i for i, (a, b) in enumerate(zip(rows23, rows24)) if a != b] == [27]  # 行28 only
    assert t23.cross_rules == t24.cross_rules


def test_shanghai_2024_prints_its_own_tables():
    t = get_template("shanghai-2024")
    assert (t.region, t.extends) == ("上海", "national-2024")
    assert [s.title for s in t.tables.values()][6:] == [
        "财政拨款“三公”经费支出决算表", "政府性基金预算财政拨款收入支出决算表", "国有资本经营预算财政拨款收入支出决算表"]
    sg = t.table("07")  # 预算数 | 决算数 side by side under each item
    assert [(c.no, c.group.split("/")[-1], c.label) for c in sg.columns[:4]] == [
        (1, "合计", "预算数"), (7, "合计", "决算数"), (2, "因公出国(境)费", "预算数"), (8, "因公出国(境)费", "决算数")]
    # the same 栏次 as the national 三公 table, printed in another order: rules and texts agree
    national = get_template("national-2024").table("09")
    assert sorted(sg.column_nos) == sorted(national.column_nos)
    assert [r.rule for r in sg.rules] == [r.rule for r in national.rules]
    assert t.table("05").column(1).label == "合计"
    assert len(t.table("09").columns) == 6
    assert t.table("06").groups == [["301", "303"], ["302", "307", "309", "310", "312", "399"]]
    refs = " ".join(r.rule for r in t.all_rules())
    assert "表07 合计 栏3" not in refs  # 07 is 三公 here: nothing still reads it as 政府性基金
    assert "表08 合计 栏3" in refs and "表09 合计 栏3" in refs


def test_region_from_the_department_name():
    assert region_of("上海市普陀区财政局") == "上海"
    assert region_of("攀枝花市西区信访局") == ""  # 四川 is not in the name
    assert region_of("四川省攀枝花市西区信访局") == "四川"
    assert region_of("株洲市渌口区信访局") == ""


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *args], capture_output=True, text=True,
                          encoding="utf-8", cwd=ROOT)


def test_templates_command_lists_every_template():
    proc = _cli("templates", "--json")
    assert proc.returncode == 0
    items = {i["id"]: i for i in json.loads(proc.stdout)}
    assert set(items) == set(all_templates())
    assert items["shanghai-2024"]["region"] == "上海" and items["shanghai-2024"]["extends"] == "national-2024"
    assert [x["title"] for x in items["sichuan-2020"]["tables"]][4] == "财政拨款支出决算明细表"
    assert items["national-2020"]["extends"] is None
    text = _cli("templates").stdout
    assert "shanghai-2024" in text and "地区：上海" in text and "09  国有资本经营预算财政拨款收入支出决算表" in text


def test_the_clerk_can_choose_another_template(tmp_path):
    src = R.build(R.sources()["putuo_shgzb_2024"], tmp_path / "shgzb.xlsx")
    auto = import_xlsx(src)
    assert auto.workbook.template.id == "shanghai-2024"
    note = next(n for n in auto.notes if n.startswith("采用报表模板"))
    assert "放入" in note and "换用其他报表模板" in note  # the window's words: no command-line flag
    forced = import_xlsx(src, template_id="national-2024")
    assert forced.workbook.template.id == "national-2024"
    assert forced.unplaced or forced.incomplete  # the national 三公 and 09 do not fit this file
    proc = _cli("import-xlsx", str(src), "-o", str(tmp_path / "d.sqlite"), "--template", "national-2024")
    assert proc.returncode == 0 and "按指定采用报表模板" in proc.stdout
    bad = _cli("check", str(src), "--template", "没有这个模板")
    assert bad.returncode == 2 and "没有编号为 没有这个模板 的报表模板" in bad.stderr


def test_a_table_whose_title_is_unknown_is_read_by_its_columns(tmp_path):
    from openpyxl import load_workbook

    path = R.build(R.sources()["putuo_shgzb_2024"], tmp_path / "x.xlsx", labels=False)
    book = load_workbook(path)
    ws = book["收入决算表"]
    ws["A1"] = "表二 本部门取得的各项收入情况表"  # a title no template knows
    book.save(path)
    res = import_xlsx(path)
    assert any("按表头认作公开02表" in n for n in res.notes)
    assert [str(u) for u in res.unplaced] == [] and res.incomplete == {}


def _round_trip(wb, tmp_path, name: str):
    from services.xlsx_export import export_xlsx

    path = tmp_path / f"{name}.xlsx"
    export_xlsx(wb, path)
    return import_xlsx(path)


def test_a_2024_national_workbook_is_read_with_national_2024(tmp_path):
    """seed 003's figures in a 2024 workbook of the national layout (as the export prints it):
    read with national-2024 — its 行28 printed 使用非财政拨款结余（含专用结余）— and checked alike."""
    from openpyxl import load_workbook

    from services.engine import check_workbook
    from tests.seed003 import seed003

    wb = seed003()
    wb.template, wb.year = get_template("national-2024"), 2024
    res = _round_trip(wb, tmp_path, "n2024")
    assert res.workbook.template.id == "national-2024" and res.workbook.year == 2024
    assert [str(u) for u in res.unplaced] == [] and res.workbook.values == wb.values
    sheet = load_workbook(tmp_path / "n2024.xlsx")["公开01表"]
    assert "使用非财政拨款结余（含专用结余）" in [c.value for row in sheet.iter_rows() for c in row]
    assert [f.rule for f in check_workbook(res.workbook)] == [f.rule for f in check_workbook(wb)]


def test_a_sichuan_workbook_of_fourteen_tables_is_read_with_sichuan_2020(tmp_path):
    from services.engine import check_workbook
    from tests.test_template_sichuan import seed004, with_funds

    wb = with_funds(seed004())
    res = _round_trip(wb, tmp_path, "sichuan")
    assert res.workbook.template.id == "sichuan-2020"
    assert [str(u) for u in res.unplaced] == [] and res.incomplete == {}
    assert res.workbook.values == wb.values
    assert check_workbook(res.workbook) == []
