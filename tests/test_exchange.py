"""District exchange: sealed submissions, the bureau's gate, consolidation (汇总) and status."""

from __future__ import annotations

import hashlib
import io
import shutil
import sqlite3
import zlib
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models import submission as S
from services.cli.district import cmd_consolidate, cmd_roster, cmd_status, cmd_submit
from services.cli.tables import cmd_check, cmd_export_xlsx
from services.exchange import canonical
from services.exchange.consolidate import ADDED, REPLACED, UNCHANGED, consolidate
from services.exchange.district_file import DistrictError
from services.exchange.gate import MAX_BYTES, Refused, is_submission_file, open_submission
from services.exchange.roster import read_roster
from services.exchange.submission import SubmitError, seal, submit
from services.money import D
from services.store import DepartmentFile, DepartmentFileError
from services.synthetic import generate
from services.templates import get_template
from services.workbook import Cell
from tests.district_reads import department_findings, history, list_departments, load_consolidated, load_department, status
from tests.sealed_seeds import sealed_seeds

FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "fixtures"
if not FIXTURES.is_dir():
    FIXTURES = Path("/work/shared/fixtures")
ZZ, WH = "株洲市渌口区信访局", "武汉市汉阳区信访局"


# ── fixtures: two real departments, sealed once per session ───────────────
@pytest.fixture(scope="session")
def seeds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return sealed_seeds(tmp_path_factory.mktemp("seeds"))


@pytest.fixture
def subs(seeds: dict[str, Path], tmp_path: Path) -> dict[str, Path]:
    """Fresh copies of the sealed submissions (tests change them)."""
    return {k: Path(shutil.copy(seeds[f"{k}.sub"], tmp_path / f"{k}.sub")) for k in ("zz", "wh")}


@pytest.fixture
def district(subs: dict[str, Path], tmp_path: Path) -> Path:
    path = tmp_path / "district.sqlite"
    r = consolidate([subs["zz"], subs["wh"]], path, name="某某区汇总")
    assert r.written and not r.refused
    return path


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _sql(path: Path, *statements: str) -> None:
    """Change a file behind the program's back, as anyone with the sqlite3 tool could."""
    con = sqlite3.connect(path)
    for s in statements:
        con.execute(s)
    con.commit()
    con.close()


def _refusal(path: Path) -> str:
    with pytest.raises(Refused) as e:
        open_submission(path)
    return str(e.value)


