"""One identity per department (issue 18, item 1): codes and names in one spelling wherever they
enter, and a department that adds its code later is still one department in the 汇总."""

from __future__ import annotations

import copy

import pytest

from services.exchange.consolidate import conclusion, consolidate, outcome_line
from services.exchange.gate import open_submission
from services.exchange.roster import read_roster, set_roster
from services.exchange.submission import SubmitError, seal
from services.identity import CodeError, clean_text, department_code, department_key, department_name
from services.synthetic import generate
from services.templates import get_template
from tests.district_reads import list_departments, load_consolidated


@pytest.mark.parametrize("typed", ["101001", "１０１００１", " 101001 ", "101001\u200b", "\ufeff101\u200d001", "١٠١٠٠١"])
def test_every_spelling_of_a_code_is_one_code(typed):
    assert department_code(typed) == "101001"
    assert department_key(typed, "任何名称") == "101001"


@pytest.mark.parametrize("typed", ["某某区财政局", " 某某区财政局\n", "某某区\n财政局", "某某区\u200b财政局", "某某区财政局\u202e"])
def test_every_spelling_of_a_name_is_one_name(typed):
    assert department_name(typed) == "某某区财政局"


@pytest.mark.parametrize("bad", ["10 1001!", "=1+1", "一〇一", "x" * 31])
def test_a_code_that_is_no_code_is_refused_with_its_reason(bad):
    with pytest.raises(CodeError, match="无效"):
        department_code(bad)


def test_clean_text_drops_controls_but_keeps_words():
    assert clean_text("A\x1b[31m局\tB") == "A[31m局 B"


def _wb(name: str, code: str, seed: int = 1):
    wb = generate(get_template("national-2020"), rows=10, seed=seed)
    wb.department, wb.department_code = name, code
    return wb


def test_three_spellings_of_one_department_are_summed_once(tmp_path):
    wb = _wb("某某区信访局", "")
    subs = []
    for i, (name, code) in enumerate([("某某区信访局", ""), ("某某区信访局 ", "１０１００１"), ("某某区\u200b信访局", "101001 ")]):
        w = copy.deepcopy(wb)
        w.department, w.department_code = name, code
        subs.append(seal(w, tmp_path / f"s{i}.sqlite", created_at=f"2021-03-0{i + 1}T09:00:00+08:00").path)
    district = tmp_path / "区.sqlite"
    lines = []
    for s in subs:  # one run per arrival, as the bureau receives them
        r = consolidate([s], district)
        assert not r.refused, [o.reason for o in r.outcomes]
        lines += [outcome_line(o) for o in r.outcomes]
    assert len(list_departments(district, wb.year)) == 1
    total = load_consolidated(district, wb.year)
    assert total.values == wb.values  # once, not three times
    assert any("与此前未填部门代码的“某某区信访局”为同一部门" in line for line in lines)


def test_the_seal_writes_one_spelling_and_refuses_a_bad_code(tmp_path):
    sub = seal(_wb(" 某某区信访局\n", "１０１００１\u200b"), tmp_path / "s.sqlite")
    m = open_submission(sub.path).manifest
    assert (m.department, m.department_code) == ("某某区信访局", "101001")
    with pytest.raises(SubmitError, match="部门代码"):
        seal(_wb("某某区信访局", "=1+1"), tmp_path / "t.sqlite")


def test_a_department_without_code_is_matched_through_the_roster(tmp_path):
    csv = tmp_path / "名单.csv"
    csv.write_text("部门代码,部门名称\n１０１００１ ,某某区信访局\n101002,某某区财政局\n", encoding="utf-8")
    entries = read_roster(csv)
    assert [(e.code, e.name) for e in entries] == [("101001", "某某区信访局"), ("101002", "某某区财政局")]
    district = tmp_path / "区.sqlite"
    set_roster(district, entries)
    wb = _wb("某某区信访局", "")
    r = consolidate([seal(wb, tmp_path / "a.sqlite").path], district)
    assert "按名称认作代码 101001 的部门" in outcome_line(r.outcomes[0])
    with_code = copy.deepcopy(wb)
    with_code.department_code = "101001"
    r = consolidate([seal(with_code, tmp_path / "b.sqlite", created_at="2030-01-01T00:00:00+08:00").path], district)
    assert not r.refused
    [dept] = list_departments(district, wb.year)
    assert dept.key == "101001" and dept.times == 2
    assert load_consolidated(district, wb.year).values == wb.values


