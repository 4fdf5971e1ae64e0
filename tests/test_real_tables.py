"""Real published disclosures of departments the product has never seen (上海市普陀区 2024/2025),
as clerks' workbooks: every printed figure is placed and exactly the documents' own
inconsistencies are found — no more, whatever the workbook's layout.

The expected findings are the documents' arithmetic gaps as listed, figure by figure, in
`tests/data/real/SOURCES.md` (found there by adding the printed figures, not by this program).
"""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from services.engine import INCOMPLETE_RULE, check_workbook
from services.templates import WARNING
from services.xlsx_import import import_xlsx
from tests import real_workbooks as R
from tests.paths import ROOT

SOURCES = R.sources()

# (rule, table, row, 栏, printed, what its parts add up to)
EXPECTED: dict[str, set[tuple[str, str, str, int, str, str]]] = {
    "putuo_czj_2024": {
        ("表间-01各类对03", "01", "208", 2, "326.71", "326.72"),
        ("02-合计", "02", "合计", 1, "2946.25", "2946.26"),
        ("02-合计", "02", "合计", 2, "2940.05", "2940.06"),
        ("03-合计", "03", "合计", 1, "2940.05", "2940.06"),
        ("03-合计", "03", "合计", 2, "2336.91", "2336.92"),
        ("表间-04各类对05", "04", "208", 3, "326.71", "326.72"),
        ("05-合计", "05", "合计", 1, "2940.05", "2940.06"),
        ("05-合计", "05", "合计", 2, "2336.91", "2336.92"),
        ("06-类", "06", "301", 1, "2082.85", "2082.86"),
        ("06-类", "06", "302", 1, "171.07", "171.09"),
    },
    "putuo_ghzy_2024": {
        ("表间-01各类对03", "01", "210", 2, "236.63", "236.64"),
        ("表间-01各类对03", "01", "212", 2, "3845.25", "3845.24"),
        ("表间-04各类对05", "04", "210", 3, "236.63", "236.64"),
        ("04-支出合计", "04", "本年支出合计", 2, "9746.50", "9746.49"),
        ("04-支出合计", "04", "本年支出合计", 3, "9746.50", "9746.49"),
        ("05-栏合计", "05", "212", 1, "3832.36", "3832.35"),
        ("05-栏合计", "05", "21201", 1, "1092.80", "1092.79"),
        ("05-栏合计", "05", "2120101", 1, "1092.80", "1092.79"),
        ("05-栏合计", "05", "合计", 1, "9746.50", "9746.49"),
        ("06-类", "06", "302", 1, "440.90", "440.88"),
        ("06-人员经费", "06", "人员经费合计", 1, "4884.09", "4884.10"),
    },
    "putuo_shgzb_2024": {
        ("06-类", "06", "302", 1, "10.23", "10.22"),
        ("表间-05基本支出对06", "05", "合计", 2, "105.58", "105.59"),
    },
    "putuo_sthjj_2025": {
        ("03-栏合计", "03", "211", 1, "3742.47", "3742.46"),
        ("03-栏合计", "03", "21111", 1, "1576.19", "1576.18"),
        ("03-栏合计", "03", "2111101", 1, "1493.39", "1493.38"),
        ("03-合计", "03", "合计", 3, "1367.76", "1367.75"),
        ("05-栏合计", "05", "211", 1, "3742.47", "3742.46"),
        ("05-栏合计", "05", "21111", 1, "1576.19", "1576.18"),
        ("05-栏合计", "05", "2111101", 1, "1493.39", "1493.38"),
        ("05-栏合计", "05", "合计", 1, "4733.14", "4733.13"),
        ("06-类", "06", "310", 1, "14.44", "14.43"),
        ("06-公用经费", "06", "公用经费合计", 1, "416.36", "416.37"),
    },
}

LAYOUTS = {
    "as_published": {},
    "no_labels_one_sheet_text_amounts": {"labels": False, "one_sheet": True, "text_amounts": True},
    "merged_headers_long_titles_numeric_codes": {"labels": False, "merged": True, "long_titles": True, "codes_as_numbers": True},
}


def _errors(findings) -> set[tuple[str, str, str, int, str, str]]:
    return {
        (f.rule, f.table, f.cell.row, f.cell.col, f.as_json()["actual"], f.as_json()["expected"])
        for f in findings
        if f.is_error
    }


def _printed_figures(src: Path) -> int:
    """How many figures the transcription prints (blanks are not figures)."""
    d = R.read_tsv(src)
    return sum(1 for t in d.tables for row in t.rows for cell in row if R._AMOUNT.match(cell.strip()))


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_real_disclosure_places_every_figure_and_finds_exactly_its_gaps(tmp_path, name, layout):
    src = SOURCES[name]
    res = import_xlsx(R.build(src, tmp_path / f"{name}.xlsx", **LAYOUTS[layout]))
    assert [str(u) for u in res.unplaced] == []
    assert res.incomplete == {}
    assert res.workbook.template.id == "shanghai-2024"
    assert res.workbook.department == R.read_tsv(src).department  # from the 部门 line or the title
    assert any("shanghai-2024" in n and "采用报表模板" in n for n in res.notes)  # the clerk is told
    # a printed 0.00 is a figure too: every one is in the workbook (zeros included)
    assert len(res.workbook.values) == _printed_figures(src)
    findings = check_workbook(res.workbook)
    assert _errors(findings) == EXPECTED[name]
    assert all(f.possible_rounding for f in findings if f.is_error)  # all 0.01–0.02 gaps