# ── sealing ────────────────────────────────────────────────────────────────
def test_submitting_with_errors_is_refused_with_a_clear_message(seeds: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "zz.sub"
    with pytest.raises(SubmitError) as e:
        submit(seeds["zz"], 2020, out)
    assert "4 个错误" in str(e.value) and "--allow-errors" in str(e.value)
    assert not out.exists()
    stdout, stderr = io.StringIO(), io.StringIO()
    assert cmd_submit(seeds["zz"], 2020, out, False, stdout, stderr) == 1
    assert stderr.getvalue().count("\n") == 1 and "强制性审核未通过" in stderr.getvalue()
    assert not out.exists()


def test_forced_submission_records_it_in_the_manifest(seeds: dict[str, Path]) -> None:
    sub = open_submission(seeds["zz.sub"])
    m = sub.manifest
    assert (m.department, m.year, m.template_id) == (ZZ, 2020, "national-2020")
    assert (m.allow_errors, m.errors, m.warnings, m.finding_count) == (1, 4, 0, 4)
    assert [f.severity for f in sub.sealed] == ["error"] * 4
    assert m.value_count == len(sub.workbook.values) and m.department_schema >= 2
    assert sub.errors == 4  # the bureau's re-check agrees


def test_clean_submission_and_command(seeds: dict[str, Path], tmp_path: Path) -> None:
    stdout, stderr = io.StringIO(), io.StringIO()
    assert cmd_submit(seeds["wh"], 2020, tmp_path / "wh.sub", False, stdout, stderr) == 0
    assert "0 个错误" in stdout.getvalue() and stderr.getvalue() == ""
    m = open_submission(tmp_path / "wh.sub").manifest
    assert (m.department, m.allow_errors, m.errors) == (WH, 0, 0)
    assert cmd_submit(seeds["wh"], 2019, tmp_path / "x.sub", False, stdout, stderr) == 2
    assert "2019" in stderr.getvalue()


def test_submission_holds_that_year_only_and_matches_the_department(seeds: dict[str, Path]) -> None:
    with DepartmentFile.open(seeds["wh"], readonly=True) as f:
        wb = f.load(2020)
    sub = open_submission(seeds["wh.sub"]).workbook
    assert sub.values == wb.values and sub.coded == wb.coded and sub.texts == wb.texts and sub.prior == wb.prior


def test_submission_and_department_files_cannot_be_taken_for_each_other(seeds: dict[str, Path]) -> None:
    with pytest.raises(DepartmentFileError):
        DepartmentFile.open(seeds["wh.sub"], readonly=True)
    assert "部门数据文件" in _refusal(seeds["wh"])
    assert is_submission_file(seeds["wh.sub"]) and not is_submission_file(seeds["wh"])


def test_frozen_schema_matches_the_sqlalchemy_tables() -> None:
    con = sqlite3.connect(":memory:")
    for ddl in S.DDL:
        con.execute(ddl)
    for table in S.metadata.sorted_tables:
        info = con.execute("SELECT name, type, \"notnull\", pk FROM pragma_table_info(?)", (table.name,)).fetchall()
        want = [(c.name, "INTEGER" if c.type.python_type is int else "TEXT", int(not c.nullable), c.primary_key)
                for c in table.columns]
        assert [(n, t, nn, pk > 0) for n, t, nn, pk in info] == want, table.name


def test_digest_is_over_content_not_bytes(seeds: dict[str, Path], tmp_path: Path) -> None:
    copy = Path(shutil.copy(seeds["wh.sub"], tmp_path / "vacuumed.sub"))
    _sql(copy, "PRAGMA page_size = 8192", "VACUUM")
    assert copy.read_bytes() != seeds["wh.sub"].read_bytes()
    assert open_submission(copy).manifest.digest == open_submission(seeds["wh.sub"]).manifest.digest


# ── consolidation ──────────────────────────────────────────────────────────
def test_consolidation_is_the_sum_of_the_departments(district: Path, seeds: dict[str, Path]) -> None:
    with DepartmentFile.open(district, readonly=True) as f:
        assert f.years() == [2020]
        total = f.load(2020)
    assert total.department == "某某区汇总"
    assert total.get(Cell("01", "本年支出合计", 2)) == D("1139.51")  # 432.39 + 707.12
    assert total.get(Cell("03", "2010308", 1)) == D("795.19")  # 425.36 + 369.83
    parts = [open_submission(seeds[k]).workbook for k in ("zz.sub", "wh.sub")]
    cells = set(parts[0].values) | set(parts[1].values)
    assert set(total.values) == cells
    for cell in cells:
        assert total.values[cell] == sum((p.values.get(cell, Decimal(0)) for p in parts), Decimal(0)), cell
    for table in ("02", "03", "05"):  # coded rows merged by code
        assert set(total.coded[table]) == set(parts[0].coded[table]) | set(parts[1].coded[table])
    assert total.coded["03"]["2010308"] == "信访事务"


def test_district_file_works_with_check_and_export(district: Path, tmp_path: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    assert cmd_check(district, 2020, False, out, err) == 1  # 株洲's real errors add up into the 汇总
    assert "某某区汇总" in out.getvalue()
    xlsx = tmp_path / "district.xlsx"
    assert cmd_export_xlsx(district, 2020, xlsx, out, err) == 0  # adds the status sheet itself
    assert "上报情况" in out.getvalue()
    from openpyxl import load_workbook

    ws = load_workbook(xlsx)["上报情况"]
    text = "\n".join(" ".join(str(v) for v in row if v is not None) for row in ws.iter_rows(values_only=True))
    assert ZZ in text and WH in text and "未改正的错误" in text


def test_status_lists_every_department(district: Path) -> None:
    report = status(district, 2020)
    by_name = {d.name: d for d in report.departments}
    assert set(by_name) == {ZZ, WH} and report.name == "某某区汇总"
    zz, wh = by_name[ZZ], by_name[WH]
    assert (zz.allow_errors, zz.sealed_errors, zz.errors, zz.times) == (True, 4, 4, 1)
    assert (wh.allow_errors, wh.sealed_errors, wh.errors) == (False, 0, 0)
    assert zz.sealed_at and zz.received_at
    out, err = io.StringIO(), io.StringIO()
    assert cmd_status(district, 2020, out, err) == 1  # errors outstanding
    assert ZZ in out.getvalue() and "强制上报" in out.getvalue() and "共 1 个部门有未改正的错误" in out.getvalue()
    assert cmd_status(district, None, io.StringIO(), io.StringIO()) == 1
    assert cmd_status(district, 2019, out, err) == 0


def test_functions_for_the_district_window(district: Path, seeds: dict[str, Path]) -> None:
    deps = list_departments(district, 2020)
    wh = next(d for d in deps if d.name == WH)
    wb = load_department(district, 2020, wh.key)
    assert wb.values == open_submission(seeds["wh.sub"]).workbook.values and wb.department == WH
    zz = next(d for d in deps if d.name == ZZ)
    assert len([f for f in department_findings(district, 2020, zz.key) if f.severity == "error"]) == 4
    assert load_consolidated(district, 2020).get(Cell("01", "本年支出合计", 2)) == D("1139.51")
    with pytest.raises(DistrictError):
        load_department(district, 2020, "没有这个部门")


def test_resubmission_replaces_and_history_keeps_the_old(district: Path, seeds: dict[str, Path],
                                                          tmp_path: Path) -> None:
    dept = Path(shutil.copy(seeds["wh"], tmp_path / "wh2.sqlite"))
    with DepartmentFile.open(dept) as f:
        f.set_cell(2020, Cell("03", "2010308", 1), D("370.83"))  # one more 万元, now inconsistent
    again = tmp_path / "wh2.sub"
    submit(dept, 2020, again, allow_errors=True)
    r = consolidate([again], district)
    assert [o.action for o in r.outcomes] == [REPLACED] and r.written
    assert load_consolidated(district, 2020).get(Cell("03", "2010308", 1)) == D("796.19")
    assert load_consolidated(district, 2020).get(Cell("01", "本年支出合计", 2)) == D("1139.51")
    key = next(d.key for d in list_departments(district, 2020) if d.name == WH)
    past = history(district, 2020, key)
    assert len(past) == 2 and past[0].replaced_at is None and past[1].replaced_at is not None
    assert past[0].times == 2 and past[0].allow_errors and not past[1].allow_errors
    assert len(list_departments(district, 2020)) == 2
    # the same file again changes nothing, not even a byte
    before = _sha(district)
    r = consolidate([again], district)
    assert [o.action for o in r.outcomes] == [UNCHANGED] and not r.written and _sha(district) == before


def test_changed_amount_is_refused_and_district_is_byte_identical(district: Path, subs: dict[str, Path],
                                                                 tmp_path: Path) -> None:
    _sql(subs["wh"], "UPDATE cell_value SET amount = '707.13' WHERE table_no = '01' AND row_key = '本年支出合计'")
    before = _sha(district)
    listing = sorted(p.name for p in tmp_path.iterdir())
    out, err = io.StringIO(), io.StringIO()
    assert cmd_consolidate([subs["zz"], subs["wh"]], district, out, err) == 1
    assert "wh.sub：拒收：内容与封存时的校验码不符" in out.getvalue()
    assert "✓ zz.sub" in out.getvalue() and "没有汇总任何文件" in err.getvalue()
    assert _sha(district) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == listing  # no work copy left behind


def test_district_keeps_each_submission_exactly_as_sealed(district: Path, seeds: dict[str, Path]) -> None:
    """The district stores what the digest covers: anyone can prove later that the figures it
    holds for a department are the ones the department sealed."""
    con = sqlite3.connect(district)
    rows = con.execute("SELECT s.digest, c.content FROM district_content c "
                       "JOIN district_submission s ON s.id = c.submission_id").fetchall()
    con.close()
    sealed = {open_submission(seeds[k]).manifest.digest for k in ("zz.sub", "wh.sub")}
    assert {d for d, _ in rows} == sealed
    assert all(hashlib.sha256(zlib.decompress(blob)).hexdigest() == d for d, blob in rows)


def test_district_file_changed_behind_its_back_is_detected(district: Path, subs: dict[str, Path],
                                                          seeds: dict[str, Path], tmp_path: Path) -> None:
    con = sqlite3.connect(district)
    sid, blob = con.execute("SELECT c.submission_id, c.content FROM district_content c JOIN district_submission s "
                            "ON s.id = c.submission_id WHERE s.department = ?", (WH,)).fetchone()
    forged = zlib.decompress(blob).replace(b'"707.12"', b'"807.12"')
    assert forged != zlib.decompress(blob)
    con.execute("UPDATE district_content SET content = ? WHERE submission_id = ?", (zlib.compress(forged), sid))
    con.commit()
    con.close()
    key = next(d.key for d in list_departments(district, 2020) if d.name == WH)
    with pytest.raises(DistrictError, match="校验码不符"):
        load_department(district, 2020, key)
    # a resubmission must take the forged figures away from the 汇总: it cannot, so nothing is written
    dept = Path(shutil.copy(seeds["wh"], tmp_path / "wh2.sqlite"))
    with DepartmentFile.open(dept) as f:
        f.set_cell(2020, Cell("03", "2010308", 1), D("370.83"))
    submit(dept, 2020, tmp_path / "wh2.sub", allow_errors=True)
    before = _sha(district)
    err = io.StringIO()
    assert cmd_consolidate([tmp_path / "wh2.sub"], district, io.StringIO(), err) == 2
    assert "校验码不符" in err.getvalue() and _sha(district) == before


def test_district_file_of_the_pre_release_format_is_refused_clearly(district: Path, subs: dict[str, Path]) -> None:
    _sql(district, "UPDATE meta SET value = '1' WHERE key = 'district_schema_version'")
    before = _sha(district)
    err = io.StringIO()
    assert cmd_consolidate([subs["wh"]], district, io.StringIO(), err) == 2
    assert "早期测试版" in err.getvalue() and "重新汇总" in err.getvalue() and _sha(district) == before
    assert cmd_status(district, 2020, io.StringIO(), err) == 2


# ── the roster (应报部门名单) ───────────────────────────────────────────────
def test_roster_names_the_departments_that_have_not_submitted(district: Path, tmp_path: Path) -> None:
    roster = tmp_path / "名单.csv"
    # as Excel on a Chinese Windows saves it: GBK, a title row first, a blank line inside
    roster.write_bytes(("2020年应报部门名单\n序号,部门代码,部门名称\n1,,株洲市渌口区信访局\n"
                        "2,,武汉市汉阳区信访局\n,,\n3,101001,某某区教育局\n").encode("gb18030"))
    out, err = io.StringIO(), io.StringIO()
    assert cmd_roster(district, roster, out, err) == 0, err.getvalue()
    assert "共 3 个部门" in out.getvalue()
    report = status(district, 2020)
    assert [(e.code, e.name) for e in report.missing(2020)] == [("101001", "某某区教育局")]
    out = io.StringIO()
    assert cmd_status(district, 2020, out, io.StringIO()) == 1
    assert "○ 某某区教育局（101001）：未报送" in out.getvalue() and "1 个部门未报送" in out.getvalue()
    xlsx = tmp_path / "d.xlsx"
    assert cmd_export_xlsx(district, 2020, xlsx, io.StringIO(), io.StringIO()) == 0
    from openpyxl import load_workbook

    rows = [[v for v in r if v is not None] for r in load_workbook(xlsx)["上报情况"].iter_rows(values_only=True)]
    at = rows.index(["未报送的部门"])
    assert rows[at + 2] == ["某某区教育局", "101001", 2020]


def test_roster_from_excel_replaces_the_old_one(district: Path, tmp_path: Path) -> None:
    from openpyxl import Workbook as Book

    book = Book()
    ws = book.active
    ws.append(["单位编码", "单位名称"])
    ws.append([101001, "某某区教育局"])  # a code typed as a number
    ws.append(["101002", "某某区卫生健康局"])
    book.save(tmp_path / "名单.xlsx")
    assert cmd_roster(district, tmp_path / "名单.xlsx", io.StringIO(), io.StringIO()) == 0
    report = status(district, 2020)
    assert [e.code for e in report.roster] == ["101001", "101002"] and len(report.missing(2020)) == 2
    assert [e.key for e in read_roster(tmp_path / "名单.xlsx")] == ["101001", "101002"]


@pytest.mark.parametrize("content, reason", [
    ("部门,备注\n株洲,x\n", "找不到表头"),
    ("部门代码,部门名称\n101001,教育局\n101001,教育局二\n", "第 3 行的“教育局二”与第 2 行重复"),
    ("部门代码,部门名称\n101001,\n", "第 2 行有部门代码“101001”但没有部门名称"),
    ("部门代码,部门名称\n=1+1,教育局\n", "部门代码“=1+1”无效"),
    ("部门代码,部门名称\n", "名单中没有部门"),
])
def test_bad_roster_changes_nothing(district: Path, tmp_path: Path, content: str, reason: str) -> None:
    roster = tmp_path / "名单.csv"
    roster.write_text(content, encoding="utf-8")
    before = _sha(district)
    err = io.StringIO()
    assert cmd_roster(district, roster, io.StringIO(), err) == 2
    assert reason in err.getvalue() and "没有改动" in err.getvalue() and _sha(district) == before


def test_roster_command_from_outside(tmp_path: Path) -> None:
    import subprocess
    import sys

    roster = tmp_path / "名单.csv"
    roster.write_text("部门代码,部门名称\n101001,某某区教育局\n", encoding="utf-8")
    district = tmp_path / "新区.sqlite"
    main = Path(__file__).resolve().parents[1] / "main.py"
    run = subprocess.run([sys.executable, str(main), "roster", str(district), str(roster), "--name", "新区汇总"],
                         capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert run.returncode == 0 and "共 1 个部门" in run.stdout
    run = subprocess.run([sys.executable, str(main), "status", str(district)], capture_output=True, text=True,
                         encoding="utf-8", timeout=120)
    assert run.returncode == 0 and "新区汇总：还没有收到上报（名单中共 1 个部门）" in run.stdout


def test_a_folder_of_submissions_is_consolidated(subs: dict[str, Path], seeds: dict[str, Path], tmp_path: Path) -> None:
    inbox = tmp_path / "收件箱"
    inbox.mkdir()
    for k in ("zz", "wh"):
        shutil.copy(subs[k], inbox / f"{k}.sqlite")
    shutil.copy(seeds["wh"], inbox / "部门数据文件.sqlite")  # sent by mistake: not a submission
    (inbox / "说明.txt").write_text("各部门上报文件", encoding="utf-8")
    out = io.StringIO()
    district = inbox / "区汇总.sqlite"  # the district file may live in the same folder
    assert cmd_consolidate([inbox], district, out, io.StringIO()) == 0
    assert "跳过文件夹中 2 个不是上报文件的文件" in out.getvalue() and "已汇总 2 个上报文件" in out.getvalue()
    assert load_consolidated(district, 2020).get(Cell("01", "本年支出合计", 2)) == D("1139.51")
    out = io.StringIO()  # again: the district file itself is skipped too, and nothing changes
    assert cmd_consolidate([inbox], district, out, io.StringIO()) == 0
    assert "3 个不是上报文件的文件" in out.getvalue() and "所有上报均已收到过" in out.getvalue()


def test_refusal_leaves_a_new_district_uncreated(subs: dict[str, Path], tmp_path: Path) -> None:
    bad = tmp_path / "bad.sub"
    bad.write_bytes(b"not a database")
    path = tmp_path / "new.sqlite"
    r = consolidate([subs["wh"], bad], path)
    assert not r.written and [o.accepted for o in r.outcomes] == [True, False]
    assert not path.exists() and not list(tmp_path.glob("*.consolidating*"))


def test_unusable_district_or_arguments_exit_2(seeds: dict[str, Path], subs: dict[str, Path], tmp_path: Path) -> None:
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"hello")
    for target in (junk, Path(shutil.copy(seeds["wh"], tmp_path / "dept.sqlite")), tmp_path):
        before = _sha(target) if target.is_file() else None
        err = io.StringIO()
        assert cmd_consolidate([subs["wh"]], target, io.StringIO(), err) == 2, target
        assert err.getvalue().startswith("无法汇总：") and err.getvalue().count("\n") == 1
        assert before is None or _sha(target) == before
    err = io.StringIO()
    cmd_consolidate([subs["wh"]], tmp_path / "dept.sqlite", io.StringIO(), err)
    assert "不是区汇总文件" in err.getvalue()
    assert cmd_consolidate([], tmp_path / "d.sqlite", io.StringIO(), io.StringIO()) == 2
    assert cmd_status(tmp_path / "dept.sqlite", None, io.StringIO(), io.StringIO()) == 2
    assert cmd_status(tmp_path / "nothing.sqlite", None, io.StringIO(), io.StringIO()) == 2


# ── the gate: malicious and damaged files ──────────────────────────────────
def _retype(path: Path, value_sql: str, column: str = "amount", declared: str = "TEXT") -> None:
    """Store a value of the wrong storage class in a file whose schema text is still exactly ours
    (the column's declared type is changed, the value written, and the declaration put back)."""
    con = sqlite3.connect(path)
    ddl = con.execute("SELECT sql FROM sqlite_master WHERE name = 'cell_value'").fetchone()[0]
    assert f"{column} {declared}" in ddl
    con.execute("PRAGMA writable_schema = ON")
    con.execute("UPDATE sqlite_master SET sql = ? WHERE name = 'cell_value'",
                (ddl.replace(f"{column} {declared}", f"{column} BLOB"),))
    con.commit()
    con.close()
    _sql(path, f"UPDATE cell_value SET {column} = {value_sql} WHERE table_no = '01' AND row_key = '本年支出合计'")
    con = sqlite3.connect(path)
    con.execute("PRAGMA writable_schema = ON")
    con.execute("UPDATE sqlite_master SET sql = ? WHERE name = 'cell_value'", (ddl,))
    con.commit()
    con.close()


MALICIOUS = {
    "trigger": (lambda p: _sql(p, "CREATE TRIGGER t AFTER INSERT ON coded_row BEGIN DELETE FROM cell_value; END"), "触发器"),
    "view": (lambda p: _sql(p, "CREATE VIEW v AS SELECT * FROM cell_value"), "视图"),
    "extra table": (lambda p: _sql(p, "CREATE TABLE extra (x)"), "数据表“extra”"),
    "extra index": (lambda p: _sql(p, "CREATE INDEX ix ON cell_value (amount)"), "索引“ix”"),
    "changed table": (lambda p: _sql(p, "ALTER TABLE manifest ADD COLUMN note TEXT"), "结构"),
    "huge blob": (lambda p: _sql(p, "INSERT INTO narrative_text VALUES ('x', zeroblob(30000000))"), "blob"),
    "huge text": (lambda p: _sql(p, "INSERT INTO narrative_text VALUES ('x', CAST(zeroblob(3000000) AS TEXT))"), "超长"),
    "REAL amount": (lambda p: _retype(p, "707.12"), "real"),
    "text column number": (lambda p: _retype(p, "'2'", column="col_no", declared="INTEGER"), "col_no"),
    "BLOB amount": (lambda p: _sql(p, "UPDATE cell_value SET amount = CAST(amount AS BLOB) WHERE table_no = '01'"), "blob"),
    "non-canonical amount": (lambda p: _sql(p, "UPDATE cell_value SET amount = '707.120' WHERE table_no = '01' AND row_key = '本年支出合计'"), "规范"),
    "not an amount": (lambda p: _sql(p, "UPDATE cell_value SET amount = '1e5' WHERE table_no = '01' AND row_key = '本年支出合计'"), "金额"),
    "bad code": (lambda p: _sql(p, "INSERT INTO coded_row VALUES ('03', '20103x', '')"), "科目编码"),
    "unknown table": (lambda p: _sql(p, "INSERT INTO cell_value VALUES ('99', '合计', 1, '1')"), "不存在"),
    "unknown column": (lambda p: _sql(p, "INSERT INTO cell_value VALUES ('03', '2010308', 99, '1')"), "不存在"),
    "two manifests": (lambda p: _sql(p, "INSERT INTO manifest SELECT 2, format, department, department_code, year, template_id, app_name, app_version, department_schema, created_at, value_count, prior_count, coded_count, text_count, finding_count, errors, warnings, allow_errors, digest FROM manifest"), "清单"),
    "wrong schema version": (lambda p: _sql(p, "PRAGMA user_version = 0"), "格式版本不对"),
    "newer version": (lambda p: _sql(p, "PRAGMA user_version = 2"), "更新版本"),
    "other application": (lambda p: _sql(p, "PRAGMA application_id = 1"), "其他软件"),
    "WAL mode": (lambda p: _sql(p, "PRAGMA journal_mode = WAL"), "日志模式"),
    "truncated": (lambda p: p.write_bytes(p.read_bytes()[: len(p.read_bytes()) // 2 + 100]), "不完整"),
    "truncated header": (lambda p: p.write_bytes(p.read_bytes()[:60]), "不完整"),
    "padded": (lambda p: p.write_bytes(p.read_bytes() + bytes(4096)), "多余"),
    "not SQLite": (lambda p: p.write_bytes(b"PK\x03\x04" + bytes(2000)), "不是上报文件"),
    "empty": (lambda p: p.write_bytes(b""), "不是上报文件"),
    "too large": (lambda p: p.open("r+b").truncate(MAX_BYTES + 4096), "过大"),
    "directory": (lambda p: (p.unlink(), p.mkdir()), "不是普通文件"),
    "missing": (lambda p: p.unlink(), "找不到"),
}


@pytest.mark.parametrize("case", sorted(MALICIOUS))
def test_malicious_or_damaged_submissions_are_refused(case: str, subs: dict[str, Path]) -> None:
    change, expected = MALICIOUS[case]
    change(subs["wh"])
    assert expected in _refusal(subs["wh"])


def test_department_and_district_files_are_not_submissions(seeds: dict[str, Path], district: Path) -> None:
    assert "部门数据文件" in _refusal(seeds["wh"])
    assert "部门数据文件或区汇总文件" in _refusal(district)


def test_malicious_file_in_a_batch_leaves_district_identical(district: Path, subs: dict[str, Path]) -> None:
    before = _sha(district)
    _sql(subs["zz"], "CREATE TRIGGER t AFTER INSERT ON coded_row BEGIN DELETE FROM cell_value; END")
    out = io.StringIO()
    assert cmd_consolidate([subs["wh"], subs["zz"]], district, out, io.StringIO()) == 1
    assert "zz.sub：拒收：含有上报文件格式之外的触发器" in out.getvalue()
    assert _sha(district) == before


def test_recomputed_digest_does_not_let_errors_in(subs: dict[str, Path]) -> None:
    """The digest is no signature: a forger can recompute it. The re-check still refuses new errors."""
    path = subs["wh"]
    _sql(path, "UPDATE cell_value SET amount = '707.13' WHERE table_no = '01' AND row_key = '本年支出合计'")
    con = sqlite3.connect(path)
    cols = [r[1] for r in con.execute("SELECT * FROM pragma_table_info('manifest')")]
    m = dict(zip(cols, con.execute("SELECT * FROM manifest").fetchone()))
    del m["id"]
    rows = {t: con.execute(f"SELECT * FROM {t}").fetchall()
            for t in ("cell_value", "prior_value", "coded_row", "narrative_text", "finding")}
    forged = canonical.digest_of(canonical.serialise(m, rows["cell_value"], rows["prior_value"], rows["coded_row"],
                                                     rows["narrative_text"], rows["finding"]))
    con.execute("UPDATE manifest SET digest = ?", (forged,))
    con.commit()
    con.close()
    assert "复核发现" in _refusal(path)


def test_template_must_match_the_years_other_submissions(district: Path, tmp_path: Path) -> None:
    wb = generate(get_template("national-2023"), 2020, rows=10, seed=3, department="另一个局")
    seal(wb, tmp_path / "other.sub")
    r = consolidate([tmp_path / "other.sub"], district)
    assert not r.written and "模板" in r.refused[0].reason


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(flips=st.lists(st.tuples(st.integers(min_value=0), st.integers(min_value=1, max_value=255)),
                      min_size=1, max_size=3))
def test_byte_flips_are_never_accepted_silently(flips: list[tuple[int, int]], seeds: dict[str, Path],
                                                tmp_path: Path) -> None:
    original = open_submission(seeds["wh.sub"])
    data = bytearray(seeds["wh.sub"].read_bytes())
    for offset, mask in flips:
        data[offset % len(data)] ^= mask
    path = tmp_path / "flipped.sub"
    path.write_bytes(bytes(data))
    try:
        sub = open_submission(path)
    except Refused:
        return
    # accepted: only if what it says is exactly what was sealed (e.g. a flip in unused space)
    assert sub.manifest == original.manifest
    assert sub.workbook.values == original.workbook.values and sub.workbook.coded == original.workbook.coded
    assert sub.workbook.texts == original.workbook.texts and sub.workbook.prior == original.workbook.prior


# ── many departments, in worker processes ──────────────────────────────────
def test_running_totals_forget_what_a_replaced_submission_alone_filled() -> None:
    from sqlalchemy import create_engine, select

    from models.district import DistrictBase
    from models.schema import Base, CellValue, CodedRow
    from services.exchange.canonical import Content
    from services.exchange.totals import YearDelta, apply

    def content(values: list[list], coded: list[list]) -> Content:
        return Content({}, values, [], coded, [], [])

    def summed(c) -> tuple[dict, dict]:  # noqa: ANN001
        values = {(t, r, k): a for t, r, k, a in c.execute(select(CellValue.table_no, CellValue.row_key, CellValue.col_no, CellValue.amount))}
        return values, dict(c.execute(select(CodedRow.code, CodedRow.name)).all())

    a = content([["03", "2010301", 1, "10.5"], ["03", "2010308", 1, "1"]], [["03", "2010301", ""], ["03", "2010308", "信访业务"]])
    b = content([["03", "2010301", 1, "0.25"]], [["03", "2010301", "行政运行"]])
    engine = create_engine("sqlite://")
    with engine.begin() as c:
        Base.metadata.create_all(c)
        DistrictBase.metadata.create_all(c)
        first = YearDelta()
        first.add(a)
        first.add(b)
        apply(c, 2020, "national-2020", first, "2021-01-01T00:00:00+08:00")
        assert summed(c) == ({("03", "2010301", 1): D("10.75"), ("03", "2010308", 1): D("1")},
                             {"2010301": "行政运行", "2010308": "信访业务"})  # the first name given
        later = YearDelta()  # a later run: a is replaced by nothing of its own
        later.add(a, sign=-1)
        apply(c, 2020, "national-2020", later, "2021-01-02T00:00:00+08:00")
        assert summed(c) == ({("03", "2010301", 1): D("0.25")}, {"2010301": "行政运行"})  # 2010308 is blank again, not 0.00


@pytest.mark.parametrize("start_method", [None, "spawn"])  # spawn: as the window starts its workers
def test_generated_departments_consolidate_in_parallel(tmp_path: Path, start_method: str | None) -> None:
    template = get_template("national-2020")
    parts, paths = [], []
    for seed in range(1, 6):
        wb = generate(template, 2020, rows=20, seed=seed, department=f"模拟局{seed}", vary_codes=True)
        seal(wb, tmp_path / f"s{seed}.sub")
        parts.append(wb)
        paths.append(tmp_path / f"s{seed}.sub")
    seen: list[tuple[int, int, str]] = []
    r = consolidate(paths, tmp_path / "d.sqlite", workers=2, start_method=start_method,
                    progress=lambda *a: seen.append(a))
    assert r.written and [o.action for o in r.outcomes] == [ADDED] * 5
    assert seen == [(i, 5, f"s{i}.sub") for i in range(1, 6)]
    total = load_consolidated(tmp_path / "d.sqlite", 2020)
    for cell in set().union(*(p.values for p in parts)):
        assert total.values[cell] == sum((p.values.get(cell, Decimal(0)) for p in parts), Decimal(0))
    from services.engine import check_workbook

    assert [f for f in check_workbook(total) if f.is_error] == []  # sums of consistent departments reconcile


def _money_canonical(text: str) -> Decimal | None:
    """What the one money parser says: the amount if ``text`` is its own canonical form."""
    from services.money import AmountError, parse_amount, to_storage

    try:
        d = parse_amount(text)
    except AmountError:
        return None
    return d if d is not None and to_storage(d) == text else None


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="-0123456789.e,+ ", max_size=16))
def test_gate_fast_amount_path_agrees_with_the_money_parser(text):
    """The gate reads canonical amounts with a regular expression; it must accept exactly what the
    one money parser would accept as canonical, and give the same value."""
    from services.exchange.content import _canonical
    from services.money import AmountError

    try:
        got = _canonical(text)
    except AmountError:
        got = None
    assert got == _money_canonical(text)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.text(alphabet="-0123456789.e,+ \n", max_size=12),
                          st.decimals(allow_nan=False, allow_infinity=False, places=2,
                                      min_value=-10**9, max_value=10**9).map(lambda d: format(d.normalize(), "f"))),
                max_size=8))
