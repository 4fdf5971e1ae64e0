"""Excel import/export of the publication layout: fixtures, messy variants, bad input, round trips."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.templates import get_template
from services.workbook import Cell, Workbook
from services.xlsx_export import export_xlsx
from services.xlsx_import import ImportResult, XlsxImportError, import_xlsx
from tests import xlsx_variants as V

ZHUZHOU = V.FIXTURES / "zhuzhou_2020.xlsx"
WUHAN = V.FIXTURES / "wuhan_2020.xlsx"

pytestmark = pytest.mark.skipif(not ZHUZHOU.exists(), reason=f"fixtures not found in {V.FIXTURES} (set JUESUAN_SHARED)")

_cache: dict[Path, ImportResult] = {}


def clean(path: Path) -> ImportResult:
    if path not in _cache:
        _cache[path] = import_xlsx(path)
    return _cache[path]


def v(wb: Workbook, table: str, row: str, col: int) -> Decimal | None:
    return wb.get(Cell(table, row, col))


def D(s: str) -> Decimal:
    return Decimal(s)


def same(a: Workbook, b: Workbook) -> None:
    """Every value, code, name, the department, year and template are identical."""
    assert a.template.id == b.template.id
    assert (a.year, a.department) == (b.year, b.department)
    diff = {k: (a.values.get(k), b.values.get(k)) for k in set(a.values) | set(b.values) if a.values.get(k) != b.values.get(k)}
    assert diff == {}
    assert a.coded == b.coded


# ── how cells are read ─────────────────────────────────────────────────────
def test_cell_spellings() -> None:
    from services.xlsx_cells import as_code, as_int, header_key, label_key
    from services.xlsx_layout import clean_title, meta_kind, table_number

    assert as_code(2010301.0) == ("2010301", "")
    assert as_code("2010308 信访事务") == ("2010308", "信访事务")
    assert as_code("２０１０３ 政府办公厅（室）") == ("20103", "政府办公厅（室）")
    assert as_code("432.32") is None and as_code(432.32) is None and as_code(2020) is None
    assert as_int("14") == 14 and as_int(14.0) == 14 and as_int("1,717.31") is None
    assert label_key("十九、住房保障支出") == label_key("住房保障支出（类）") == "住房保障支出"
    assert header_key("本年收\n入合计") == "本年收入合计"
    assert header_key("因公出国 (境) 费") == header_key("因公出国（境）费")
    assert clean_title("2020 年度收入支出决算总表（表 1）") == ("收入支出决算总表", 1)
    assert clean_title("一般公共预算财政拨款“三公”经费支出决算表")[0] == "一般公共预算财政拨款三公经费支出决算表"
    assert [table_number(x) for x in ("公开01表", "公开 01 表", "表1", "（表 9）", "附表")] == [1, 1, 1, 9, None]
    assert meta_kind("部门：株\n洲市渌口\n区信访局") == ("dept", "株洲市渌口区信访局")
    assert meta_kind("编制单位：长沙市信访局     单位：万元") == ("dept", "长沙市信访局")
    assert meta_kind("单位：\n万元") == ("unit", "万元") and meta_kind("金额单位：元") == ("unit", "元")
    assert meta_kind("2023 年度") == ("year", 2023) and meta_kind("填报日期：2021年3月5日") is None


def test_longest_title_wins() -> None:
    from services.xlsx_layout import match_title

    t2020, t2023 = get_template("national-2020"), get_template("national-2023")
    assert match_title("财政拨款收入支出决算总表", t2020).no == "04"  # not 01
    assert match_title("政府性基金预算财政拨款收入支出决算表", t2020).no == "08"  # not 03
    assert match_title("政府性基金预算财政拨款收入支出决算表", t2023).no == "07"
    assert match_title("财政拨款三公经费支出决算表", t2023).no == "09"
    assert match_title("项目支出决算表", t2020) is None  # another table, not 支出决算表


# ── the fixtures as published ──────────────────────────────────────────────
@pytest.mark.parametrize(
    "path, department", [(ZHUZHOU, "株洲市渌口区信访局"), (WUHAN, "武汉市汉阳区信访局")], ids=["zhuzhou", "wuhan"]
)
def test_fixture_imports_completely(path: Path, department: str) -> None:
    res = clean(path)
    assert res.unplaced == []
    wb = res.workbook
    assert wb.template.id == "national-2020"
    assert wb.year == 2020
    assert wb.department == department
    assert sorted(res.found) == [f"{i:02d}" for i in range(1, 10)]
    assert any("文件名" in n for n in res.notes)  # neither fixture prints its year


def test_zhuzhou_values() -> None:
    wb = clean(ZHUZHOU).workbook
    # 01: both sides on the same sheet rows; 行次 printed 14..26 do not fool the label match
    assert v(wb, "01", "一般公共预算财政拨款收入", 1) == D("432.32")
    assert v(wb, "01", "本年收入合计", 1) == D("432.32")
    assert v(wb, "01", "年初结转和结余", 1) == D("0.06")
    assert v(wb, "01", "收入总计", 1) == D("432.39")
    assert v(wb, "01", "使用非财政拨款结余", 1) == 0  # printed 0.00: zero, not blank
    assert v(wb, "01", "201", 2) == D("425.36")
    assert v(wb, "01", "221", 2) == D("7.03")
    assert v(wb, "01", "202", 2) is None  # printed blank: stays blank
    assert v(wb, "01", "本年支出合计", 2) == D("432.39")
    assert v(wb, "01", "支出总计", 2) == D("432.39")
    assert v(wb, "01", "年末结转和结余", 2) == 0
    assert len([c for c in wb.values if c.table == "01"]) == 18
    # 02 / 03 / 05: by code, names kept
    assert v(wb, "02", "合计", 1) == D("432.32")
    assert v(wb, "02", "2010308", 2) == D("425.29")
    assert v(wb, "02", "22102", 7) == 0
    assert wb.coded["02"]["20103"] == "政府办公厅（室）及相关机构事务"
    assert v(wb, "03", "2210201", 1) == D("7.03")
    assert v(wb, "03", "合计", 2) == D("432.39")
    assert v(wb, "05", "合计", 3) == 0
    assert v(wb, "05", "2010308", 1) == D("425.36")
    # 04: the second "一般公共预算财政拨款" is the 年初 split, not row 1
    assert v(wb, "04", "一般公共预算财政拨款", 1) == D("432.32")
    assert v(wb, "04", "年初财政拨款结转和结余", 1) == D("0.06")
    assert v(wb, "04", "年初-一般公共预算财政拨款", 1) == D("0.06")
    assert v(wb, "04", "年初-政府性基金预算财政拨款", 1) == 0
    assert v(wb, "04", "收入总计", 1) == D("432.39")
    assert v(wb, "04", "221", 3) == D("7.03")
    assert v(wb, "04", "201", 4) == 0
    assert v(wb, "04", "支出总计", 2) == D("432.39")
    assert v(wb, "04", "年末财政拨款结转和结余", 5) == 0
    # 06: three column groups, totals on the last line (公用经费合计 printed in the last column)
    assert v(wb, "06", "301", 1) == D("120.53")
    assert v(wb, "06", "30309", 1) == D("100.10")
    assert v(wb, "06", "30299", 1) == D("36.70")
    assert v(wb, "06", "31002", 1) == D("1.65")
    assert v(wb, "06", "39908", 1) == 0
    assert v(wb, "06", "人员经费合计", 1) == D("241.36")
    assert v(wb, "06", "公用经费合计", 1) == D("191.03")
    assert wb.coded["06"]["30213"] == "维修（护）费"
    assert len(wb.coded["06"]) == 80
    # 07: one row, no label
    assert v(wb, "07", "三公经费", 1) == D("0.31")
    assert v(wb, "07", "三公经费", 6) == D("0.31")
    assert v(wb, "07", "三公经费", 7) == D("0.2")
    assert v(wb, "07", "三公经费", 12) == D("0.2")
    # 08 / 09: 合计 printed with blanks, "故本表无数据"
    assert wb.is_empty("08") and wb.coded["08"] == {}
    assert wb.is_empty("09") and wb.coded["09"] == {}


def test_wuhan_values() -> None:
    wb = clean(WUHAN).workbook
    assert v(wb, "01", "201", 2) == D("654.4")  # 行 31
    assert v(wb, "01", "213", 2) == D("3")
    assert v(wb, "01", "政府性基金预算财政拨款收入", 1) is None
    assert v(wb, "01", "收入总计", 1) == D("707.12")
    # 类/款/项 columns, code in the 类 column; names broken by spaces are joined
    assert v(wb, "02", "2080506", 1) == D("3.44")
    assert wb.coded["02"]["2080506"] == "机关事业单位职业年金缴费支出"
    assert wb.coded["02"]["20103"] == "政府办公厅（室）及相关机构事务"
    assert v(wb, "02", "合计", 3) is None
    assert v(wb, "03", "合计", 2) == D("333.02")
    assert v(wb, "03", "合计", 3) == D("374.1")
    assert v(wb, "05", "2130599", 3) == D("3")
    assert v(wb, "04", "210", 3) == D("28.71")
    assert v(wb, "04", "年初财政拨款结转和结余", 1) is None
    assert v(wb, "06", "人员经费合计", 1) == D("320.66")
    assert v(wb, "06", "公用经费合计", 1) == D("12.36")
    assert v(wb, "06", "30207", 1) == D("0.02")
    assert v(wb, "06", "30111", 1) is None
    assert wb.coded["06"]["31204"] == "费用补贴"  # a code the template's default rows lack
    assert "30101" in wb.coded["06"] and "31001" not in wb.coded["06"]  # the file's rows only
    assert v(wb, "07", "三公经费", 1) == 0
    assert v(wb, "07", "三公经费", 7) is None
    assert len([c for c in wb.values if c.table == "07"]) == 6


# ── messy variants of the fixtures ─────────────────────────────────────────
VARIANTS = {
    "renamed-shuffled": [V.rename_and_shuffle],
    "moved-blank-rows": [V.shift(4, 3), V.blank_rows(3)],
    "text-amounts": [V.amounts_as_text],
    "codes-as-numbers": [V.codes_as_numbers],
    "merged-headers": [V.merge_headers],
    "broken-headers": [V.broken_headers, V.merge_headers],
    "extra-sheet": [V.extra_sheet],
    "no-lanci-row": [V.drop_lanci],
    "no-lanci-merged-broken": [V.drop_lanci, V.merge_headers, V.broken_headers, V.shift(1, 1)],
    "code-with-name": [V.code_with_name],
    "printed-quirks": [V.printed_quirks],
    "year-in-titles": [V.year_in_titles(2020)],
    "numbers-not-titles": [V.drop_titles, V.rename_and_shuffle],
    "everything": [
        V.merge_headers,
        V.broken_headers,
        V.amounts_as_text,
        V.codes_as_numbers,
        V.shift(2, 1),
        V.blank_rows(5),
        V.rename_and_shuffle,
        V.extra_sheet,
    ],
}


@pytest.mark.parametrize("fixture", [ZHUZHOU, WUHAN], ids=["zhuzhou", "wuhan"])
@pytest.mark.parametrize("name", list(VARIANTS))
def test_variant_imports_like_clean(tmp_path: Path, fixture: Path, name: str) -> None:
    # keep the year in the file name (the fixtures print no year) unless the titles carry it
    dst = tmp_path / ("variant.xlsx" if name == "year-in-titles" else f"variant_2020_{name}.xlsx")
    res = import_xlsx(V.build(fixture, dst, *VARIANTS[name]))
    assert [str(u) for u in res.unplaced] == []
    same(clean(fixture).workbook, res.workbook)
    assert not any("没有找到" in n or "不止一次" in n for n in res.notes)  # a 目录 is not a table


def test_split_codes(tmp_path: Path) -> None:
    """类 / 款 / 项 printed in separate columns, the 类 only on its own row."""
    res = import_xlsx(V.build(WUHAN, tmp_path / "split_2020.xlsx", V.split_codes, V.codes_as_numbers))
    assert res.unplaced == []
    same(clean(WUHAN).workbook, res.workbook)


def test_amounts_in_yuan(tmp_path: Path) -> None:
    res = import_xlsx(V.build(ZHUZHOU, tmp_path / "yuan_2020.xlsx", V.in_yuan(5)))
    assert res.unplaced == []
    same(clean(ZHUZHOU).workbook, res.workbook)
    assert any("公开06表" in n and "元" in n for n in res.notes)


def test_garbage_amount_is_reported_and_rest_imported(tmp_path: Path) -> None:
    res = import_xlsx(V.build(ZHUZHOU, tmp_path / "bad_2020.xlsx", V.garbage("公开06表", "C12", "四百三十二")))
    assert len(res.unplaced) == 1
    u = res.unplaced[0]
    assert (u.ref, u.value, u.table) == ("公开06表!C12", "四百三十二", "06")
    assert "不是金额" in u.reason
    wb, ref = res.workbook, clean(ZHUZHOU).workbook
    assert v(wb, "06", "30109", 1) is None
    assert "30109" in wb.coded["06"]
    assert {k: x for k, x in ref.values.items() if k != Cell("06", "30109", 1)} == wb.values


def test_unknown_row_and_ellipsis_with_figures_are_reported(tmp_path: Path) -> None:
    def t(book) -> None:
        ws = book["公开01表"]
        ws["F13"] = 1.5  # the "七、……" row
        ws["A15"], ws["C15"] = "九、捐赠收入", 2  # not a row of the template
        ws["J9"] = 3  # right of the table, under no header

    res = import_xlsx(V.build(ZHUZHOU, tmp_path / "rows_2020.xlsx", t))
    got = {u.ref: u.reason for u in res.unplaced}
    assert set(got) == {"公开01表!F13", "公开01表!C15", "公开01表!J9"}
    assert "省略行" in got["公开01表!F13"]
    assert "捐赠收入" in got["公开01表!C15"]
    assert res.workbook.values == clean(ZHUZHOU).workbook.values


def test_line_number_used_only_when_label_is_empty_and_numbering_is_the_templates(tmp_path: Path) -> None:
    def no_label(sheet: str) -> V.Transform:
        return V.garbage(sheet, "A7", None)  # "一、一般公共预算财政拨款收入" erased

    wuhan = import_xlsx(V.build(WUHAN, tmp_path / "w_2020.xlsx", no_label("表1")))
    assert wuhan.unplaced == []  # 行次 1 = template line 1: placed by 行次
    same(clean(WUHAN).workbook, wuhan.workbook)
    zhuzhou = import_xlsx(V.build(ZHUZHOU, tmp_path / "z_2020.xlsx", no_label("公开01表")))
    assert [u.ref for u in zhuzhou.unplaced] == ["公开01表!C7"]  # seed 000 numbers its own way
    assert v(zhuzhou.workbook, "01", "一般公共预算财政拨款收入", 1) is None


def test_missing_table_is_noted(tmp_path: Path) -> None:
    def t(book) -> None:
        del book["公开06表"]

    res = import_xlsx(V.build(ZHUZHOU, tmp_path / "no06_2020.xlsx", t, V.extra_sheet))
    assert res.unplaced == [] and "06" not in res.found
    assert any("没有找到公开06表" in n for n in res.notes)
    assert res.workbook.is_empty("06")
    ref = clean(ZHUZHOU).workbook
    assert res.workbook.values == {k: x for k, x in ref.values.items() if k.table != "06"}


def test_duplicate_table_keeps_first_and_reports_differences(tmp_path: Path) -> None:
    def t(book) -> None:
        copy = book.copy_worksheet(book["公开07表"])
        copy["L8"] = 9.99

    res = import_xlsx(V.build(ZHUZHOU, tmp_path / "dup_2020.xlsx", t))
    assert [u.cell for u in res.unplaced] == ["L8"]
    assert "重复" in res.unplaced[0].reason
    assert any("不止一次" in n for n in res.notes)
    assert res.workbook.values == clean(ZHUZHOU).workbook.values


# ── a 2023-layout workbook typed from seed 003, all tables on one sheet ───────
def seed003(tmp_path: Path) -> ImportResult:
    return import_xlsx(V.seed_workbook(tmp_path / "changsha.xlsx"))


def test_seed003_one_sheet_2023_layout(tmp_path: Path) -> None:
    res = seed003(tmp_path)
    assert [str(u) for u in res.unplaced] == []
    wb = res.workbook
    assert (wb.template.id, wb.year, wb.department) == ("national-2023", 2023, "长沙市信访局")
    assert sorted(res.found) == [f"{i:02d}" for i in range(1, 10)]
    assert v(wb, "01", "一般公共预算财政拨款收入", 1) == D("1717.31")  # printed "1,717.31"
    assert v(wb, "01", "使用非财政拨款结余", 1) == 0  # 2023 label: …和专用结余
    assert v(wb, "01", "收入总计", 1) == D("1717.31")
    assert v(wb, "01", "234", 2) == 0
    assert len([c for c in wb.values if c.table == "01"]) == 42
    assert v(wb, "02", "2010301", 1) == D("1435.88")
    assert v(wb, "03", "2010308", 3) == D("281.43")
    assert v(wb, "04", "201", 3) == D("1717.31")
    assert v(wb, "04", "年初-国有资本经营预算财政拨款", 1) == 0
    assert v(wb, "05", "合计", 2) == D("1435.88")
    assert v(wb, "06", "301", 1) == D("1194.53")
    assert v(wb, "06", "30399", 1) == D("11.40")
    assert v(wb, "06", "39910", 1) == 0
    assert wb.coded["06"]["39909"] == "经常性赠与"
    assert v(wb, "06", "人员经费合计", 1) == D("1311.48")
    assert v(wb, "06", "公用经费合计", 1) == D("124.40")
    assert v(wb, "07", "合计", 6) == 0  # 政府性基金 in 2023: an empty table printed with 0.00
    assert wb.coded["07"] == {}
    assert v(wb, "09", "三公经费", 1) == D("9.13")  # 三公 is table 09 in 2023
    assert v(wb, "09", "三公经费", 5) == D("7.00")
    assert v(wb, "09", "三公经费", 9) == D("4.91")
    assert v(wb, "09", "三公经费", 12) == D("2.13")


def test_seed003_matches_the_hand_typed_workbook(tmp_path: Path) -> None:
    """The same document typed by hand into a Workbook (tests/seed003.py) gives the same figures."""
    typed = pytest.importorskip("tests.seed003").seed003()
    got = seed003(tmp_path).workbook
    assert (got.template.id, got.year, got.department) == (typed.template.id, typed.year, typed.department)
    assert got.values == typed.values
    assert got.coded == typed.coded


def test_seed003_messy(tmp_path: Path) -> None:
    src = V.seed_workbook(tmp_path / "changsha.xlsx")
    res = import_xlsx(V.build(src, tmp_path / "messy.xlsx", V.codes_as_numbers, V.shift(3, 2), V.blank_rows(7), V.extra_sheet))
    assert [str(u) for u in res.unplaced] == []
    same(seed003(tmp_path).workbook, res.workbook)


def test_titles_win_over_year(tmp_path: Path) -> None:
    res = import_xlsx(V.seed_workbook(tmp_path / "changsha.xlsx"), year=2021)
    assert (res.workbook.template.id, res.workbook.year) == ("national-2023", 2021)
    assert any("按表样选定" in n for n in res.notes)
    assert any("2023" in n and "2021" in n for n in res.notes)


def test_arguments_override(tmp_path: Path) -> None:
    res = import_xlsx(ZHUZHOU, year=2021, template_id="national-2020")
    assert (res.workbook.year, res.workbook.template.id) == (2021, "national-2020")
    assert res.workbook.values == clean(ZHUZHOU).workbook.values


# ── files that cannot be read ──────────────────────────────────────────────
def _msg(path: Path) -> str:
    with pytest.raises(XlsxImportError) as e:
        import_xlsx(path)
    msg = str(e.value)
    assert "\n" not in msg and path.name in msg
    return msg


def test_unreadable_files(tmp_path: Path) -> None:
    text = tmp_path / "表.xlsx"
    text.write_text("收入支出决算总表,432.39", encoding="utf-8")
    assert "不是 Excel" in _msg(text)
    xls = tmp_path / "old.xlsx"
    xls.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)  # .xls / password-protected
    assert "密码" in _msg(xls)
    broken = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(broken, "w") as z:
        z.writestr("hello.txt", "not a workbook")
    assert "损坏" in _msg(broken)
    assert "找不到" in _msg(tmp_path / "missing.xlsx")


def test_empty_workbook(tmp_path: Path) -> None:
    from openpyxl import Workbook as XlBook

    p = tmp_path / "empty.xlsx"
    XlBook().save(p)
    assert "没有找到决算公开表" in _msg(p)
    toc = XlBook()
    toc.active.append(["目录"])
    toc.active.append(["一、收入支出决算总表", 5])
    toc.active.append(["二、收入决算表", 6])
    toc.save(p)
    assert "没有认出任何表格" in _msg(p)


# ── export and round trips ─────────────────────────────────────────────────
@pytest.mark.parametrize("fixture", [ZHUZHOU, WUHAN], ids=["zhuzhou", "wuhan"])
def test_round_trip_fixtures(tmp_path: Path, fixture: Path) -> None:
    before = clean(fixture).workbook
    out = tmp_path / "out.xlsx"
    export_xlsx(before, out)
    res = import_xlsx(out)
    assert res.unplaced == [] and not any("文件名" in n for n in res.notes)  # the year is printed
    same(before, res.workbook)


def test_round_trip_2023(tmp_path: Path) -> None:
    before = seed003(tmp_path).workbook
    export_xlsx(before, tmp_path / "out.xlsx")
    res = import_xlsx(tmp_path / "out.xlsx")
    assert res.unplaced == []
    same(before, res.workbook)


def test_export_layout(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    out = tmp_path / "out.xlsx"
    export_xlsx(clean(ZHUZHOU).workbook, out)
    book = load_workbook(out)
    assert book.sheetnames == [f"公开{i:02d}表" for i in range(1, 10)]
    ws = book["公开06表"]
    texts = {c.value for row in ws.iter_rows(max_row=5) for c in row if isinstance(c.value, str)}
    assert {"一般公共预算财政拨款基本支出决算表", "公开06表", "部门：株洲市渌口区信访局", "2020 年度", "单位：万元"} <= texts
    codes = [c for c in ws["A"] if c.value == "301"]
    assert codes and isinstance(codes[0].value, str)  # codes are text
    amount = ws.cell(codes[0].row, 3)
    assert amount.value == pytest.approx(120.53) and amount.number_format == "#,##0.00"
    assert isinstance(amount.value, float)  # a number Excel can sum, not text
    ws7 = book["公开07表"]
    merged = {str(m) for m in ws7.merged_cells.ranges}
    assert {"A4:F4", "G4:L4", "C5:E5", "A5:A6"} <= merged  # 预算数 / 决算数 groups


def test_export_drops_characters_excel_refuses(tmp_path: Path) -> None:
    wb = Workbook.new(get_template("national-2020"), 2020, "某某\x07区信访局")
    wb.add_code("02", "2010308", "信访\x00事务")
    export_xlsx(wb, tmp_path / "out.xlsx")
    res = import_xlsx(tmp_path / "out.xlsx")
    assert res.workbook.department == "某某区信访局"
    assert res.workbook.coded["02"]["2010308"] == "信访事务"


def test_export_failure_is_reported(tmp_path: Path) -> None:
    from services.xlsx_export import XlsxExportError

    with pytest.raises(XlsxExportError) as e:
        export_xlsx(clean(ZHUZHOU).workbook, tmp_path / "no-such-dir" / "out.xlsx")
    assert "无法保存" in str(e.value)


_amounts = st.decimals(min_value=Decimal("-99999.99"), max_value=Decimal("99999999.99"), places=2, allow_nan=False)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_round_trip_random_workbooks(data) -> None:
    """Any figures in any cell of either template survive export → import exactly."""
    template = get_template(data.draw(st.sampled_from(["national-2020", "national-2023"])))
    wb = Workbook.new(template, min(template.years), "某某区信访局")
    for no, t in template.tables.items():
        if t.coded:
            prefix = "3" if t.classification == "经济" else "2"
            codes = data.draw(st.lists(st.from_regex(rf"{prefix}0[1-9](0[1-9](0[1-9])?)?", fullmatch=True), max_size=4))
            wb.coded[no] = {}
            for code in codes:
                wb.add_code(no, code, f"科目{code}")
        for row in wb.row_keys(no):
            for col in wb.row_columns(no, row):
                if data.draw(st.booleans()):
                    wb.set(Cell(no, row, col), data.draw(_amounts))
    for names in wb.coded.values():  # parents added for a child have no name: give them one
        for code in names:
            names[code] = names[code] or f"科目{code}"
    with tempfile.TemporaryDirectory() as d:
        export_xlsx(wb, Path(d) / "r.xlsx")
        res = import_xlsx(Path(d) / "r.xlsx")
    assert res.unplaced == []
    same(wb, res.workbook)


def test_no_openpyxl_or_qt_at_import() -> None:
    code = (
        "import sys, services.xlsx_import, services.xlsx_export; "
        "assert 'openpyxl' not in sys.modules, 'openpyxl imported at start-up'; "
        "assert 'PySide6' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).resolve().parent.parent)
