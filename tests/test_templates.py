"""Templates as data: every bundled template loads, validates and differs where the years differ."""

import tomllib

import pytest

from services.compile import validate_template
from services.rules import Formula, Hierarchy, ParentsExist, RuleSyntaxError, parse_rule
from services.templates import ERROR, TEMPLATE_DIR, WARNING, all_templates, get_template, parse_template, template_for_year


def test_every_template_file_loads_and_validates():
    files = sorted(TEMPLATE_DIR.glob("*.toml"))
    assert len(files) >= 2
    temps = all_templates()
    assert len(temps) == len(files)
    for t in temps.values():
        assert validate_template(t) == [], t.id
        n = len(t.tables)
        assert list(t.tables) == [f"{i:02d}" for i in range(1, n + 1)], t.id  # numbered in print order
        assert n in (9, 14), t.id  # the nine national tables; 四川 fourteen
        levels = {r.level for r in t.all_rules()}
        assert levels == {ERROR, WARNING}


def test_2023_layout_differs_from_2020():
    t20, t23 = get_template("national-2020"), get_template("national-2023")
    assert t20.table("07").title == "一般公共预算财政拨款“三公”经费支出决算表"
    assert t23.table("09").title == "财政拨款“三公”经费支出决算表"
    assert t23.table("07").title.startswith("政府性基金")
    assert t23.table("08").title.startswith("国有资本经营")
    assert t23.table("06").title == "一般公共预算财政拨款基本支出决算明细表"
    assert t23.table("01").row_by_line(28).label == "使用非财政拨款结余和专用结余"
    assert t20.table("01").row_by_line(28).label == "使用非财政拨款结余"
    assert "39909" in t23.table("06").default_codes and "39906" not in t23.table("06").default_codes
    assert "39906" in t20.table("06").default_codes


def test_template_chosen_by_year():
    assert template_for_year(2020).id == "national-2020"
    assert template_for_year(2022).id == "national-2020"
    assert template_for_year(2023).id == "national-2023"
    assert template_for_year(2024).id == "national-2024"
    assert template_for_year(2030).id == "national-2024"
    assert template_for_year(2024, "上海").id == "shanghai-2024"
    assert template_for_year(2023, "上海").id == "national-2023"  # no Shanghai template for 2023
    assert template_for_year(2015).id == "national-2020"


def test_01_lists_all_26_classes_with_line_numbers_as_published():
    t = get_template("national-2020").table("01")
    classes = [r for r in t.rows if len(r.code) == 3]
    assert len(classes) == 26
    assert (classes[0].line, classes[0].code) == (31, "201")
    assert t.fixed_row("支出总计").line == 60  # seed 002: 60 行 = (57+58+59) 行


def test_rule_notation():
    f = parse_rule("行27 = Σ 行1..8")
    assert isinstance(f, Formula) and f.cmp == "=" and f.rhs[0].ref.row.line_to == 8
    f = parse_rule("每行：栏1 = 栏2..7")
    assert f.scope == "每行" and f.rhs[0].ref.col == 2 and f.rhs[0].ref.col_to == 7
    f = parse_rule("行60 栏3 = 行29 + 行1 − 行59 栏3")
    assert [t.sign for t in f.rhs] == [1, 1, -1] and f.rhs[2].ref.col == 3
    f = parse_rule("合计 栏2 = 表06 {人员经费合计} + {公用经费合计}")
    assert [t.ref.table for t in f.rhs] == ["06", "06"]
    assert f.lhs[0].ref.table is None
    f = parse_rule("栏12 ≥ 表06 [30217]")
    assert f.cmp == "≥" and f.rhs[0].ref.row.code == "30217"
    assert parse_rule("每个类 = Σ 其款") == Hierarchy("类", "款")
    assert parse_rule("合计 = Σ 类") == Hierarchy("合计", "类")
    assert parse_rule("上级科目存在") == ParentsExist()
    assert parse_rule("行59 >= 0").rhs[0].const == 0


@pytest.mark.parametrize("bad", ["行27", "行27 = ", "行1 = 行2 = 行3", "栏? = 1", "该类 = 表03 该类", "每个项 = Σ 其类", "表02 = 行1"])
def test_bad_rule_notation_is_refused(bad):
    with pytest.raises(RuleSyntaxError):
        parse_rule(bad)


def test_validation_names_broken_references():
    data = tomllib.loads((TEMPLATE_DIR / "national-2020.toml").read_text(encoding="utf-8"))
    data["table"][0]["rules"].append({"id": "x1", "level": "强制", "text": "t", "rule": "行99 = 表02 合计 栏9"})
    data["table"][0]["rules"].append({"id": "x1", "level": "提示", "text": "t", "rule": "{不存在} = 表10 行1"})
    problems = validate_template(parse_template(data))
    assert any("没有行99" in p for p in problems)
    assert any("没有栏9" in p for p in problems)
    assert any("编号重复" in p for p in problems)
    assert any("没有“不存在”行" in p for p in problems)
    assert any("没有公开10表" in p for p in problems)


def test_bundled_templates_pickle_by_id_others_whole():
    import pickle

    t = get_template("national-2023")
    assert pickle.loads(pickle.dumps(t)) is t
    assert len(pickle.dumps(t)) < 200
    loose = parse_template(tomllib.loads((TEMPLATE_DIR / "national-2020.toml").read_text(encoding="utf-8")))
    copy = pickle.loads(pickle.dumps(loose))
    assert copy is not loose and copy.id == loose.id and copy.tables.keys() == loose.tables.keys()