def test_gate_bulk_amount_check_agrees_with_the_money_parser(texts):
    """All of a submission's amounts are checked by one match over them joined; that must accept
    a list exactly when the money parser finds every one of them canonical."""
    from services.exchange.content import _all_canonical

    assert _all_canonical(texts) == all(_money_canonical(t) is not None and "\n" not in t for t in texts)


def test_the_status_sheet_reads_the_district_opened_once(district, tmp_path, monkeypatch):
    """The report and every department's outstanding errors come from one opening of the file
    (a district of a thousand departments is inspected once, not once per department)."""
    from services.exchange.status import export_status_sheet
    from services.store import opening
    from services.xlsx_export import export_xlsx

    calls = []
    real = opening.inspect
    monkeypatch.setattr("services.store.file.inspect", lambda path: calls.append(path) or real(path))
    out = tmp_path / "汇总.xlsx"
    export_xlsx(load_consolidated(district, 2020), out)
    calls.clear()
    export_status_sheet(district, 2020, out)
    assert calls == [district]
    from openpyxl import load_workbook

    rows = [[c.value for c in r] for r in load_workbook(out)["上报情况"].iter_rows()]
    assert any(r[0] == "未改正的错误" for r in rows)  # zhuzhou's four errors are listed
    errors = rows[[r[0] for r in rows].index("未改正的错误") + 2:]
    assert len(errors) == 4 and {r[0] for r in errors} == {"株洲市渌口区信访局"} and errors[0][2:4] == ["01", "行30 总计"]