def test_yichuan_2025_real_mistakes_and_a_total_printed_as_headers(tmp_path):
    """宜川路街道 2025: 0.01–0.02 gaps everywhere, 30299 repeating the 302 total, 三公 below 06,
    and a 08 合计 row whose 本年支出 cells print the sub-headers (never read: no red flag)."""
    res = import_xlsx(R.build(SOURCES["putuo_ycl_2025"], tmp_path / "ycl.xlsx"))
    assert [str(u) for u in res.unplaced] == []
    assert list(res.incomplete) == ["08"] and "合计第3栏" in res.incomplete["08"]
    findings = check_workbook(res.workbook)
    errors = _errors(findings)
    assert ("06-类", "06", "302", 1, "1844.57", "3689.14") in errors  # the real copy error
    assert ("01-支出合计", "01", "本年支出合计", 2, "20323.21", "20323.19") in errors
    assert ("表间-05基本支出对06", "05", "合计", 2, "14107.46", "14107.45") in errors
    assert ("03-栏合计", "03", "合计", 1, "20323.21", "20323.22") in errors
    others = [f for f in findings if f.is_error and f.rule != "06-类"]
    assert others and all(f.possible_rounding and abs(f.difference) <= Decimal("0.02") for f in others)
    assert not any(f.is_error and "08" in {c.table for c in f.cells} for f in findings)
    warnings = {(f.rule, f.table) for f in findings if f.severity == WARNING}
    assert {("07-接待费对06表", "07"), ("07-车辆运行对06表", "07"), ("07-出国对06表", "07"), (INCOMPLETE_RULE, "08")} <= warnings


def test_a_lost_column_gives_no_red_flag(tmp_path):
    """The import loses 05's 基本支出 column (its header cell blanked): 05 is reported as read in
    part, every check that reads it is a warning, and the other tables' real gaps stay errors."""
    from openpyxl import load_workbook

    path = R.build(SOURCES["putuo_shgzb_2024"], tmp_path / "shgzb.xlsx")
    book = load_workbook(path)
    ws = book["公开05表"]
    hits = [c for row in ws.iter_rows() for c in row if c.value == "基本支出"]
    assert len(hits) == 1
    hits[0].value = None
    book.save(path)
    res = import_xlsx(path)
    assert "05" in res.incomplete and "第2栏（基本支出）" in res.incomplete["05"]
    findings = check_workbook(res.workbook)
    assert not any(f.is_error and "05" in {c.table for c in f.cells} for f in findings)
    assert any(f.rule == INCOMPLETE_RULE and f.table == "05" for f in findings)
    assert ("06-类", "06", "302", 1, "10.23", "10.22") in _errors(findings)
    # the record travels with the year: a department file knows it too
    from services.store import DepartmentFile

    with DepartmentFile.create(tmp_path / "d.sqlite", res.workbook.department) as f:
        f.save(res.workbook)
    with DepartmentFile.open(tmp_path / "d.sqlite", readonly=True) as f:
        assert f.load(2024).incomplete() == res.incomplete


def test_check_json_on_the_shanghai_sample_from_the_command_line():
    sample = R.SHARED / "samples" / "putuo_czj_2024.xlsx"
    proc = subprocess.run([sys.executable, str(ROOT / "main.py"), "check", "--json", str(sample)],
                          capture_output=True, text=True, encoding="utf-8", cwd=ROOT)
    assert proc.returncode == 1, proc.stderr
    items = json.loads(proc.stdout)
    got = {(i["rule"], i["table"], i["cell"][1], i["cell"][2], i["actual"], i["expected"])
           for i in items if i["severity"] == "error"}
    assert got == EXPECTED["putuo_czj_2024"]
    assert "未能识别" not in proc.stderr  # every figure placed


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_export_reads_back_the_same_in_the_same_template(tmp_path, name):
    """The Excel export prints the printed-table model; importing it gives every figure back."""
    from services.xlsx_export import export_xlsx

    first = import_xlsx(R.build(SOURCES[name], tmp_path / "in.xlsx"))
    export_xlsx(first.workbook, tmp_path / "out.xlsx")
    again = import_xlsx(tmp_path / "out.xlsx", year=first.workbook.year)
    assert [str(u) for u in again.unplaced] == []
    assert again.workbook.template.id == first.workbook.template.id
    assert again.workbook.values == first.workbook.values
    assert again.workbook.coded == first.workbook.coded


def test_a_column_the_table_does_not_print_spares_the_checks_that_do_not_read_it(tmp_path):
    """宜川路 2025 with 02 printed without its 附属单位上缴收入 column (as some provinces print it):
    only the checks that read that column are warnings; 02's real 0.01 gaps in the columns it
    prints stay errors."""
    from openpyxl import load_workbook

    path = R.build(SOURCES["putuo_ycl_2025"], tmp_path / "ycl.xlsx")
    book = load_workbook(path)
    ws = book["公开02表"]
    col = next(c.column for row in ws.iter_rows() for c in row if c.value == "附属单位上缴收入")
    assert all(ws.cell(r, col).value in (None, "附属单位上缴收入") for r in range(1, ws.max_row + 1))  # no figures
    ws.delete_cols(col)
    book.save(path)
    res = import_xlsx(path)
    unread = res.workbook.unread()["02"]
    assert (unread.whole, unread.columns) == (False, frozenset({6})) and "第6栏（附属单位上缴收入）" in unread.why
    findings = check_workbook(res.workbook)
    assert ("02-类", "02", "201", 2, "207.40", "207.41") in _errors(findings)  # still an error
    assert not any(f.is_error and any(c.table == "02" and c.col == 6 for c in f.cells) for f in findings)
    full = check_workbook(import_xlsx(R.build(SOURCES["putuo_ycl_2025"], tmp_path / "full.xlsx")).workbook)
    assert _errors(findings) == _errors(full)  # column 6 was empty: nothing real is lost