def test_a_name_that_fits_two_departments_is_refused(tmp_path):
    district = tmp_path / "区.sqlite"
    for i, code in enumerate(("101001", "101009")):
        r = consolidate([seal(_wb("某某局", code), tmp_path / f"c{i}.sqlite").path], district)
        assert not r.refused
    before = district.read_bytes()
    r = consolidate([seal(_wb("某某局", ""), tmp_path / "x.sqlite").path], district)
    assert r.refused and "对应多个部门（代码 101001、101009）" in r.refused[0].reason
    assert district.read_bytes() == before


def test_typing_the_department_normalises_it(make_department_file):
    from services.store import DepartmentFile
    from ui.document import Document

    path = make_department_file(_wb("甲", ""))
    doc = Document.open(path)
    try:
        doc.set_department(" 某某区信访局\u200b", "１０１００１ ")
        assert {(w.department, w.department_code) for w in doc.workbooks.values()} == {("某某区信访局", "101001")}
    finally:
        doc.file.close()
    with DepartmentFile.open(path, readonly=True) as f:
        assert f.department() == ("某某区信访局", "101001")


def test_a_name_keeps_its_printed_form_and_compares_in_one_spelling():
    assert department_name("某局（改）\u200b") == "某局（改）"  # printed as typed, full-width kept
    assert department_key("", "某局（改）") == department_key("", "某局(改) ") == "名称:某局(改)"


def _legacy(district, rows: list[tuple[int, str, str]]) -> None:
    """Make a district what a version before one identity per department wrote: registrations
    keyed by the code as typed (``rows``: department id, key, code)."""
    import sqlite3

    con = sqlite3.connect(district)
    for dept_id, key, code in rows:
        con.execute("UPDATE district_department SET key = ?, code = ?, name = '某某区信访局' WHERE id = ?",
                    (key, code, dept_id))
    con.execute("DELETE FROM meta WHERE key = 'district_identity'")
    con.commit()
    con.close()


def test_a_legacy_district_with_one_department_twice_is_merged_and_summed_once(tmp_path):
    """Issue 18, item 1: a district that already holds one department under two keys (written by
    a version that keyed by the code as typed) counts it once after its next consolidation."""
    older, newer, other = _wb("某某区信访局", "101001"), _wb("甲", "201001", 2), _wb("某某区财政局", "101002", 3)
    subs = [seal(older, tmp_path / "a.sqlite", created_at="2021-03-01T09:00:00+08:00").path,
            seal(newer, tmp_path / "b.sqlite", created_at="2021-03-02T09:00:00+08:00").path,
            seal(other, tmp_path / "c.sqlite", created_at="2021-03-03T09:00:00+08:00").path]
    district = tmp_path / "区.sqlite"
    assert not consolidate(subs, district).refused
    # the second registration becomes the same department, spelled as an older version kept it
    _legacy(district, [(2, "１０１００１ ", "１０１００１ ")])
    assert len(list_departments(district, older.year)) == 3
    doubled = load_consolidated(district, older.year).values
    cell = next(c for c, v in newer.values.items() if v and older.values.get(c) != v)
    assert doubled[cell] == older.values.get(cell, 0) + newer.values[cell] + other.values.get(cell, 0)

    r = consolidate([subs[2]], district)  # nothing new: the merge alone is written
    assert r.written and r.outcomes[0].action == "未变化"
    assert len(r.merged) == 1 and "“某某区信访局”此前登记为 2 个部门" in r.merged[0] and "代码 101001" in r.merged[0]
    assert "1 份重复的上报转入历次上报" in r.merged[0]
    assert "合并了 1 个此前重复登记的部门" in conclusion(r)
    departments = list_departments(district, older.year)
    assert len(departments) == 2
    total = load_consolidated(district, older.year).values
    assert total[cell] == newer.values[cell] + other.values.get(cell, 0)  # the newer seal, once
    assert consolidate([subs[2]], district).written is False  # once per district, then never again


def test_a_legacy_registration_without_code_joins_its_coded_department(tmp_path):
    first, second = _wb("某某区信访局", "101001"), _wb("乙", "301001", 2)
    subs = [seal(first, tmp_path / "a.sqlite", created_at="2021-03-05T09:00:00+08:00").path,
            seal(second, tmp_path / "b.sqlite", created_at="2021-03-01T09:00:00+08:00").path]
    district = tmp_path / "区.sqlite"
    assert not consolidate(subs, district).refused
    _legacy(district, [(2, "名称:某某区信访局", "")])
    import subprocess
    import sys

    from tests.paths import ROOT

    done = subprocess.run([sys.executable, str(ROOT / "main.py"), "consolidate", str(subs[0]), "-o", str(district)],
                          capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert done.returncode == 0, done.stderr
    assert "合并：“某某区信访局”此前登记为 2 个部门（“101001”、“名称:某某区信访局”），已合并为一个（代码 101001）" in done.stdout
    assert load_consolidated(district, first.year).values == first.values  # the newer seal alone