def _seals_of_wuhan(seeds: dict[str, Path], tmp_path: Path, older_at: str, newer_at: str) -> tuple[Path, Path]:
    """Two seals of the same department-year: an older one with a wrong figure (forced), and
    the newer, clean one."""
    with DepartmentFile.open(seeds["wh"], readonly=True) as f:
        wb = f.load(2020)
    older, newer = tmp_path / "older.sub", tmp_path / "newer.sub"
    seal(wb, newer, created_at=newer_at)
    wb.set(Cell("03", "2010308", 1), D("370.83"))
    seal(wb, older, allow_errors=True, created_at=older_at)
    return older, newer


@pytest.mark.parametrize("order", ["newer first", "older first"])
def test_the_newest_seal_wins_whatever_the_file_order(seeds: dict[str, Path], tmp_path: Path, order: str) -> None:
    from services.exchange.consolidate import OLDER

    older, newer = _seals_of_wuhan(seeds, tmp_path, "2021-03-01T09:00:00+08:00", "2021-03-02T09:00:00+08:00")
    district = tmp_path / "d.sqlite"
    files = [newer, older] if order == "newer first" else [older, newer]
    r = consolidate(files, district)
    assert r.written and not r.refused
    assert [o.action for o in r.outcomes] == ([ADDED, OLDER] if order == "newer first" else [ADDED, REPLACED])
    (current,) = list_departments(district, 2020)
    assert current.sealed_at == "2021-03-02T09:00:00+08:00" and not current.allow_errors and current.errors == 0
    assert load_consolidated(district, 2020).get(Cell("03", "2010308", 1)) == D("369.83")
    assert len(history(district, 2020, current.key)) == 2  # the older one is in the history


