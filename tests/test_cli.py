"""The command line, driven from outside as a clerk or a script would: the seeds' real errors,
a clean department, files laid out differently, unreadable files and the import/export cycle."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests import xlsx_variants as V
from tests.paths import FIXTURES, ROOT

ZHUZHOU = FIXTURES / "zhuzhou_2020.xlsx"
WUHAN = FIXTURES / "wuhan_2020.xlsx"
SEED000_ERRORS = {"01-收入总计", "04-收入总计", "04-一般公共预算结转", "06-类"}


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *args], cwd=ROOT, capture_output=True, text=True, encoding="utf-8", timeout=120)


def check_json(path: Path) -> tuple[int, list[dict]]:
    p = run("check", "--json", str(path))
    return p.returncode, json.loads(p.stdout)


def test_seed000_real_mistakes_are_found():
    code, items = check_json(ZHUZHOU)
    assert code == 1
    errors = [i for i in items if i["severity"] == "error"]
    assert {i["rule"] for i in errors} == SEED000_ERRORS
    assert len(errors) == 4
    total = next(i for i in errors if i["rule"] == "01-收入总计")
    assert (total["expected"], total["actual"], total["difference"]) == ("432.38", "432.39", "0.01")
    assert total["possible_rounding"] is True and total["table_title"] == "收入支出决算总表"
    fund = next(i for i in errors if i["rule"] == "04-一般公共预算结转")
    assert fund["column"].startswith("栏3") and fund["expected"] == "-0.01"
    t06 = next(i for i in errors if i["rule"] == "06-类")
    assert t06["row"].startswith("301") and (t06["actual"], t06["expected"]) == ("120.53", "120.54")
    for i in items:
        assert set(i) >= {"rule", "severity", "table", "table_title", "row", "column", "message", "expected", "actual", "difference", "possible_rounding"}


def test_seed002_has_no_error():
    code, items = check_json(WUHAN)
    assert code == 0
    assert [i for i in items if i["severity"] == "error"] == []


@pytest.mark.parametrize(
    "transforms",
    [
        (V.rename_and_shuffle, V.shift(4, 3), V.blank_rows(3)),
        (V.amounts_as_text, V.codes_as_numbers, V.merge_headers, V.broken_headers),
        (V.split_codes, V.extra_sheet, V.drop_lanci),
    ],
    ids=["moved", "as-text-merged", "split-codes"],
)
def test_same_findings_when_laid_out_differently(tmp_path, transforms):
    for src, expected in ((ZHUZHOU, SEED000_ERRORS), (WUHAN, set())):
        messy = V.build(src, tmp_path / f"messy_{src.name}", *transforms)
        code, items = check_json(messy)
        assert {i["rule"] for i in items if i["severity"] == "error"} == expected, src.name
        assert code == (1 if expected else 0)


def test_text_output_groups_by_table_and_counts():
    p = run("check", str(ZHUZHOU))
    assert p.returncode == 1
    assert "公开01表 收入支出决算总表" in p.stdout and "公开06表" in p.stdout
    assert "共 4 个错误" in p.stdout and "尾数差异" in p.stdout


@pytest.mark.parametrize("content", [b"", b"not a workbook at all", b"PK\x03\x04broken zip"])
def test_unreadable_files_exit_2_with_one_line(tmp_path, content):
    for suffix in (".xlsx", ".sqlite"):
        bad = tmp_path / f"bad{suffix}"
        bad.write_bytes(content)
        p = run("check", str(bad))
        assert p.returncode == 2, (suffix, p.stderr)
        assert p.stdout == "" and len(p.stderr.strip().splitlines()) == 1
        assert bad.read_bytes() == content


def test_missing_file_exits_2():
    p = run("check", "/nonexistent/部门.sqlite")
    assert p.returncode == 2 and "找不到" in p.stderr


def test_import_check_export_cycle(tmp_path):
    dept = tmp_path / "渌口信访局.sqlite"
    p = run("import-xlsx", str(ZHUZHOU), "-o", str(dept))
    assert p.returncode == 0, p.stderr
    assert "株洲市渌口区信访局 2020" in p.stdout
    code, items = check_json(dept)
    assert code == 1 and {i["rule"] for i in items if i["severity"] == "error"} == SEED000_ERRORS
    p = run("import-xlsx", str(ZHUZHOU), "-o", str(dept))
    assert p.returncode == 0 and "替换了" in p.stdout
    out = tmp_path / "out.xlsx"
    p = run("export-xlsx", str(dept), "--year", "2020", "-o", str(out))
    assert p.returncode == 0, p.stderr
    code2, items2 = check_json(out)
    assert (code2, items2) == (code, items)
    p = run("check", str(dept), "--year", "2019")
    assert p.returncode == 2 and "2019" in p.stderr


def test_help_lists_the_commands():
    p = run("--help")
    assert p.returncode == 0
    for c in ("check", "import-xlsx", "export-xlsx"):
        assert c in p.stdout
