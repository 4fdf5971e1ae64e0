"""The hostile corpus (`tests/hostile.py`) against the program: every class of attack is read or
refused with one line of Chinese, quickly, and changes nothing (issue 18)."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from services.exchange.roster import RosterError, read_roster
from services.xlsx_guard import Limits, WorkbookTooLarge, measure
from services.xlsx_import import XlsxImportError, import_xlsx
from tests import hostile
from tests.conftest import SAMPLE_XLSX

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *args], cwd=ROOT, capture_output=True, text=True,
                          encoding="utf-8", timeout=120)


def one_line_refusal(p: subprocess.CompletedProcess) -> str:
    assert p.returncode == 2, p.stderr
    assert "Traceback" not in p.stderr
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1, p.stderr
    return lines[0]


# ── limits before loading (item 3) ────────────────────────────────────────
def test_a_stray_cell_at_the_end_of_a_sheet_is_read_as_one_cell(tmp_path):
    """The sample with one cell at XFD1048576 imports exactly as the sample does."""
    from openpyxl import load_workbook

    book = load_workbook(SAMPLE_XLSX)
    book.worksheets[0].cell(1048576, 16384, "备注")
    far = tmp_path / "far.xlsx"
    book.save(far)
    assert measure(far).cells < 20_000
    assert import_xlsx(far).workbook.values == import_xlsx(SAMPLE_XLSX).workbook.values


@pytest.mark.parametrize("build, words", [
    (hostile.whole_sheet_merge, "合并单元格“A3:XFD1048576”"),
    (hostile.many_merges, "合并单元格超过 20,000 处"),
    (lambda p: hostile.empty_cells(p, 1_000_000), "单元格超过 300,000 个"),
    (hostile.zip_bomb_entry, "解压后有 400 MB"),
    (hostile.entity_bomb, "文档类型定义（DTD）"),
])
def test_a_workbook_beyond_the_limits_is_refused_before_loading(tmp_path, build, words):
    path = build(tmp_path / "hostile.xlsx")
    assert path.stat().st_size < 1_000_000  # the corpus stays small: bombs are compressed
    line = one_line_refusal(run("check", str(path)))
    assert words in line and "hostile.xlsx" in line
    out = tmp_path / "dept.sqlite"
    one_line_refusal(run("import-xlsx", str(path), "-o", str(out)))
    assert not out.exists()


def test_limits_are_counted_not_declared(tmp_path):
    """A sheet that declares a tiny <dimension> and holds many cells is measured by its cells."""
    path = hostile.stale_dimension(tmp_path / "r.xlsx", [(f"{i:06d}", f"部门{i}") for i in range(1, 200)])
    assert measure(path).cells == 2 * 200
    with pytest.raises(WorkbookTooLarge, match="单元格超过 100 个"):
        measure(path, Limits(cells=100))


def test_a_roster_with_a_stale_dimension_loses_no_department(tmp_path):
    path = hostile.stale_dimension(tmp_path / "名单.xlsx", [("101001", "甲局"), ("101002", "乙局"), ("101003", "丙局")])
    assert [(e.code, e.name) for e in read_roster(path)] == [("101001", "甲局"), ("101002", "乙局"), ("101003", "丙局")]


def test_a_roster_with_a_stray_far_cell_is_read(tmp_path):
    assert [(e.code, e.name) for e in read_roster(hostile.roster_far_cell(tmp_path / "名单.xlsx"))] == [("101001", "某某局")]


@pytest.mark.parametrize("build, words", [
    (hostile.entity_bomb, "文档类型定义"),
    (hostile.long_csv_field, "第 2 行无法读取"),
    (lambda p: hostile.empty_cells(p.with_suffix(".xlsx"), 1_000_000), "单元格超过"),
])
def test_a_hostile_roster_is_refused_and_changes_nothing(tmp_path, build, words):
    path = build(tmp_path / "名单.csv" if build is hostile.long_csv_field else tmp_path / "名单.xlsx")
    with pytest.raises(RosterError, match=words):
        read_roster(path)
    district = tmp_path / "区.sqlite"
    p = run("roster", str(district), str(path))
    assert p.returncode in (1, 2) and "Traceback" not in p.stderr and words in p.stderr
    assert not district.exists()


def test_a_forged_submission_beyond_its_template_is_refused_before_reading(tmp_path):
    from services.exchange.consolidate import consolidate
    from services.exchange.content import Refused
    from services.exchange.gate import open_submission

    sub = hostile.forged_submission(tmp_path / "伪造.sqlite", 31_000, per_row=1)
    with pytest.raises(Refused, match="个科目行，超过报表模板"):
        open_submission(sub)
    district = tmp_path / "区.sqlite"
    result = consolidate([sub], district)
    assert result.refused and not district.exists()


def test_measure_streams_a_big_but_legal_workbook(tmp_path):
    """Measuring is flat in memory: a workbook of 250,000 cells is counted, not held."""
    import tracemalloc

    rows = ((r, [(f"A{r}", r), (f"B{r}", "x")]) for r in range(1, 125_001))
    path = hostile.write_xlsx(tmp_path / "big.xlsx", hostile.rows_xml(rows))
    tracemalloc.start()
    m = measure(path)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert m.cells == 250_000 and m.rows == 125_000
    assert peak < 5 * 2**20


def test_a_damaged_zip_says_so(tmp_path):
    path = tmp_path / "x.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("xl/workbook.xml", "<workbook")
    with pytest.raises(XlsxImportError):
        import_xlsx(path)


def test_a_formula_saved_without_its_result_is_listed_not_dropped(tmp_path):
    """openpyxl (by our program, say) saves formulas without results: the import says which."""
    from openpyxl import load_workbook

    book = load_workbook(SAMPLE_XLSX)
    ws = book.worksheets[0]
    target = next(c for row in ws.iter_rows() for c in row if isinstance(c.value, (int, float)) and c.value)
    target.value = "=1+1"
    path = tmp_path / "公式.xlsx"
    book.save(path)
    res = import_xlsx(path)
    [note] = [n for n in res.notes if "公式单元格没有保存计算结果" in n]
    assert f"{ws.title}!{target.coordinate}" in note
    assert not any("公式单元格" in n for n in import_xlsx(SAMPLE_XLSX).notes)