def test_an_older_seal_arriving_later_goes_to_the_history(seeds: dict[str, Path], tmp_path: Path) -> None:
    from services.exchange.consolidate import OLDER, conclusion, outcome_line

    # the older one was sealed in Urumqi time, still before the newer one in Beijing time
    older, newer = _seals_of_wuhan(seeds, tmp_path, "2021-03-02T08:30:00+06:00", "2021-03-02T11:00:00+08:00")
    district = tmp_path / "d.sqlite"
    consolidate([newer], district)
    before = load_consolidated(district, 2020).values
    r = consolidate([older], district)
    assert [o.action for o in r.outcomes] == [OLDER] and r.written and r.years == []
    assert "存入历次上报" in outcome_line(r.outcomes[0]) and "汇总数没有变化" in conclusion(r)
    assert load_consolidated(district, 2020).values == before
    (current,) = list_departments(district, 2020)
    past = history(district, 2020, current.key)
    assert [p.sealed_at for p in past] == ["2021-03-02T11:00:00+08:00", "2021-03-02T08:30:00+06:00"]
    assert past[1].replaced_at is not None and past[0].replaced_at is None


def test_a_tie_on_seal_time_is_decided_by_content_not_file_order(seeds: dict[str, Path], tmp_path: Path) -> None:
    a, b = _seals_of_wuhan(seeds, tmp_path, "2021-03-02T09:00:00+08:00", "2021-03-02T09:00:00+08:00")
    kept = set()
    for files in ([a, b], [b, a]):
        district = tmp_path / f"d{len(kept)}.sqlite"
        if district.exists():
            district.unlink()
        consolidate(files, district)
        (current,) = list_departments(district, 2020)
        kept.add(current.digest)
    assert len(kept) == 1


