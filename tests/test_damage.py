"""Damage always detected (issue 18, item 4): a department file changed behind the program's
back is refused with one line, never a traceback and never 审核通过; amounts are canonical
decimals wherever they are read, years integers. Also bounded fuzz tests of the opener, the
workbook reader and the roster reader (item 8)."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.exchange.roster import RosterError, read_roster
from services.store import DepartmentFile, DepartmentFileError, Problem
from services.synthetic import generate
from services.templates import get_template
from services.xlsx_import import XlsxImportError, import_xlsx
from tests.conftest import SAMPLE_XLSX

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *args], cwd=ROOT, capture_output=True, text=True,
                          encoding="utf-8", timeout=120)


@pytest.fixture(scope="module")
def department(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("dept") / "部门.sqlite"
    with DepartmentFile.create(path, "某某局", "101001") as f:
        f.save(generate(get_template("national-2020"), rows=60))
    return path


def _changed(department: Path, tmp_path: Path, *statements: str) -> Path:
    path = Path(shutil.copy(department, tmp_path / "改动.sqlite"))
    con = sqlite3.connect(path)
    for s in statements:
        con.execute(s)
    con.commit()
    con.close()
    return path


@pytest.mark.parametrize("statement, words", [
    ("UPDATE cell_value SET amount = 'NaN' WHERE id = (SELECT min(id) FROM cell_value)", "无法识别"),
    ("UPDATE cell_value SET amount = 'Infinity' WHERE id = (SELECT min(id) FROM cell_value)", "无法识别"),
    ("UPDATE cell_value SET amount = '7٠٧.١2' WHERE id = (SELECT min(id) FROM cell_value)", "无法识别"),
    ("UPDATE cell_value SET amount = '1E+5' WHERE id = (SELECT min(id) FROM cell_value)", "无法识别"),
    ("UPDATE cell_value SET amount = '12.50' WHERE id = (SELECT min(id) FROM cell_value)", "无法识别"),
    ("UPDATE cell_value SET amount = x'00' WHERE id = (SELECT min(id) FROM cell_value)", "类型不对"),
    ("UPDATE department_year SET year = '二〇二〇'", "类型不对"),
    ("UPDATE department_year SET year = 99999", "年度“99999”无效"),
    ("UPDATE cell_value SET col_no = 'x' WHERE id = (SELECT min(id) FROM cell_value)", "类型不对"),
    ("UPDATE department SET name = CAST(x'ff fe 41' AS TEXT)", "无效的文字编码"),
])
def test_a_changed_department_file_gets_one_line_and_no_verdict(department, tmp_path, statement, words):
    path = _changed(department, tmp_path, statement.replace("x'ff fe 41'", "x'fffe41'"))
    for args in (("check", str(path)), ("export-pdf", str(path), "-o", str(tmp_path / "x.pdf")),
                 ("submit", str(path), "--year", "2020", "-o", str(tmp_path / "s.sqlite"))):
        p = run(*args)
        assert p.returncode == 2, (args, p.stdout, p.stderr)
        assert "Traceback" not in p.stderr and "审核通过" not in p.stdout
        assert len(p.stderr.strip().splitlines()) == 1 and words in p.stderr, p.stderr
    assert not (tmp_path / "x.pdf").exists() and not (tmp_path / "s.sqlite").exists()


def test_figures_moved_behind_the_index_are_found(department, tmp_path):
    """Damage quick_check misses: a figure's row changed on a table page while the index still
    says where it was (what a stale or swapped page does); the full integrity_check finds it."""
    path = Path(shutil.copy(department, tmp_path / "坏.sqlite"))
    con = sqlite3.connect(path)
    page_size = con.execute("PRAGMA page_size").fetchone()[0]
    code = con.execute("SELECT row_key FROM cell_value WHERE length(row_key) = 7 ORDER BY id LIMIT 1").fetchone()[0]
    con.close()
    data = bytearray(path.read_bytes())
    moved = code[:-1] + ("9" if code[-1] != "9" else "8")
    for start in range(page_size, len(data), page_size):
        if data[start] == 0x0D and (at := data.find(code.encode(), start, start + page_size)) >= 0:
            data[at:at + 7] = moved.encode()  # same length and type: every page still reads
            break
    else:
        pytest.fail("no table page holds the code")
    path.write_bytes(bytes(data))
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA quick_check").fetchall() == [("ok",)]
    assert con.execute("PRAGMA integrity_check").fetchall() != [("ok",)]
    con.close()
    p = run("check", str(path))
    assert p.returncode == 2 and "已损坏" in p.stderr and "Traceback" not in p.stderr, p.stderr


# ── bounded fuzz tests (item 8) ───────────────────────────────────────────
_FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@_FUZZ
@given(st.lists(st.tuples(st.integers(0, 2**20), st.integers(0, 255)), min_size=1, max_size=8))
def test_fuzz_the_department_file_opener(department, tmp_path, flips):
    data = bytearray(department.read_bytes())
    for at, byte in flips:
        data[at % len(data)] = byte
    path = tmp_path / "fuzz.sqlite"
    path.write_bytes(bytes(data))
    try:
        with DepartmentFile.open(path, readonly=True) as f:
            for y in f.years():
                f.load(y)
    except DepartmentFileError as e:
        assert "\n" not in str(e)


@pytest.fixture(scope="module")
def sample_parts() -> dict[str, bytes]:
    with zipfile.ZipFile(SAMPLE_XLSX) as z:
        return {n: z.read(n) for n in z.namelist()}


@_FUZZ
@given(st.data())
def test_fuzz_the_workbook_reader(sample_parts, tmp_path, data):
    name = data.draw(st.sampled_from(sorted(n for n in sample_parts if n.endswith(".xml"))))
    body = bytearray(sample_parts[name])
    for _ in range(data.draw(st.integers(1, 6))):
        at = data.draw(st.integers(0, len(body) - 1))
        body[at:at + data.draw(st.integers(0, 20))] = data.draw(st.binary(max_size=20))
    path = tmp_path / "fuzz.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        for n, b in sample_parts.items():
            z.writestr(n, bytes(body) if n == name else b)
    try:
        import_xlsx(path)
    except XlsxImportError as e:
        assert "\n" not in str(e)


@_FUZZ
@given(st.text(max_size=400), st.sampled_from(["utf-8", "gb18030"]))
def test_fuzz_the_roster_reader_csv(tmp_path, text, encoding):
    path = tmp_path / "名单.csv"
    path.write_bytes(("部门代码,部门名称\n" + text).encode(encoding, "replace"))
    try:
        entries = read_roster(path)
    except RosterError as e:
        assert "\n" not in str(e)
        return
    assert all(e.name and "\n" not in e.name for e in entries)


@_FUZZ
@given(st.data())
def test_fuzz_the_roster_reader_xlsx(tmp_path, data):
    from tests import hostile

    rows = data.draw(st.lists(st.tuples(st.text(max_size=12), st.text(max_size=12)), max_size=8))
    path = hostile.stale_dimension(tmp_path / "名单.xlsx", rows)
    raw = bytearray(path.read_bytes())
    for _ in range(data.draw(st.integers(0, 4))):
        raw[data.draw(st.integers(0, len(raw) - 1))] = data.draw(st.integers(0, 255))
    path.write_bytes(bytes(raw))
    try:
        read_roster(path)
    except RosterError as e:
        assert "\n" not in str(e)


def test_a_zip_that_asks_for_a_newer_zip_version_is_refused_in_a_sentence(tmp_path):
    """Found by the fuzz test above: one byte in the central directory ("version needed to
    extract" 6.4) made zipfile raise NotImplementedError, which escaped as a traceback."""
    from tests import hostile

    path = hostile.stale_dimension(tmp_path / "名单.xlsx", [("101001", "某某局")])
    raw = bytearray(path.read_bytes())
    at = raw.index(b"PK\x01\x02")  # the first central directory entry
    raw[at + 6:at + 8] = (64).to_bytes(2, "little")
    path.write_bytes(bytes(raw))
    with pytest.raises(RosterError, match="不是有效的 Excel"):
        read_roster(path)
    with pytest.raises(XlsxImportError, match="不是有效的 Excel"):
        import_xlsx(path)


# ── 校验值: damage that SQLite's own checks cannot see ────────────────────────
def _flip_in_place(path: Path, old: bytes, new: bytes) -> None:
    """Change a stored value's bytes where they lie, as a bad sector or another program would:
    same length, same type, every B-tree and index still in order."""
    data = bytearray(path.read_bytes())
    at = data.find(old)
    assert at >= 0, old
    data[at:at + len(old)] = new
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("old, new", [
    ("模拟局".encode(), "模仿局".encode()),  # the department's name
    (b"\xe7\xa7\x91\xe7\x9b\xae", "料目".encode()),  # a 科目名称 (科目2010301 …)
])
def test_bytes_changed_in_place_are_found_though_integrity_check_passes(department, tmp_path, old, new):
    path = Path(shutil.copy(department, tmp_path / "改.sqlite"))
    _flip_in_place(path, old, new)
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]  # SQLite sees nothing wrong
    con.close()
    for args in (("check", str(path)), ("submit", str(path), "--year", "2020", "-o", str(tmp_path / "s.sqlite"))):
        p = run(*args)
        assert p.returncode == 2 and "校验值不符" in p.stderr and "审核通过" not in p.stdout, p.stderr
        assert len(p.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "s.sqlite").exists()


