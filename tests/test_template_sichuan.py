"""The Sichuan template (四川十四张表, seed 004): it loads and validates, has the fourteen tables in
the printed order, a consistent department is quiet, and every rule the file writes fires when
one figure of it is wrong."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from decimal import Decimal

import pytest

from services.compile import validate_template
from services.engine import check_workbook
from services.templates import ERROR, TEMPLATE_DIR, WARNING, get_template, template_for_year
from services.workbook import Cell, Workbook, parent_code

TEMPLATE = "sichuan-2020"
DEPARTMENT = "攀枝花市西区信访局"
D = Decimal

#: 第五部分 附表 of seed 004, in its order
TITLES = [
    "收入支出决算总表",
    "收入决算表",
    "支出决算表",
    "财政拨款收入支出决算总表",
    "财政拨款支出决算明细表",
    "一般公共预算财政拨款支出决算表",
    "一般公共预算财政拨款支出决算明细表",
    "一般公共预算财政拨款基本支出决算表",
    "一般公共预算财政拨款项目支出决算表",
    "一般公共预算财政拨款“三公”经费支出决算表",
    "政府性基金预算财政拨款收入支出决算表",
    "政府性基金预算财政拨款“三公”经费支出决算表",
    "国有资本经营预算财政拨款收入支出决算表",
    "国有资本经营预算财政拨款支出决算表",
]

NAMES = {
    "2010301": "行政运行", "2010308": "信访事务", "2010350": "事业运行",
    "2080501": "行政单位离退休", "2080505": "机关事业单位基本养老保险缴费支出",
    "2101101": "行政单位医疗", "2101102": "事业单位医疗", "2101103": "公务员医疗补助",
    "2210201": "住房公积金",
    "2120899": "其他国有土地使用权出让收入安排的支出",
    "2230105": "国有企业退休人员社会化管理补助支出",
}

#: 05/07 columns: 栏2..11 are these economic 类
ECON_COL = {"301": 2, "302": 3, "303": 4, "307": 5, "309": 6, "310": 7, "311": 8, "312": 9, "313": 10, "399": 11}


# ── building a department ────────────────────────────────────────────────────
def add(wb: Workbook, table: str, row: str, col: int, amount: str | Decimal) -> None:
    cell = Cell(table, row, col)
    wb.set(cell, (wb.get(cell) or D(0)) + D(amount))


def add_leaf(wb: Workbook, table: str, code: str, amounts: dict[int, str], total: str | None = "合计") -> None:
    """A leaf row's figures, added also to its 款, 类 and the table's total row."""
    wb.add_code(table, code, NAMES.get(code, ""))
    rows, c = [], code
    while c is not None:
        rows.append(c)
        c = parent_code(c)
    if total:
        rows.append(total)
    for row in rows:
        for col, amount in amounts.items():
            add(wb, table, row, col, amount)


def seed004() -> Workbook:
    """攀枝花市西区信访局 2020, from the figures the text of seed 004 gives: 收支总计 199.62, 本年收入
    133.94 (一般公共预算 133.90, 其他收入 0.04), 本年支出 199.37, 财政拨款收支总计 199.57, 一般公共预算
    支出 199.34 by 项, 基本支出 126.17 (人员经费 118.18, 公用经费 7.99), 项目 73.17 (信访事务), 三公
    (公务接待) 0.13, no 政府性基金 or 国有资本经营 money. The seed's text gives 03 基本支出 126.21 and
    项目支出 73.16, which cannot be (项目支出 from all funds < 财政拨款 项目支出 73.17): here 126.20 and
    73.17. The economic split (08, 09 and the 明细表) is made up, consistent with those totals."""
    wb = Workbook.new(get_template(TEMPLATE), 2020, DEPARTMENT)
    basic = {"2010301": "44.98", "2010350": "50.81", "2080501": "3.26", "2080505": "8.96",
             "2101101": "3.40", "2101102": "3.42", "2101103": "0.90", "2210201": "10.44"}
    project = {"2010308": "73.17"}
    # 06 一般公共预算财政拨款支出决算表: 小计 | 基本 | 项目
    for code, v in basic.items():
        add_leaf(wb, "06", code, {1: v, 2: v})
    for code, v in project.items():
        add_leaf(wb, "06", code, {1: v, 3: v})
    # 05 / 07 明细表: the same spending by economic 类 (all of it 一般公共预算)
    econ = {
        "2010301": {"301": "36.99", "302": "7.49", "310": "0.50"},
        "2010308": {"302": "45.00", "303": "18.73", "310": "9.44"},
        "2010350": {"301": "43.01", "303": "7.80"},
        "2080501": {"303": "3.26"},
        "2080505": {"301": "8.96"},
        "2101101": {"301": "3.40"}, "2101102": {"301": "3.42"}, "2101103": {"301": "0.90"},
        "2210201": {"301": "10.44"},
    }
    for code, split in econ.items():
        amounts = {ECON_COL[k]: v for k, v in split.items()}
        amounts[1] = str(sum(D(v) for v in split.values()))
        add_leaf(wb, "05", code, amounts)
        add_leaf(wb, "07", code, amounts)
    # 08 基本支出 by economic 款 (301 107.12 + 303 11.06 = 118.18; 302 7.49 + 310 0.50 = 7.99)
    for code, v in {"30101": "30.00", "30102": "25.00", "30103": "10.00", "30107": "15.00", "30108": "8.96",
                    "30110": "7.72", "30113": "10.44", "30302": "3.26", "30399": "7.80"}.items():
        add_leaf(wb, "08", code, {1: v}, total="人员经费合计")
    for code, v in {"30201": "3.00", "30211": "1.50", "30217": "0.13", "30228": "1.20", "30229": "0.66",
                    "30299": "1.00", "31002": "0.50"}.items():
        add_leaf(wb, "08", code, {1: v}, total="公用经费合计")
    # 09 项目支出 by economic 款: 302 45.00 + 303 18.73 + 310 9.44 = 73.17
    for code, v in {"30201": "10.00", "30211": "5.00", "30226": "8.00", "30227": "20.00", "30299": "2.00",
                    "30399": "18.73", "31002": "9.44"}.items():
        add_leaf(wb, "09", code, {1: v})
    # 10 一般公共预算 三公: 公务接待费 预算 0.13, 决算 0.13
    for col in (1, 6, 7, 12):
        add(wb, "10", "三公经费", col, "0.13")
    # 03 支出决算表 (all funds): 0.03 of 行政运行 from 其他收入
    for code, v in basic.items():
        v = str(D(v) + D("0.03")) if code == "2010301" else v
        add_leaf(wb, "03", code, {1: v, 2: v})
    for code, v in project.items():
        add_leaf(wb, "03", code, {1: v, 3: v})
    # 02 收入决算表: 财政拨款 133.90, 其他收入 0.04
    income = dict(basic, **{"2010308": "7.73"})
    for code, v in income.items():
        amounts = {1: v, 2: v}
        if code == "2010301":
            amounts = {1: str(D(v) + D("0.04")), 2: v, 7: "0.04"}
        add_leaf(wb, "02", code, amounts)
    # 01 收入支出决算总表
    for row, v in {"一般公共预算财政拨款收入": "133.90", "其他收入": "0.04", "本年收入合计": "133.94",
                   "使用非财政拨款结余": "0", "年初结转和结余": "65.68", "收入总计": "199.62"}.items():
        add(wb, "01", row, 1, v)
    for row, v in {"201": "168.99", "208": "12.22", "210": "7.72", "221": "10.44", "本年支出合计": "199.37",
                   "结余分配": "0", "年末结转和结余": "0.25", "支出总计": "199.62"}.items():
        add(wb, "01", row, 2, v)
    # 04 财政拨款收入支出决算总表: 年初 65.67 + 133.90 − 199.34 = 年末 0.23
    for row, v in {"一般公共预算财政拨款": "133.90", "本年收入合计": "133.90", "年初财政拨款结转和结余": "65.67",
                   "年初-一般公共预算财政拨款": "65.67", "收入总计": "199.57"}.items():
        add(wb, "04", row, 1, v)
    for row, v in {"201": "168.96", "208": "12.22", "210": "7.72", "221": "10.44", "本年支出合计": "199.34",
                   "年末财政拨款结转和结余": "0.23", "支出总计": "199.57"}.items():
        add(wb, "04", row, 2, v)
        add(wb, "04", row, 3, v)
    return wb


def with_funds(wb: Workbook) -> Workbook:
    """The same department with (made-up) 政府性基金 and 国有资本经营 money, so that tables 11–14 have
    figures: 政府性基金 收入 10.00 spent on a project (of which 三公 接待 0.50); 国有资本经营 年初 1.00,
    收入 5.00, 基本支出 4.00, 年末 2.00. Every table it touches is updated consistently."""
    gf, gz = "2120899", "2230105"
    add(wb, "01", "政府性基金预算财政拨款收入", 1, "10.00")
    add(wb, "01", "国有资本经营预算财政拨款收入", 1, "5.00")
    for row, v in {"本年收入合计": "15.00", "年初结转和结余": "1.00", "收入总计": "16.00"}.items():
        add(wb, "01", row, 1, v)
    for row, v in {"212": "10.00", "223": "4.00", "本年支出合计": "14.00", "年末结转和结余": "2.00", "支出总计": "16.00"}.items():
        add(wb, "01", row, 2, v)
    add_leaf(wb, "02", gf, {1: "10.00", 2: "10.00"})
    add_leaf(wb, "02", gz, {1: "5.00", 2: "5.00"})
    add_leaf(wb, "03", gf, {1: "10.00", 3: "10.00"})
    add_leaf(wb, "03", gz, {1: "4.00", 2: "4.00"})
    for row, v in {"政府性基金预算财政拨款": "10.00", "国有资本经营预算财政拨款": "5.00", "本年收入合计": "15.00",
                   "年初财政拨款结转和结余": "1.00", "年初-国有资本经营预算财政拨款": "1.00", "收入总计": "16.00"}.items():
        add(wb, "04", row, 1, v)
    for row, cols in {"212": {2: "10.00", 4: "10.00"}, "223": {2: "4.00", 5: "4.00"},
                      "本年支出合计": {2: "14.00", 4: "10.00", 5: "4.00"},
                      "年末财政拨款结转和结余": {2: "2.00", 5: "2.00"},
                      "支出总计": {2: "16.00", 4: "10.00", 5: "6.00"}}.items():
        for col, v in cols.items():
            add(wb, "04", row, col, v)
    add_leaf(wb, "05", gf, {1: "10.00", ECON_COL["302"]: "10.00"})
    add_leaf(wb, "05", gz, {1: "4.00", ECON_COL["303"]: "4.00"})
    add_leaf(wb, "11", gf, {1: "0", 2: "10.00", 3: "10.00", 5: "10.00", 6: "0"})
    for col in (1, 6, 7, 12):
        add(wb, "12", "三公经费", col, "0.50")
    add_leaf(wb, "13", gz, {1: "1.00", 2: "5.00", 3: "4.00", 4: "4.00", 6: "2.00"})
    add_leaf(wb, "14", gz, {1: "4.00", 2: "4.00"})
    return wb


def fired(wb: Workbook) -> set[tuple[str, str]]:
    return {(f.rule, f.table) for f in check_workbook(wb)}


# ── (a) the template ─────────────────────────────────────────────────────────
def test_loads_validates_fourteen_tables_in_print_order():
    t = get_template(TEMPLATE)
    assert validate_template(t) == []
    assert t.region == "四川" and t.extends == "national-2020" and t.years == [2020, 2021, 2022]
    assert list(t.tables) == [f"{i:02d}" for i in range(1, 15)]
    assert [s.title for s in t.tables.values()] == TITLES
    assert {r.level for r in t.all_rules()} == {ERROR, WARNING}
    assert template_for_year(2020, "四川").id == TEMPLATE
    assert template_for_year(2020).id == "national-2020"  # the national one is unchanged
    assert list(get_template("national-2020").tables) == [f"{i:02d}" for i in range(1, 10)]


def test_moved_tables_keep_the_national_layout():
    t, n = get_template(TEMPLATE), get_template("national-2020")
    for new, old in {"06": "05", "08": "06", "10": "07", "11": "08", "14": "09"}.items():
        assert t.table(new).title == n.table(old).title
        assert t.table(new).columns == n.table(old).columns
        assert t.table(new).default_codes == n.table(old).default_codes
        assert [r.rule for r in t.table(new).rules] == [r.rule.replace("表06", "表08") for r in n.table(old).rules]


def test_no_rule_still_points_at_a_table_by_its_national_number():
    ids = {r.id for r in get_template(TEMPLATE).all_rules()}
    for gone in ("表间-04一般公共预算支出对05", "表间-04各类对05", "表间-04政府性基金对08", "表间-04各类对08",
                 "表间-04国有资本经营对09", "表间-04各类对09", "表间-05基本支出对06", "07-接待费对06表"):
        assert gone not in ids


# ── (b) consistent figures are quiet ─────────────────────────────────────────
def test_seed_004_figures_are_quiet():
    wb = seed004()
    assert wb.get(Cell("01", "收入总计", 1)) == D("199.62")
    assert wb.get(Cell("05", "合计", 1)) == wb.get(Cell("07", "合计", 1)) == D("199.34")
    assert wb.get(Cell("08", "人员经费合计", 1)) == D("118.18") and wb.get(Cell("08", "公用经费合计", 1)) == D("7.99")
    assert wb.get(Cell("09", "合计", 1)) == D("73.17")
    assert check_workbook(wb) == []


def test_a_department_with_fund_money_is_quiet():
    wb = with_funds(seed004())
    assert wb.get(Cell("13", "合计", 6)) == D("2.00")
    assert check_workbook(wb) == []


# ── (b) each rule written in the file fires on one wrong figure ─────────────
def bump(table: str, row: str, col: int, amount: str = "1.00") -> Callable[[Workbook], None]:
    return lambda wb: add(wb, table, row, col, amount)


def put(table: str, row: str, col: int, amount: str) -> Callable[[Workbook], None]:
    return lambda wb: wb.set(Cell(table, row, col), D(amount))


def orphan(table: str, code: str) -> Callable[[Workbook], None]:
    """A code whose parent is not in the table (wb.add_code would add the parent)."""
    return lambda wb: wb.coded[table].__setitem__(code, "")


ECON_NAMES = {"301": "工资福利支出", "302": "商品和服务支出", "303": "对个人和家庭的补助", "307": "债务利息及费用支出",
              "309": "资本性支出（基本建设）", "310": "资本性支出", "311": "对企业补助（基本建设）", "312": "对企业补助",
              "313": "对社会保障基金补助", "399": "其他支出"}

#: rule id → (table the finding is shown in, the one wrong figure)
MUTATIONS: dict[str, tuple[str, Callable[[Workbook], None]]] = {
    # 05 财政拨款支出决算明细表
    "05-栏合计": ("05", bump("05", "2010301", 3)),
    "05-类": ("05", bump("05", "201", 2)),
    "05-款": ("05", bump("05", "20103", 2)),
    "05-合计": ("05", bump("05", "合计", 2)),
    "05-上级科目": ("05", orphan("05", "2240101")),
    "表间-05合计对04": ("05", bump("05", "合计", 1)),
    "表间-05各类对04": ("05", bump("05", "201", 1)),
    # 06 一般公共预算财政拨款支出决算表 (national 05)
    "06-栏合计": ("06", bump("06", "2010301", 2)),
    "06-类": ("06", bump("06", "201", 1)),
    "06-款": ("06", bump("06", "20103", 1)),
    "06-合计": ("06", bump("06", "合计", 1)),
    "06-上级科目": ("06", orphan("06", "2240101")),
    "表间-06基本支出对08": ("06", bump("06", "合计", 2)),
    "表间-04一般公共预算支出对06": ("04", bump("06", "合计", 1)),
    "表间-04各类对06": ("04", bump("06", "201", 1)),
    # 07 一般公共预算财政拨款支出决算明细表
    "07-栏合计": ("07", bump("07", "2010301", 3)),
    "07-类": ("07", bump("07", "201", 2)),
    "07-款": ("07", bump("07", "20103", 2)),
    "07-合计": ("07", bump("07", "合计", 2)),
    "07-上级科目": ("07", orphan("07", "2240101")),
    "表间-07合计对06": ("07", bump("07", "合计", 1)),
    "表间-07各类对06": ("07", bump("07", "201", 1)),
    **{f"表间-07{name}对08和09": ("07", bump("07", "合计", ECON_COL[code])) for code, name in ECON_NAMES.items()},
    # 08 一般公共预算财政拨款基本支出决算表 (national 06)
    "08-类": ("08", bump("08", "30101", 1)),
    "08-人员经费": ("08", bump("08", "人员经费合计", 1)),
    "08-公用经费": ("08", bump("08", "公用经费合计", 1)),
    "08-上级科目": ("08", orphan("08", "31201")),
    # 09 一般公共预算财政拨款项目支出决算表
    "09-类": ("09", bump("09", "30201", 1)),
    "09-合计": ("09", bump("09", "合计", 1)),
    "09-上级科目": ("09", orphan("09", "31201")),
    "表间-09合计对06": ("09", bump("09", "合计", 1)),
    # 10 一般公共预算财政拨款“三公”经费支出决算表 (national 07)
    "10-预算合计": ("10", bump("10", "三公经费", 1)),
    "10-预算车辆": ("10", put("10", "三公经费", 3, "1.00")),
    "10-决算合计": ("10", bump("10", "三公经费", 7)),
    "10-决算车辆": ("10", put("10", "三公经费", 9, "1.00")),
    "10-超预算": ("10", bump("10", "三公经费", 7)),
    "10-出国超预算": ("10", put("10", "三公经费", 8, "1.00")),
    "10-车辆超预算": ("10", put("10", "三公经费", 9, "1.00")),
    "10-接待超预算": ("10", bump("10", "三公经费", 12)),
    "10-接待费对08表": ("10", bump("08", "30217", 1)),
    "10-车辆运行对08表": ("10", put("08", "30231", 1, "1.00")),
    "10-车辆购置对08表": ("10", put("08", "31013", 1, "1.00")),
    "10-出国对08表": ("10", put("08", "30212", 1, "1.00")),
    # 11 政府性基金预算财政拨款收入支出决算表 (national 08)
    "11-支出小计": ("11", bump("11", "2120899", 3)),
    "11-年末结转": ("11", bump("11", "2120899", 6)),
    "11-类": ("11", bump("11", "212", 2)),
    "11-款": ("11", bump("11", "21208", 2)),
    "11-合计": ("11", bump("11", "合计", 2)),
    "11-上级科目": ("11", orphan("11", "2129901")),
    "11-年末结转为负": ("11", put("11", "合计", 6, "-1.00")),
    "表间-04政府性基金对11": ("04", bump("11", "合计", 3)),
    "表间-04各类对11": ("04", bump("11", "212", 3)),
    # 12 政府性基金预算财政拨款“三公”经费支出决算表
    "12-预算合计": ("12", bump("12", "三公经费", 1)),
    "12-预算车辆": ("12", put("12", "三公经费", 3, "1.00")),
    "12-决算合计": ("12", bump("12", "三公经费", 7)),
    "12-决算车辆": ("12", put("12", "三公经费", 9, "1.00")),
    "12-超预算": ("12", bump("12", "三公经费", 7)),
    "12-出国超预算": ("12", put("12", "三公经费", 8, "1.00")),
    "12-车辆超预算": ("12", put("12", "三公经费", 9, "1.00")),
    "12-接待超预算": ("12", bump("12", "三公经费", 12)),
    "12-决算对11表": ("12", bump("12", "三公经费", 7, "20.00")),
    # 13 国有资本经营预算财政拨款收入支出决算表
    "13-支出小计": ("13", bump("13", "2230105", 3)),
    "13-年末结转": ("13", bump("13", "2230105", 6)),
    "13-类": ("13", bump("13", "223", 2)),
    "13-款": ("13", bump("13", "22301", 2)),
    "13-合计": ("13", bump("13", "合计", 2)),
    "13-上级科目": ("13", orphan("13", "2239901")),
    "13-年末结转为负": ("13", put("13", "合计", 6, "-1.00")),
    "表间-04国有资本经营年初对13": ("04", bump("13", "合计", 1)),
    "表间-04国有资本经营收入对13": ("04", bump("13", "合计", 2)),
    "表间-04国有资本经营年末对13": ("04", bump("13", "合计", 6)),
    "表间-13支出对14": ("13", bump("13", "合计", 3)),
    "表间-13基本支出对14": ("13", bump("13", "合计", 4)),
    "表间-13项目支出对14": ("13", bump("13", "合计", 5)),
    "表间-13各类对14": ("13", bump("13", "223", 3)),
    # 14 国有资本经营预算财政拨款支出决算表 (national 09)
    "14-栏合计": ("14", bump("14", "2230105", 2)),
    "14-类": ("14", bump("14", "223", 1)),
    "14-款": ("14", bump("14", "22301", 1)),
    "14-合计": ("14", bump("14", "合计", 1)),
    "14-上级科目": ("14", orphan("14", "2239901")),
    "表间-04国有资本经营对14": ("04", bump("14", "合计", 1)),
    "表间-04各类对14": ("04", bump("14", "223", 1)),
}


def _written_rule_ids() -> set[str]:
    """Every rule id the Sichuan file itself writes (its tables' rules and its cross rules)."""
    data = tomllib.loads((TEMPLATE_DIR / f"{TEMPLATE}.toml").read_text(encoding="utf-8"))
    ids = {r["id"] for t in data["table"] for r in t.get("rules", []) + t.get("rules_add", [])}
    return ids | {r["id"] for b in data.get("cross", []) for r in b["rules"]}


def test_every_rule_of_the_file_has_a_mutation():
    assert _written_rule_ids() == set(MUTATIONS)
    assert set(MUTATIONS) <= {r.id for r in get_template(TEMPLATE).all_rules()}


@pytest.mark.parametrize("rule_id", sorted(MUTATIONS))
def test_rule_fires_on_one_wrong_figure(rule_id):
    table, mutate = MUTATIONS[rule_id]
    wb = with_funds(seed004())
    assert not any(r == rule_id for r, _ in fired(wb))
    mutate(wb)
    assert (rule_id, table) in fired(wb)


# ── a few wrong figures that leave every table consistent in itself ─────────
def test_moving_an_amount_between_economic_classes_of_07_is_caught_against_08_and_09():
    wb = seed004()
    for row in ("2010301", "20103", "201", "合计"):  # 1.00 of 行政运行 from 工资福利 to 商品和服务
        add(wb, "07", row, ECON_COL["301"], "-1.00")
        add(wb, "07", row, ECON_COL["302"], "1.00")
    assert fired(wb) == {("表间-07工资福利支出对08和09", "07"), ("表间-07商品和服务支出对08和09", "07")}


def test_a_project_missing_from_09_is_caught_against_06_and_07():
    wb = seed004()
    for row in ("30227", "302", "合计"):
        add(wb, "09", row, 1, "-20.00")
    assert fired(wb) == {("表间-09合计对06", "09"), ("表间-07商品和服务支出对08和09", "07")}


def test_05_that_leaves_out_a_fund_is_caught_against_04():
    wb = with_funds(seed004())
    for row in ("2120899", "21208", "212", "合计"):  # 05 without the 政府性基金 project
        add(wb, "05", row, 1, "-10.00")
        add(wb, "05", row, ECON_COL["302"], "-10.00")
    assert fired(wb) == {("表间-05合计对04", "05"), ("表间-05各类对04", "05")}


def test_fund_sangong_above_the_fund_spending_is_a_warning():
    wb = with_funds(seed004())
    for col in (1, 6, 7, 12):  # 三公 row consistent in itself, 预算 = 决算 = 20.50 > 11 本年支出 10.00
        add(wb, "12", "三公经费", col, "20.00")
    findings = check_workbook(wb)
    assert [(f.rule, f.table, f.severity) for f in findings] == [("12-决算对11表", "12", WARNING)]


def test_13_and_14_must_agree_on_state_capital_spending():
    wb = with_funds(seed004())
    for row in ("2230105", "22301", "223", "合计"):  # 14 books it as 项目支出, 13 as 基本支出
        add(wb, "14", row, 2, "-4.00")
        add(wb, "14", row, 3, "4.00")
    assert fired(wb) == {("表间-13基本支出对14", "13"), ("表间-13项目支出对14", "13")}