def _sum_of(workbooks: list) -> dict[Cell, Decimal]:
    out: dict[Cell, Decimal] = {}
    for wb in workbooks:
        for cell, v in wb.values.items():
            out[cell] = out.get(cell, D(0)) + v
    return out


@pytest.mark.parametrize("whole_from", [5000, 1])  # cell by cell, and the year read and written whole
def test_the_running_sums_equal_a_sum_from_scratch_after_runs_and_replacements(tmp_path: Path, monkeypatch,
                                                                              whole_from: int) -> None:
    """Runs of new and replacing submissions, each changing only its own cells, leave the 汇总
    exactly the sum of the current submissions (and a district from before running sums were
    kept gets them on its next run)."""
    import sqlite3

    from services.exchange import totals

    monkeypatch.setattr(totals, "WHOLE_FROM", whole_from)

    template = get_template("national-2020")
    current = {}
    district = tmp_path / "d.sqlite"

    def run(seeds: list[int], rows: int, at: str) -> None:
        paths = []
        for seed in seeds:
            wb = generate(template, 2020, rows=rows, seed=seed, department=f"模拟局{seed}", vary_codes=True)
            seal(wb, tmp_path / f"s{seed}-{rows}.sub", created_at=at)
            paths.append(tmp_path / f"s{seed}-{rows}.sub")
            current[seed] = wb
        r = consolidate(paths, district, workers=1)
        assert r.written and not r.refused

    run([1, 2, 3, 4], 20, "2021-03-01T09:00:00+08:00")
    run([2, 5], 12, "2021-03-02T09:00:00+08:00")  # 2 replaced by a smaller table: its other cells go
    assert load_consolidated(district, 2020).values == _sum_of(list(current.values()))
    con = sqlite3.connect(district)  # as a district file written before running sums were kept
    con.execute("DELETE FROM district_total")
    con.execute("DELETE FROM district_total_row")
    con.commit()
    con.close()
    run([3], 9, "2021-03-03T09:00:00+08:00")
    got = load_consolidated(district, 2020)
    assert got.values == _sum_of(list(current.values()))
    codes = {c for wb in current.values() for c in wb.coded["03"]}
    assert set(got.coded["03"]) == codes