def test_a_figure_changed_in_place_is_found(department, tmp_path):
    path = Path(shutil.copy(department, tmp_path / "改.sqlite"))
    con = sqlite3.connect(path)
    amount = con.execute("SELECT amount FROM cell_value WHERE length(amount) >= 6 ORDER BY id LIMIT 1").fetchone()[0]
    con.close()
    changed = ("1" if amount[0] != "1" else "2") + amount[1:]
    _flip_in_place(path, amount.encode(), changed.encode())
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    con.close()
    p = run("check", str(path))
    assert p.returncode == 2 and "校验值不符" in p.stderr, p.stderr


def test_every_edit_keeps_the_checksum(department, tmp_path):
    """Each way the program writes a year leaves it readable: the checksum follows every edit."""
    from decimal import Decimal

    from services.workbook import Cell

    path = Path(shutil.copy(department, tmp_path / "编辑.sqlite"))
    with DepartmentFile.open(path) as f:
        wb = f.load(2020)
        code = next(c for c in wb.codes("03") if len(c) == 7)
        f.set_cell(2020, Cell("03", code, 1), Decimal("1.5"))
        f.set_cells(2020, {Cell("03", code, 2): None, Cell("01", "其他收入", 1): Decimal("-2")})
        f.set_prior(2020, Cell("01", "其他收入", 1), Decimal("3"))
        f.set_text(2020, "部门职责", "负责……")
        f.set_text(2020, "部门职责", None)
        f.set_note(2020, ("层级-类款", "03", code, "栏1"), "按实际发生数填列")
        f.set_note(2020, ("层级-类款", "03", code, "栏2"), "另一条说明")
        f.set_note(2020, ("层级-类款", "03", code, "栏2"), None)
        f.set_coded_row(2020, "03", "2130599", "其他")
        f.set_coded_row(2020, "03", "2130599", "其他支出")
        f.remove_coded_row(2020, "03", code)
        again = generate(get_template("national-2020"), 2021, rows=5)
        f.save(again)
        f.save(again)  # a year replaced whole
        f.delete_year(2021)
    with DepartmentFile.open(path, readonly=True) as f:
        wb = f.load(2020)
    assert wb.get(Cell("01", "其他收入", 1)) == Decimal("-2") and wb.coded["03"]["2130599"] == "其他支出"
    assert code not in wb.coded["03"]
    assert wb.notes == {("层级-类款", "03", code, "栏1"): "按实际发生数填列"}
    assert run("check", str(path)).returncode in (0, 1)
    con = sqlite3.connect(path)  # an 出错说明 changed behind the program's back
    con.execute("UPDATE finding_note SET text = '改过'")
    con.commit()
    con.close()
    assert "校验值不符" in run("check", str(path)).stderr


