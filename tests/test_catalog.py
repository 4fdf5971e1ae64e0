"""Tests for the classification catalogs (政府收支分类科目) and the province catalog importer."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from services import catalog as cat
from services.catalog import (
    CATALOG_DIR,
    Catalog,
    CatalogEntry,
    CatalogError,
    catalog,
    catalog_file_name,
    catalog_files,
    import_province_catalog,
    level_of,
    load_catalog_file,
    name_for,
    parent_of,
    save_catalog,
)
from tests.paths import SEEDS as PATHS_SEEDS  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SEEDS = Path(os.environ["JUESUAN_SEEDS"]) if "JUESUAN_SEEDS" in os.environ else PATHS_SEEDS
TEMPLATE_DIR = ROOT / "resources" / "templates"

FUNCTIONAL_LEI = {
    "201": "一般公共服务支出", "202": "外交支出", "203": "国防支出", "204": "公共安全支出",
    "205": "教育支出", "206": "科学技术支出", "207": "文化旅游体育与传媒支出",
    "208": "社会保障和就业支出", "210": "卫生健康支出", "211": "节能环保支出",
    "212": "城乡社区支出", "213": "农林水支出", "214": "交通运输支出",
    "215": "资源勘探工业信息等支出", "216": "商业服务业等支出", "217": "金融支出",
    "219": "援助其他地区支出", "220": "自然资源海洋气象等支出", "221": "住房保障支出",
    "222": "粮油物资储备支出", "223": "国有资本经营预算支出", "224": "灾害防治及应急管理支出",
    "229": "其他支出", "231": "债务还本支出", "232": "债务付息支出", "233": "债务发行费用支出",
    "234": "抗疫特别国债安排的支出",
}
ECONOMIC_LEI = {
    "301": "工资福利支出", "302": "商品和服务支出", "303": "对个人和家庭的补助",
    "307": "债务利息及费用支出", "309": "资本性支出（基本建设）", "310": "资本性支出",
    "311": "对企业补助（基本建设）", "312": "对企业补助", "313": "对社会保障基金补助", "399": "其他支出",
}
#: a few pairs from the seeds, kept here so the essentials are tested even without the seed files
KNOWN_PAIRS = [
    ("功能", 2020, "2010308", "信访事务"),
    ("功能", 2020, "2080505", "机关事业单位基本养老保险缴费支出"),
    ("功能", 2020, "2130599", "其他扶贫支出"),
    ("功能", 2023, "2010301", "行政运行"),
    ("经济", 2020, "30703", "国内债务发行费用"),
    ("经济", 2020, "31204", "费用补贴"),
    ("经济", 2020, "31299", "其他对企业补贴"),
    ("经济", 2020, "39906", "赠与"),
    ("经济", 2023, "39909", "经常性赠与"),
    ("经济", 2023, "39910", "资本性赠与"),
    ("经济", 2023, "30213", "维修（护）费"),
]


def _nospace(s: str) -> str:
    return "".join(s.split())


def _all_catalog_files() -> list[tuple[str, int, Path]]:
    return [(kind, year, p) for kind in ("功能", "经济") for year, p in catalog_files(kind).items()]


# ── seed parsing ───────────────────────────────────────────────────────────
_CODE = re.compile(r"\d{3}(?:\d{2}){0,2}")
_HAN = re.compile(r"[\u4e00-\u9fff]")


def _seed_files() -> list[Path]:
    if not SEEDS.is_dir():
        pytest.skip(f"seed documents not found in {SEEDS} (set JUESUAN_SEEDS)")
    return sorted(SEEDS.glob("*.txt"))


def _seed_year(text: str) -> int:
    return int(re.search(r"(20\d\d)\s*年度", text).group(1))


def _seed_pairs(text: str) -> list[tuple[str, str]]:
    """(code, name) from the tables: a code cell followed by a name cell on the same line
    (tables 06 put three such pairs on one line; seed 002 leaves 款/项 columns empty)."""
    pairs = []
    for line in text.splitlines():
        cells = [c.strip() for c in line.split("\t")]
        for i, cell in enumerate(cells):
            if not _CODE.fullmatch(cell):
                continue
            rest = [c for c in cells[i + 1 :] if c]
            if rest and _HAN.search(rest[0]):
                pairs.append((cell, _nospace(rest[0])))
    return pairs


def _seed_text_chains(text: str) -> list[tuple[str, str]]:
    """(款 name, 项 name) from sentences like “…（类）政府办公厅（室）及相关机构事务（款）信访事务（项）”."""
    chains = []
    for line in text.splitlines():
        parts = re.split(r"（(类|款|项)）", line)
        kuan = None
        for piece, marker in zip(parts[0::2], parts[1::2]):
            name = re.split(r"[。；;:：，,、\s]", piece)[-1]
            name = re.sub(r"^[\d.]+", "", name)
            if marker == "类":
                kuan = None
            elif marker == "款":
                kuan = name
            elif kuan:
                chains.append((kuan, name))
    return chains


def test_every_code_name_pair_in_the_seed_tables_resolves():
    checked, wrong = 0, []
    per_seed = {}
    for path in _seed_files():
        text = path.read_text(encoding="utf-8")
        pairs = _seed_pairs(text)
        per_seed[path.name[:3]] = len(pairs)
        if not pairs:
            continue
        year = _seed_year(text)
        for code, name in pairs:
            kind = "经济" if code.startswith("3") else "功能"
            got = name_for(kind, code, year)
            checked += 1
            if got is None or _nospace(got) != name:
                wrong.append(f"{path.name[:3]} {year} {kind} {code}: seed “{name}”, catalog “{got}”")
    assert not wrong, "\n".join(wrong)
    # the parser really found the tables: 000 (2020), 002 (2020) and 003 (2023) print 02/03/05/06
    assert per_seed["000"] >= 90 and per_seed["002"] >= 100 and per_seed["003"] >= 90, per_seed
    assert checked >= 300


def test_seed_parser_tolerates_split_names():
    line = "2080505\t\t\t机关事业单位基本养老保险 缴费支出\t16. 3\t16. 3"
    assert _seed_pairs(line) == [("2080505", "机关事业单位基本养老保险缴费支出")]
    line06 = "30213\t维修（护）费\t0.03\t312\t对企业补助\t\t31204\t费用补贴\t"
    assert _seed_pairs(line06) == [("30213", "维修（护）费"), ("312", "对企业补助"), ("31204", "费用补贴")]


@pytest.mark.parametrize("kind, year, code, name", KNOWN_PAIRS)
def test_known_seed_pairs(kind, year, code, name):
    assert name_for(kind, code, year) == name


def test_seed_narratives_name_real_items_except_the_known_mistakes():
    """The 情况说明 sentences “X（款）Y（项）” must name a 款 and one of its 项 — except the real
    mistakes the seeds contain (002 puts 公务员医疗补助 under “医疗保障”, 003 drops “（室）”)."""
    known_mistakes = {
        ("002", "医疗保障", "公务员医疗补助"),
        ("003", "政府办公厅及相关机构事务", "行政运行"),
        ("003", "政府办公厅及相关机构事务", "信访事务"),
    }
    found, failures = 0, set()
    for path in _seed_files():
        text = path.read_text(encoding="utf-8")
        c = catalog("功能", _seed_year(text))
        for kuan, xiang in _seed_text_chains(text):
            found += 1
            ok = any(
                child.name == xiang
                for k in c
                if k.level == "款" and k.name == kuan
                for child in c.children(k.code)
            )
            if not ok:
                failures.add((path.name[:3], kuan, xiang))
    assert failures == known_mistakes
    assert found >= 20  # 000, 002, 003 and 004 all explain their 项


# ── the bundled files ──────────────────────────────────────────────────────
def test_bundled_files_are_named_by_classification_and_year():
    names = sorted(p.name for p in CATALOG_DIR.glob("*.csv"))
    assert names == sorted(p.name for _, _, p in _all_catalog_files())
    assert set(catalog_files("功能")) >= {2020, 2021}
    assert set(catalog_files("经济")) >= {2020, 2023}


@pytest.mark.parametrize("kind, year, path", _all_catalog_files(), ids=lambda v: str(v))
def test_bundled_file_is_a_consistent_tree(kind, year, path):
    text = path.read_text(encoding="utf-8")
    assert text.startswith("code,name\n") and "\r" not in text and not text.startswith("\ufeff")
    c = load_catalog_file(path)
    assert (c.classification, c.year) == (kind, year)
    codes = [e.code for e in c]
    assert codes == sorted(codes)
    assert len(text.strip().splitlines()) == len(c) + 1  # no duplicate rows
    allowed = (3, 5, 7) if kind == "功能" else (3, 5)
    for e in c:
        assert e.code.isdigit() and len(e.code) in allowed, e
        assert e.code[0] == ("2" if kind == "功能" else "3"), e
        assert e.name == e.name.strip() and e.name and " " not in e.name, e
        assert "(" not in e.name and ")" not in e.name, f"half-width parenthesis in {e}"
        if e.level != "类":
            assert c.parent(e.code) is not None, f"{path.name}: {e.code} {e.name} has no parent"


@pytest.mark.parametrize("year", [2020, 2021, 2022, 2023, 2024])
def test_all_functional_lei_present(year):
    c = catalog("功能", year)
    assert {e.code: e.name for e in c.children()} == FUNCTIONAL_LEI


@pytest.mark.parametrize("year", [2020, 2023])
def test_all_economic_lei_present(year):
    c = catalog("经济", year)
    assert {e.code: e.name for e in c.children()} == ECONOMIC_LEI


def _template_tables(name: str) -> dict[str, dict]:
    data = tomllib.loads((TEMPLATE_DIR / name).read_text(encoding="utf-8"))
    return {t["no"]: t for t in data["table"]}


@pytest.mark.parametrize("template, year", [("national-2020.toml", 2020), ("national-2023.toml", 2023)])
def test_templates_agree_with_catalogs(template, year):
    """The 类 rows of table 01/04 and the default rows of table 06 exist, with the same names."""
    if not (TEMPLATE_DIR / template).exists():
        pytest.skip(f"{template} not present")
    tables = _template_tables(template)
    func = catalog("功能", year)
    lei_rows = [r for t in tables.values() for r in t.get("rows", []) if r.get("code")]
    assert len({r["code"] for r in lei_rows}) == 26
    for r in lei_rows:
        label = re.sub(r"^[一二三四五六七八九十]+、", "", r["label"])
        assert func.name(r["code"]) == label, r
    econ = catalog("经济", year)
    for code in tables["06"]["default_codes"]:
        assert code in econ, f"{template} table 06 default code {code} missing from the {year} catalog"


# ── year selection ─────────────────────────────────────────────────────────
def test_year_selection():
    assert catalog("经济", 2020).year == 2020
    assert catalog("经济", 2021).year == 2020
    assert catalog("经济", 2023).year == 2023
    assert catalog("经济", 2024).year == 2023
    assert catalog("经济", 2015).year == 2020  # before every file: the oldest
    assert catalog("功能", 2020).year == 2020
    assert catalog("功能", 2022).year == 2021
    assert catalog("功能", 2024).year == 2021
    assert catalog("经济分类", 2020) is catalog("经济", 2020)  # cached, long name accepted


def test_codes_that_changed_between_years():
    assert name_for("经济", "39906", 2020) == "赠与"
    assert name_for("经济", "39906", 2023) is None
    assert name_for("经济", "39909", 2020) is None
    assert name_for("经济", "39909", 2023) == "经常性赠与"
    assert name_for("经济", "39910", 2024) == "资本性赠与"
    assert name_for("功能", "21305", 2020) == "扶贫"
    assert name_for("功能", "21305", 2021) == "巩固脱贫衔接乡村振兴"
    assert name_for("功能", "2130599", 2023) == "其他巩固脱贫衔接乡村振兴支出"


def test_name_for_bad_input_returns_none():
    assert name_for("功能", "2010308", 2020) == "信访事务"
    assert name_for("功能", " 2010308 ", 2020) == "信访事务"
    assert name_for("功能", "9999999", 2020) is None
    assert name_for("功能", "abc", 2020) is None
    assert name_for("功能", "", 2020) is None
    assert name_for("", "201", 2020) is None
    assert name_for("社会", "201", 2020) is None
    assert name_for("功能", None, 2020) is None  # type: ignore[arg-type]
    assert name_for("经济", "201", 2020) is None  # a functional code is not an economic one


def test_unknown_classification_raises_for_catalog():
    with pytest.raises(CatalogError, match="未知的分类"):
        catalog("社会", 2020)


# ── codes and tree navigation ──────────────────────────────────────────────
def test_level_and_parent():
    assert [level_of(c) for c in ("201", "20103", "2010308", "2010", "abc", "２０１", "")] == [
        "类", "款", "项", "", "", "", ""]
    assert parent_of("2010308") == "20103"
    assert parent_of("20103") == "201"
    assert parent_of("201") is None
    assert parent_of("abcde") is None
    e = CatalogEntry("2010308", "信访事务")
    assert (e.level, e.parent_code) == ("项", "20103")


def test_parent_children_lineage():
    c = catalog("功能", 2020)
    assert c.parent("2010308").code == "20103"
    assert c.parent("20103").name == "一般公共服务支出"
    assert c.parent("201") is None
    kids = c.children("20103")
    assert {"2010301", "2010302", "2010303", "2010308", "2010350", "2010399"} <= {k.code for k in kids}
    assert all(k.level == "项" and k.code.startswith("20103") for k in kids)
    assert [k.code for k in c.children("221")] == ["22101", "22102", "22103"]
    assert [(k.code, k.name) for k in c.children("22102")] == [
        ("2210201", "住房公积金"), ("2210202", "提租补贴"), ("2210203", "购房补贴")]
    assert [k.name for k in c.children("21011")] == [
        "行政单位医疗", "事业单位医疗", "公务员医疗补助", "其他行政事业单位医疗支出"]
    assert c.children("2010308") == []
    assert [e.code for e in c.lineage("2010308")] == ["201", "20103", "2010308"]
    assert "2010308" in c and "2010307" not in c


def test_search_by_code_prefix_and_name():
    c = catalog("功能", 2020)
    by_code = c.search("20805")
    assert by_code[0].code == "20805"
    assert all(e.code.startswith("20805") for e in by_code)
    assert "2080505" in {e.code for e in by_code}
    assert {"2010308", "2010109"} <= {e.code for e in c.search("信访")}
    assert [e.code for e in c.search("2010 信访")] == ["2010109", "2010308"]
    assert [e.code for e in c.search("住房 公积金")] == ["2210201"]
    assert c.search("")[:1] == [c.get("201")] and len(c.search("")) == len(c)
    assert len(c.search("行政运行", limit=3)) == 3
    assert c.search("不存在的科目") == []
    econ = catalog("经济", 2020)
    assert [e.code for e in econ.search("维修(护)")] == ["30213"]  # half-width typed, full-width stored
    assert [e.code for e in econ.search("３０２１３")] == ["30213"]  # full-width digits


# ── province importer ──────────────────────────────────────────────────────
openpyxl = pytest.importorskip("openpyxl")


def _xlsx(path: Path, sheets: dict[str, list[list]], merge: dict[str, str] | None = None) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for r, row in enumerate(rows, start=1):
            for col, value in enumerate(row, start=1):
                if value is not None:
                    ws.cell(r, col, value)
        if merge and title in merge:
            ws.merge_cells(merge[title])
    wb.save(path)
    return path


def test_import_clean_file(tmp_path):
    path = _xlsx(tmp_path / "clean.xlsx", {"功能分类": [
        ["科目编码", "科目名称"],
        ["201", "一般公共服务支出"],
        ["20103", "政府办公厅（室）及相关机构事务"],
        ["2010308", "信访事务"],
        ["2010397", "省级信访专项"],
    ]})
    imp = import_province_catalog(path, "功能")
    assert imp.problems == [] and imp.borrowed == []
    assert imp.sheets == ["功能分类"]
    assert [(e.code, e.name) for e in imp.entries] == [
        ("201", "一般公共服务支出"), ("20103", "政府办公厅（室）及相关机构事务"),
        ("2010308", "信访事务"), ("2010397", "省级信访专项")]
    assert imp.as_catalog(2024).name("2010397") == "省级信访专项"


def test_import_messy_file(tmp_path):
    rows = [
        ["湖南省2024年政府收支分类科目（支出功能分类）", None, None],
        [None, None, None],
        ["序号", "功能分类科目编码", "科目名称"],
        [None, None, "合计"],
        [1, 201.0, "一般公共服务支出"],
        [None, None, None],
        [2, 20103, "  政府办公厅（室）及相关机构事务"],
        [3, " 2010301 ", "\u3000\u3000行政运行"],
        [4, "201 03 08", "    其中：信访事务"],
        [5, "２０１０３５０", "——事业运行"],
        [None, None, None],
        [6, 221, "住房保障支出"],
        [7, 22102.0, " 住房改革支出 "],
        [8, 2210201, "　住房公积金"],
        [None, "注：本表为示例。", None],
        [None, None, "注：编码以财政部为准"],
    ]
    econ = [["编码", "名称"], [301, "工资福利支出"], [30101, "基本工资"]]
    path = _xlsx(tmp_path / "messy.xlsx", {"功能分类": rows, "经济分类": econ}, merge={"功能分类": "A1:C1"})
    imp = import_province_catalog(path, "功能")
    assert imp.sheets == ["功能分类"]
    assert [(e.code, e.name) for e in imp.entries] == [
        ("201", "一般公共服务支出"), ("20103", "政府办公厅（室）及相关机构事务"),
        ("2010301", "行政运行"), ("2010308", "信访事务"), ("2010350", "事业运行"),
        ("221", "住房保障支出"), ("22102", "住房改革支出"), ("2210201", "住房公积金")]
    # title, blank rows, 合计 and the footnotes (in either column) are not problems
    assert imp.problems == []

    econ_imp = import_province_catalog(path, "经济")
    assert econ_imp.sheets == ["经济分类"]
    assert [(e.code, e.name) for e in econ_imp.entries] == [("301", "工资福利支出"), ("30101", "基本工资")]


def test_import_orphan_duplicate_and_bad_codes(tmp_path):
    path = _xlsx(tmp_path / "bad.xlsx", {"Sheet1": [
        ["代码", "名称"],
        ["201", "一般公共服务支出"],
        ["20103", "政府办公厅（室）及相关机构事务"],
        ["2010308", "信访事务"],
        ["2010308", "信访工作"],      # duplicate, different name
        ["2010308", "信访事务"],      # duplicate, same name: not a problem
        ["2019801", "无上级的项"],    # orphan: 20198 exists nowhere
        ["2080505", "机关事业单位基本养老保险缴费支出"],  # parents only in the bundled catalog
        ["2010", "四位编码"],
        ["20103A", "带字母"],        # text in the code column that is not a code
        ["2010350", None],
        [None, "只有名称"],
    ]})
    imp = import_province_catalog(path, "功能", year=2023)
    codes = [e.code for e in imp.entries]
    assert codes == ["201", "20103", "2010308", "208", "20805", "2080505"]
    assert imp.borrowed == ["208", "20805"]
    assert {e.code: e.name for e in imp.entries}["20805"] == "行政事业单位养老支出"
    by_row = {p.row: p.message for p in imp.problems}
    assert set(by_row) == {5, 7, 9, 10, 11, 12}
    assert "重复" in by_row[5] and "第4行" in by_row[5] and "信访工作" in by_row[5]
    assert "2019801" in by_row[7] and "上级科目20198" in by_row[7]
    assert "2010" in by_row[9] and "3/5/7" in by_row[9]
    assert "20103A" in by_row[10]
    assert "没有科目名称" in by_row[11]
    assert "只有名称" in by_row[12]
    assert all(str(p).startswith("工作表“Sheet1”第") for p in imp.problems)


def test_import_economic_rejects_seven_digit_codes(tmp_path):
    path = _xlsx(tmp_path / "econ.xlsx", {"经济分类": [
        ["科目编码", "科目名称"], [302, "商品和服务支出"], [30213, "维修（护）费"], [3021301, "房屋维修"]]})
    imp = import_province_catalog(path, "经济")
    assert [e.code for e in imp.entries] == ["302", "30213"]
    assert len(imp.problems) == 1 and "3021301" in imp.messages[0] and "经济分类" in imp.messages[0]


def test_import_skips_codes_of_other_classifications_with_one_message(tmp_path):
    rows = [["科目编码", "科目名称"], [101, "税收收入"], [10101, "增值税"], [1010101, "国内增值税"], [101010101, "国有企业增值税"],
            [201, "一般公共服务支出"], [501, "机关工资福利支出"]]
    path = _xlsx(tmp_path / "mixed.xlsx", {"总表": rows})
    imp = import_province_catalog(path, "功能")
    assert [e.code for e in imp.entries] == ["201"]
    assert imp.messages == ["工作表“总表”：有5个编码（如101、10101、1010101）不以2开头，不属于支出功能分类科目，已跳过。"]


def test_import_falls_back_to_unnamed_sheets(tmp_path):
    path = _xlsx(tmp_path / "fb.xlsx", {
        "功能分类说明": [["本工作簿为2024年功能分类科目"]],
        "经济分类": [["编码", "名称"], [301, "工资福利支出"]],
        "Sheet3": [["编码", "名称"], [201, "一般公共服务支出"]],
    })
    imp = import_province_catalog(path, "功能")
    assert imp.sheets == ["Sheet3"] and [e.code for e in imp.entries] == ["201"]


def test_import_without_headers(tmp_path):
    path = _xlsx(tmp_path / "plain.xlsx", {"Sheet1": [
        [201, "一般公共服务支出"], [20103, "政府办公厅（室）及相关机构事务"], [2010308, "信访事务"]]})
    imp = import_province_catalog(path, "功能")
    assert [e.code for e in imp.entries] == ["201", "20103", "2010308"] and imp.problems == []
    # name column left of the code column
    path2 = _xlsx(tmp_path / "plain2.xlsx", {"Sheet1": [["一般公共服务支出", "201"], ["信访事务", "2010308"]]})
    imp2 = import_province_catalog(path2, "功能", year=2020)
    assert [(e.code, e.name) for e in imp2.entries] == [
        ("201", "一般公共服务支出"), ("20103", "政府办公厅（室）及相关机构事务"), ("2010308", "信访事务")]
    assert imp2.borrowed == ["20103"]


def test_import_unreadable_files_raise_catalog_error(tmp_path):
    txt = tmp_path / "catalog.txt"
    txt.write_text("201,一般公共服务支出\n", encoding="utf-8")
    with pytest.raises(CatalogError, match="不是有效的 Excel"):
        import_province_catalog(txt, "功能")
    fake = tmp_path / "fake.xlsx"
    fake.write_text("这不是 Excel 文件", encoding="utf-8")
    with pytest.raises(CatalogError, match="不是有效的 Excel"):
        import_province_catalog(fake, "功能")
    old = tmp_path / "old.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    with pytest.raises(CatalogError, match="另存为 .xlsx"):
        import_province_catalog(old, "功能")
    with pytest.raises(CatalogError, match="找不到文件"):
        import_province_catalog(tmp_path / "missing.xlsx", "功能")
    no_codes = _xlsx(tmp_path / "words.xlsx", {"Sheet1": [["说明"], ["本文件没有科目"]]})
    with pytest.raises(CatalogError, match="找不到科目编码列"):
        import_province_catalog(no_codes, "功能")


def test_save_catalog_round_trip(tmp_path):
    path = _xlsx(tmp_path / "p.xlsx", {"功能分类": [
        ["科目编码", "科目名称"], ["2010308", "信访事务"], ["2010397", "省级信访专项"]]})
    imp = import_province_catalog(path, "功能", year=2021)
    out = save_catalog(imp, tmp_path / "cats" / catalog_file_name("功能", 2025))
    assert out.name == "功能分类_2025.csv"
    assert out.read_text(encoding="utf-8") == (
        "code,name\n201,一般公共服务支出\n20103,政府办公厅（室）及相关机构事务\n"
        "2010308,信访事务\n2010397,省级信访专项\n")
    assert catalog_files("功能", tmp_path / "cats") == {2025: out}
    back = load_catalog_file(out)
    assert (back.classification, back.year) == ("功能", 2025)
    assert [(e.code, e.name) for e in back] == [(e.code, e.name) for e in imp.entries]
    save_catalog([("30213", "维修（护）费"), ("302", "商品和服务支出")], tmp_path / "e.csv")
    assert (tmp_path / "e.csv").read_text(encoding="utf-8").splitlines()[1:] == [
        "302,商品和服务支出", "30213,维修（护）费"]


def test_broken_catalog_file_is_reported_with_line(tmp_path):
    p = tmp_path / "功能分类_2030.csv"
    p.write_text("code,name\n201,一般公共服务支出\n20x03,坏编码\n", encoding="utf-8")
    with pytest.raises(CatalogError, match="第3行"):
        load_catalog_file(p)
    p.write_text("编码,名称\n201,一般公共服务支出\n", encoding="utf-8")
    with pytest.raises(CatalogError, match="code,name"):
        load_catalog_file(p)
    p.write_text("\ufeffcode,name\r\n201,一般公共服务支出\r\n", encoding="utf-8")  # saved by Excel
    assert load_catalog_file(p).name("201") == "一般公共服务支出"


def test_new_file_in_catalog_dir_takes_over_from_its_year(tmp_path, monkeypatch):
    for p in CATALOG_DIR.glob("*.csv"):
        (tmp_path / p.name).write_bytes(p.read_bytes())
    save_catalog([CatalogEntry("201", "一般公共服务支出"), CatalogEntry("20140", "信访事务")],
                 tmp_path / catalog_file_name("功能", 2024))
    monkeypatch.setattr(cat, "CATALOG_DIR", tmp_path)
    cat.clear_cache()
    try:
        assert catalog("功能", 2024).year == 2024
        assert name_for("功能", "20140", 2024) == "信访事务"
        assert name_for("功能", "20140", 2023) is None
    finally:
        monkeypatch.undo()
        cat.clear_cache()
    assert catalog("功能", 2024).year == 2021


# ── integration and start-up cost ──────────────────────────────────────────
def test_workbook_row_label_uses_the_catalog_unless_the_clerk_typed_a_name():
    from services.templates import load_template_file
    from services.workbook import Workbook

    wb = Workbook.new(load_template_file(TEMPLATE_DIR / "national-2020.toml"), 2020)
    wb.add_code("03", "2010308")
    assert wb.row_label("03", "2010308") == "信访事务"
    assert wb.row_label("03", "20103") == "政府办公厅（室）及相关机构事务"
    wb.add_code("03", "2010308", "信访工作经费")
    assert wb.row_label("03", "2010308") == "信访工作经费"


def test_catalog_module_does_not_import_openpyxl_or_qt():
    code = (
        "import sys; import services.catalog as c; c.name_for('功能', '201', 2020); "
        "c.catalog('经济', 2023).search('费'); "
        "print('openpyxl' in sys.modules, any(m.startswith('PySide6') for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_catalog_class_is_usable_directly():
    c = Catalog("经济", 2030, [CatalogEntry("302", "商品和服务支出"), CatalogEntry("30201", "办公费")])
    assert len(c) == 2 and c.name("30201") == "办公费" and c.parent("30201").code == "302"
    assert "2 个科目" in repr(c)