def test_a_districts_summary_is_sealed_and_consolidated_by_the_next_level(seeds: dict[str, Path], tmp_path: Path) -> None:
    """汇总 of 汇总: each county seals its 汇总 year as a submission; the city's gate checks it like
    any department's and the city's 汇总 is the sum of the counties'."""
    county_a, county_b, city = tmp_path / "甲县.sqlite", tmp_path / "乙县.sqlite", tmp_path / "某市.sqlite"
    assert consolidate([seeds["zz.sub"]], county_a, name="甲县汇总", code="430200").written
    assert consolidate([seeds["wh.sub"]], county_b, name="乙县汇总", code="420105").written
    out = io.StringIO()
    assert cmd_submit(county_a, 2020, tmp_path / "甲县.sub", True, out, io.StringIO()) == 0  # zhuzhou's 4 errors travel up
    assert "甲县汇总 2020 年度" in out.getvalue()
    submit(county_b, 2020, tmp_path / "乙县.sub")
    r = consolidate([tmp_path / "甲县.sub", tmp_path / "乙县.sub"], city, name="某市汇总")
    assert r.written and [o.action for o in r.outcomes] == [ADDED, ADDED]
    assert [o.errors for o in r.outcomes] == [4, 0]
    assert load_consolidated(city, 2020).get(Cell("01", "本年支出合计", 2)) == D("1139.51")
    assert sorted(d.name for d in list_departments(city, 2020)) == ["乙县汇总", "甲县汇总"]