def _as_v3(path: Path, *, checksums: bool) -> None:
    """Make a file what version 3 wrote: the 校验值 only where an edit had given them."""
    con = sqlite3.connect(path)
    if not checksums:
        con.execute("DELETE FROM meta WHERE key LIKE '校验值:%'")
    con.execute("PRAGMA user_version = 3")
    con.commit()
    con.close()


def test_a_file_from_before_checksums_is_upgraded_and_gets_them(department, tmp_path):
    path = Path(shutil.copy(department, tmp_path / "旧.sqlite"))
    _as_v3(path, checksums=False)
    with DepartmentFile.open(path) as f:
        assert f.migrated_from == 3 and f.backup_path is not None and f.backup_path.exists()
        assert f.load(2020).values  # read as it is: nothing to compare with before the upgrade
    con = sqlite3.connect(path)
    assert con.execute("SELECT count(*) FROM meta WHERE key IN ('校验值:2020', '校验值:部门')").fetchone() == (2,)
    con.execute(_NUDGE)
    con.commit()
    con.close()
    assert "校验值不符" in run("check", str(path)).stderr


#: a figure changed in place: the file stays sound, only its 校验值 can tell
_NUDGE = "UPDATE cell_value SET amount = amount || '1' WHERE id = (SELECT min(id) FROM cell_value)"


def test_an_upgrade_keeps_a_checksum_the_file_already_had(department, tmp_path):
    """A v3 file changed behind the program's back is not laundered by its upgrade."""
    path = Path(shutil.copy(department, tmp_path / "旧.sqlite"))
    _as_v3(path, checksums=True)
    con = sqlite3.connect(path)
    con.execute(_NUDGE)
    con.commit()
    con.close()
    result = run("check", str(path))
    assert result.returncode != 0 and "校验值不符" in result.stderr


@pytest.mark.parametrize("key", ["校验值:2020", "校验值:部门"])
def test_a_current_file_whose_checksum_was_removed_is_refused(department, tmp_path, key):
    path = Path(shutil.copy(department, tmp_path / "改.sqlite"))
    con = sqlite3.connect(path)
    con.execute("DELETE FROM meta WHERE key = ?", (key,))
    con.commit()
    con.close()
    with DepartmentFile.open(path) as f:
        with pytest.raises(DepartmentFileError) as e:
            f.load(2020)
        assert e.value.problem is Problem.CORRUPT
        if key == "校验值:2020":  # an edit does not give it a new one either
            with pytest.raises(DepartmentFileError):
                f.set_text(2020, "部门职责", "负责……")
    assert "校验值不符" in run("check", str(path)).stderr