def test_explain_names_the_departments_behind_a_cell_of_the_summary(district: Path, tmp_path: Path) -> None:
    """Drill-down: a cell of the 汇总 is the sum of the listed departments' figures, largest first."""
    from services.cli.district import cmd_explain
    from services.exchange.status import District

    with District(district) as d:
        parts = d.contributions(2020, "01", "本年支出合计", 2)
        total = d.consolidated(2020).get(Cell("01", "本年支出合计", 2))
        assert sum(a for _, a in parts) == total == D("1139.51")
        assert [a for _, a in parts] == sorted((a for _, a in parts), reverse=True) and len(parts) == 2
        only = d.contributions(2020, "03", "2010308", 1)  # 信访事务: both departments have it
        assert sum(a for _, a in only) == d.consolidated(2020).get(Cell("03", "2010308", 1))
        assert d.contributions(2020, "03", "2999999", 1) == []
    out = io.StringIO()
    assert cmd_explain(district, 2020, "01", "本年支出合计", 2, out, io.StringIO()) == 0
    text = out.getvalue()
    assert "汇总数 1,139.51 万元，由 2 个部门组成" in text and "武汉市汉阳区信访局" in text and "%" in text
    err = io.StringIO()
    assert cmd_explain(district, 2020, "99", "x", 1, io.StringIO(), err) == 2 and "没有公开99表" in err.getvalue()
    assert cmd_explain(district, 2019, "01", "本年支出合计", 2, io.StringIO(), err) == 2 and "2019" in err.getvalue()


def test_offsets_take_double_counted_money_out_of_the_summary(seeds: dict[str, Path], tmp_path: Path) -> None:
    """抵消: a unit's 上级补助收入 from its parent is taken out of the 汇总 with the parent's matching
    spending; the totals that sum them move too, later consolidations keep them out, the listing
    shows the 汇总 before and after, and removing an offset gives the money back."""
    from services.cli.district import cmd_offset
    from services.engine import check_workbook
    from services.exchange import offsets

    with DepartmentFile.open(seeds["wh"], readonly=True) as f:
        child = f.load(2020)
    child.department, child.department_code = "武汉市汉阳区信访服务中心", "420105002"
    for cell in (Cell("01", "上级补助收入", 1), Cell("01", "本年收入合计", 1), Cell("01", "收入总计", 1),
                 Cell("01", "201", 2), Cell("01", "本年支出合计", 2), Cell("01", "支出总计", 2)):
        child.set(cell, (child.get(cell) or D(0)) + D("50.00"))
    seal(child, tmp_path / "child.sub", allow_errors=True)
    district = tmp_path / "d.sqlite"
    consolidate([seeds["wh.sub"], tmp_path / "child.sub"], district)
    plain = load_consolidated(district, 2020)
    errors_before = sum(f.is_error for f in check_workbook(plain))
    first = offsets.record(district, 2020, Cell("01", "上级补助收入", 1), D("50.00"), "汉阳区信访局 ↔ 信访服务中心",
                           "局对所属中心的补助", "张三")
    offsets.record(district, 2020, Cell("01", "201", 2), D("50.00"), "汉阳区信访局 ↔ 信访服务中心", "局的对附属单位补助支出", "张三")
    after = load_consolidated(district, 2020)
    for row, col in (("上级补助收入", 1), ("本年收入合计", 1), ("收入总计", 1), ("201", 2), ("本年支出合计", 2), ("支出总计", 2)):
        assert after.get(Cell("01", row, col)) == plain.get(Cell("01", row, col)) - D("50.00"), row
    assert after.get(Cell("01", "一般公共预算财政拨款收入", 1)) == plain.get(Cell("01", "一般公共预算财政拨款收入", 1))
    # the child's 50.00 was counted twice against tables 02–09; taken out, the 汇总 reconciles again
    assert errors_before == 4 and not [f for f in check_workbook(after) if f.is_error]
    consolidate([seeds["zz.sub"]], district)  # a later run keeps the offsets out
    later = load_consolidated(district, 2020)
    assert later.get(Cell("01", "上级补助收入", 1)) == D("0.00")
    assert later.get(Cell("01", "本年支出合计", 2)) == D("1139.51") + D("707.12") + D("50.00") - D("50.00")
    out = io.StringIO()
    assert cmd_offset(district, 2020, None, None, "", "", "", None, out, io.StringIO()) == 0
    assert "2 笔抵消" in out.getvalue() and "上级补助收入（栏1）：50.00 → 0.00" in out.getvalue()
    status_out = io.StringIO()
    cmd_status(district, 2020, status_out, io.StringIO())
    assert "汇总中有 2 笔抵消（合计 100.00 万元" in status_out.getvalue()
    offsets.remove(district, 2020, first)
    back = load_consolidated(district, 2020)
    assert back.get(Cell("01", "上级补助收入", 1)) == D("50.00") and back.get(Cell("01", "201", 2)) == later.get(Cell("01", "201", 2))
    for bad, why in ((lambda: offsets.record(district, 2020, Cell("01", "没有这行", 1), D(1), "甲 ↔ 乙", "因", "张三"), "没有"),
                     (lambda: offsets.record(district, 2020, Cell("01", "上级补助收入", 1), D("1.234"), "甲 ↔ 乙", "因", "张三"), "到分"),
                     (lambda: offsets.record(district, 2020, Cell("01", "上级补助收入", 1), D(1), " ", "因", "张三"), "抵消双方"),
                     (lambda: offsets.remove(district, 2020, 999), "第 999 号"),
                     (lambda: offsets.record(district, 2019, Cell("01", "上级补助收入", 1), D(1), "甲", "因", "张三"), "2019")):
        before = _sha(district)
        with pytest.raises(DistrictError, match=why):
            bad()
        assert _sha(district) == before


def test_an_older_district_gets_the_department_name_index(tmp_path):
    """Matching a submission to its department asks by name: a district made before that index
    existed gets it on its next consolidation (create_all adds tables, not indexes)."""
    import sqlite3

    from services.exchange.consolidate import consolidate
    from services.exchange.target import as_target
    from tests.sealed_seeds import sealed_seeds

    subs = sealed_seeds(tmp_path)
    district = tmp_path / "区.sqlite"
    assert consolidate([subs["zz.sub"]], as_target(str(district))).written
    con = sqlite3.connect(district)
    con.execute("DROP INDEX ix_district_department_name")
    con.commit()
    con.close()
    assert consolidate([subs["wh.sub"]], as_target(str(district))).written
    con = sqlite3.connect(district)
    names = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    plan = " ".join(r[3] for r in con.execute(
        "EXPLAIN QUERY PLAN SELECT id FROM district_department WHERE code != '' AND name = '某局'"))
    con.close()
    assert "ix_district_department_name" in names and "ix_district_department_name" in plan
