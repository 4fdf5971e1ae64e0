"""The department file: what is saved comes back exactly, edits are committed at once, old files
are upgraded with a backup, and every file we must not touch is refused without being changed."""

from __future__ import annotations

import hashlib
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services import migrations
from services.migrations import SCHEMA_VERSION
from services.money import AmountError, to_storage
from services.store import APPLICATION_ID, DepartmentFile, DepartmentFileError, Problem
from services.store import file as store_file
from services.store import opening as store_opening
from services.templates import get_template, template_for_year
from services.workbook import Cell, Workbook

ROOT = Path(__file__).resolve().parent.parent
V1_SCHEMA = Path(__file__).resolve().parent / "data" / "schema_v1.sql"
D = Decimal
DEPT, DEPT_CODE = "武汉市汉阳区信访局", "105001"

# Seed 002 (武汉市汉阳区信访局 2020): 表2 收入决算表 and 表3 支出决算表, as published.
# code, name, 表2 栏1 本年收入合计, 栏2 财政拨款收入, 表3 栏1 本年支出合计, 栏2 基本支出, 栏3 项目支出
SEED_002 = [
    ("201", "一般公共服务支出", "654.4", "654.4", "654.4", "284.57", "369.83"),
    ("20103", "政府办公厅（室）及相关机构事务", "654.4", "654.4", "654.4", "284.57", "369.83"),
    ("2010301", "行政运行", "284.57", "284.57", "284.57", "284.57", None),
    ("2010308", "信访事务", "369.83", "369.83", "369.83", None, "369.83"),
    ("208", "社会保障和就业支出", "21.01", "21.01", "21.01", "19.74", "1.27"),
    ("20805", "行政事业单位养老支出", "19.74", "19.74", "19.74", "19.74", None),
    ("2080505", "机关事业单位基本养老保险缴费支出", "16.3", "16.3", "16.3", "16.3", None),
    ("2080506", "机关事业单位职业年金缴费支出", "3.44", "3.44", "3.44", "3.44", None),
    ("20811", "残疾人事业", "1.27", "1.27", "1.27", None, "1.27"),
    ("2081199", "其他残疾人事业支出", "1.27", "1.27", "1.27", None, "1.27"),
    ("210", "卫生健康支出", "28.71", "28.71", "28.71", "28.71", None),
    ("21011", "行政事业单位医疗", "28.71", "28.71", "28.71", "28.71", None),
    ("2101101", "行政单位医疗", "7.66", "7.66", "7.66", "7.66", None),
    ("2101103", "公务员医疗补助", "21.05", "21.05", "21.05", "21.05", None),
    ("213", "农林水支出", "3", "3", "3", None, "3"),
    ("21305", "扶贫", "3", "3", "3", None, "3"),
    ("2130599", "其他扶贫支出", "3", "3", "3", None, "3"),
]


def seed_002_workbook() -> Workbook:
    """武汉市汉阳区信访局 2020 on template national-2020, with the awkward cases included."""
    wb = Workbook.new(get_template("national-2020"), 2020, DEPT, DEPT_CODE)
    for code, name, r1, r2, e1, e2, e3 in SEED_002:
        for table, cols in (("02", (r1, r2)), ("03", (e1, e2, e3))):
            wb.add_code(table, code, name)
            for col, text in enumerate(cols, 1):
                if text is not None:  # blanks stay absent
                    wb.set(Cell(table, code, col), D(text))
    for cell, text in {
        Cell("02", "合计", 1): "707.12", Cell("02", "合计", 2): "707.12",
        Cell("03", "合计", 1): "707.12", Cell("03", "合计", 2): "333.02", Cell("03", "合计", 3): "374.1",
        Cell("01", "一般公共预算财政拨款收入", 1): "707.12", Cell("01", "本年收入合计", 1): "707.12",
        Cell("01", "收入总计", 1): "707.12", Cell("01", "201", 2): "654.4", Cell("01", "208", 2): "21.01",
        Cell("01", "210", 2): "28.71", Cell("01", "213", 2): "3", Cell("01", "本年支出合计", 2): "707.12",
        Cell("01", "支出总计", 2): "707.12", Cell("07", "三公经费", 7): "0", Cell("07", "三公经费", 12): "0",
    }.items():
        wb.set(cell, D(text))
    # Amounts that a float, a rounding or a careless format would damage.
    wb.set(Cell("06", "30217", 1), D("1717.31"))
    wb.set(Cell("06", "30299", 1), D("0.000001"))
    wb.set(Cell("06", "399", 1), D("-12.5"))
    wb.set(Cell("06", "39999", 1), D("999999999999.999999"))
    wb.add_code("05", "2010308", "")  # a coded row with no figures and no own name
    wb.texts["部门职责"] = "代表区委、区政府受理人民群众来信，接待人民群众来访……"
    wb.texts["三公经费.原因"] = "严格执行中央八项规定，减少公务接待。"
    wb.texts["空白说明"] = ""
    wb.prior[Cell("07", "三公经费", 12)] = D("0.08")  # 2019 公务接待 (the text says 减少 0.08 万元)
    wb.prior[Cell("01", "本年收入合计", 1)] = D("689.35")
    return wb


def snapshot(folder: Path) -> dict[str, tuple[str, int]]:
    """Every file in a folder with its content hash and modification time.

    A -shm file is only listed: it is SQLite's shared-memory index, which every reader of a
    WAL file writes its read marks into by design, and it holds none of the clerk's data.
    """
    return {
        p.name: ("", 0) if p.name.endswith("-shm") else (hashlib.sha256(p.read_bytes()).hexdigest(),
                                                         p.stat().st_mtime_ns)
        for p in sorted(folder.iterdir()) if p.is_file()
    }


@pytest.fixture
def saved(tmp_path: Path) -> Path:
    """A closed department file holding seed 002's 2020."""
    path = tmp_path / "武汉市汉阳区信访局.sqlite"
    with DepartmentFile.create(path, DEPT, DEPT_CODE) as f:
        f.save(seed_002_workbook())
    return path


@contextmanager
def raw(path: Path) -> Iterator[sqlite3.Connection]:
    """Plain sqlite3, as another program would open the file; closed on leaving."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        yield conn
    finally:
        conn.close()


# ── round trips ────────────────────────────────────────────────────────────
def test_a_realistic_year_comes_back_exactly(saved: Path) -> None:
    for readonly in (True, False):
        with DepartmentFile.open(saved, readonly=readonly) as f:
            assert f.years() == [2020]
            wb = f.load(2020)
        assert wb == seed_002_workbook()
        assert wb.template.id == "national-2020" and wb.year == 2020
        assert (wb.department, wb.department_code) == (DEPT, DEPT_CODE)
        assert wb.get(Cell("03", "2010308", 3)) == D("369.83")
        assert wb.get(Cell("03", "2010308", 2)) is None  # a blank is not a zero
        assert wb.get(Cell("06", "30299", 1)) == D("0.000001")
        assert wb.coded["03"]["20103"] == "政府办公厅（室）及相关机构事务"
        assert wb.coded["05"] == {"201": "", "20103": "", "2010308": ""}  # add_code adds parents
        assert set(wb.coded["06"]) == set(get_template("national-2020").tables["06"].default_codes)
        assert wb.texts["空白说明"] == ""


def test_amounts_are_stored_as_canonical_text_never_as_numbers(saved: Path) -> None:
    with raw(saved) as c:
        rows = c.execute("SELECT amount, typeof(amount) FROM cell_value").fetchall()
    stored = {text for text, _ in rows}
    assert {kind for _, kind in rows} == {"text"}
    assert {"1717.31", "0.000001", "-12.5", "999999999999.999999", "374.1", "0"} <= stored
    assert not any("E" in t or "e" in t for t in stored)


def test_two_years_on_different_templates(tmp_path: Path) -> None:
    path = tmp_path / "dept.sqlite"
    wb2020 = seed_002_workbook()
    wb2023 = Workbook.new(get_template("national-2023"), 2023, DEPT, DEPT_CODE)
    wb2023.add_code("07", "2296002", "用于社会福利的彩票公益金支出")  # 2023: table 07 is 政府性基金, coded
    wb2023.set(Cell("07", "2296002", 2), D("12.3"))
    wb2023.set(Cell("09", "三公经费", 12), D("0.5"))  # 2023: 三公 moved to table 09
    with DepartmentFile.create(path, DEPT, DEPT_CODE) as f:
        f.save(wb2023)
        f.save(wb2020)
    with DepartmentFile.open(path) as f:
        assert f.years() == [2020, 2023]
        a, b = f.load(2020), f.load(2023)
    assert (a.template.id, b.template.id) == ("national-2020", "national-2023")
    assert a == wb2020 and b == wb2023
    assert not a.template.tables["07"].coded and b.template.tables["07"].coded


def test_save_replaces_the_whole_year_and_only_that_year(tmp_path: Path) -> None:
    path = tmp_path / "dept.sqlite"
    other = Workbook.new(get_template("national-2023"), 2023, DEPT, DEPT_CODE)
    other.set(Cell("01", "本年收入合计", 1), D("1"))
    with DepartmentFile.create(path, DEPT, DEPT_CODE) as f:
        f.save(seed_002_workbook())
        f.save(other)
        smaller = Workbook.new(get_template("national-2023"), 2020, DEPT, DEPT_CODE)
        smaller.set(Cell("02", "合计", 1), D("1.5"))
        smaller.texts["部门职责"] = "新的职责"
        f.save(smaller)  # same year, different template, far fewer rows
        assert f.years() == [2020, 2023]
        assert f.load(2020) == smaller
        assert f.load(2023) == other
    with raw(path) as c:
        (n,) = c.execute(
            "SELECT count(*) FROM cell_value JOIN department_year y ON y.id = year_id WHERE y.year = 2020"
        ).fetchone()
    assert n == 1  # nothing of the replaced year is left behind


def test_delete_year_removes_its_rows(saved: Path) -> None:
    with DepartmentFile.open(saved) as f:
        f.delete_year(2020)
        assert f.years() == []
        with pytest.raises(DepartmentFileError) as e:
            f.load(2020)
        assert e.value.problem is Problem.NO_YEAR and "2020" in str(e.value)
    with raw(saved) as c:
        counts = [c.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                  for t in ("cell_value", "coded_row", "narrative_text", "prior_value")]
    assert counts == [0, 0, 0, 0]


AMOUNTS = st.integers(min_value=0, max_value=6).flatmap(
    lambda places: st.decimals(min_value=D("-999999999999.999999"), max_value=D("999999999999.999999"),
                               allow_nan=False, allow_infinity=False, places=places)
)


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DepartmentFile]:
    """One open file for all of hypothesis's examples."""
    with DepartmentFile.create(tmp_path_factory.mktemp("amounts") / "amounts.sqlite", DEPT) as f:
        f.save(Workbook.new(get_template("national-2020"), 2020))
        yield f


@settings(max_examples=300, deadline=None)
@given(amount=AMOUNTS)
def test_any_amount_with_up_to_six_places_round_trips(scratch: DepartmentFile, amount: Decimal) -> None:
    cell = Cell("02", "2010301", 1)
    scratch.set_cell(2020, cell, amount)
    scratch.set_prior(2020, cell, -amount)
    wb = scratch.load(2020)
    assert wb.get(cell) == amount and wb.prior[cell] == -amount
    assert to_storage(wb.get(cell)) == to_storage(amount)


# ── single edits ───────────────────────────────────────────────────────────
def test_edits_keep_the_file_equal_to_the_workbook(saved: Path) -> None:
    """The window applies each edit to its Workbook and to the file: the two must stay equal."""
    wb = seed_002_workbook()
    with DepartmentFile.open(saved) as f:
        for cell, value in ((Cell("03", "2010301", 2), D("300.01")), (Cell("03", "2010308", 3), None)):
            wb.set(cell, value)
            f.set_cell(2020, cell, value)
        for code, name in (("2010399", "其他政府办公厅（室）及相关机构事务支出"), ("201", "一般公共服务")):
            wb.add_code("02", code, name)
            f.set_coded_row(2020, "02", code, name)
        wb.set(Cell("02", "2010399", 2), D("5"))
        f.set_cell(2020, Cell("02", "2010399", 2), D("5"))
        wb.prior[Cell("02", "2130599", 1)] = D("2")
        f.set_prior(2020, Cell("02", "2130599", 1), D("2"))
        wb.remove_code("02", "2130599")  # its figures go; last year's figure stays
        f.remove_coded_row(2020, "02", "2130599")
        del wb.prior[Cell("01", "本年收入合计", 1)]
        f.set_prior(2020, Cell("01", "本年收入合计", 1), None)
        wb.texts["部门职责"] = "改过的职责"
        f.set_text(2020, "部门职责", "改过的职责")
        del wb.texts["三公经费.原因"]
        f.set_text(2020, "三公经费.原因", None)
        f.set_department("武汉市汉阳区人民政府信访局", "105002")
    wb.department, wb.department_code = "武汉市汉阳区人民政府信访局", "105002"
    with DepartmentFile.open(saved, readonly=True) as f:
        got = f.load(2020)
        assert f.department() == ("武汉市汉阳区人民政府信访局", "105002")
    assert got == wb
    assert Cell("02", "2130599", 1) not in got.values and got.prior[Cell("02", "2130599", 1)] == D("2")
    assert got.get(Cell("03", "2010308", 3)) is None and "三公经费.原因" not in got.texts


def test_an_edit_is_committed_at_once(saved: Path) -> None:
    writer = DepartmentFile.open(saved)
    try:
        writer.set_cell(2020, Cell("02", "合计", 3), D("42.42"))
        # Not closed: a second window, and plain sqlite3, already see the figure.
        with DepartmentFile.open(saved, readonly=True) as reader:
            assert reader.load(2020).get(Cell("02", "合计", 3)) == D("42.42")
        with raw(saved) as c:
            assert c.execute("SELECT amount FROM cell_value WHERE col_no = 3 AND row_key = '合计'"
                             " AND table_no = '02'").fetchone() == ("42.42",)
    finally:
        writer.close()


def test_edits_survive_a_killed_program(saved: Path) -> None:
    code = (
        "import os, sys; from decimal import Decimal\n"
        "from services.store import DepartmentFile\nfrom services.workbook import Cell\n"
        "f = DepartmentFile.open(sys.argv[1])\n"
        "f.set_cell(2020, Cell('02', '合计', 4), Decimal('8.88'))\n"
        "f.set_text(2020, '其他', '刚输入的说明')\n"
        "os._exit(0)  # no close, no checkpoint, no cleanup\n"
    )
    subprocess.run([sys.executable, "-c", code, str(saved)], cwd=ROOT, check=True, timeout=60)
    assert (saved.parent / (saved.name + "-wal")).exists()  # the edits were only in the WAL
    with DepartmentFile.open(saved) as f:
        wb = f.load(2020)
    assert wb.get(Cell("02", "合计", 4)) == D("8.88")
    assert wb.texts["其他"] == "刚输入的说明"


def test_edits_are_synced_into_the_file_itself(saved: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    wal = saved.parent / (saved.name + "-wal")
    monkeypatch.setattr(store_file, "SYNC_SECONDS", 3600.0)
    with DepartmentFile.open(saved) as f:
        f.set_cell(2020, Cell("02", "合计", 6), D("31415.9265"))
        assert b"31415.9265" in wal.read_bytes() and b"31415.9265" not in saved.read_bytes()
        f.flush()
        assert b"31415.9265" in saved.read_bytes()
        monkeypatch.setattr(store_file, "SYNC_SECONDS", 0.0)
        f.set_cell(2020, Cell("02", "合计", 7), D("27182.818"))
        assert b"27182.818" in saved.read_bytes()  # the edit synced by itself
        monkeypatch.setattr(store_file, "SYNC_SECONDS", 3600.0)
        f.set_cell(2020, Cell("02", "合计", 5), D("16180.339"))
    assert b"16180.339" in saved.read_bytes() and not wal.exists()  # close synced it


def test_an_edit_to_a_missing_year_changes_nothing(saved: Path) -> None:
    with DepartmentFile.open(saved) as f:
        with pytest.raises(DepartmentFileError) as e:
            f.set_cell(2019, Cell("02", "合计", 1), D("1"))
        assert e.value.problem is Problem.NO_YEAR and "2019" in str(e.value)
        assert f.years() == [2020]
        assert f.load(2020) == seed_002_workbook()


def test_an_amount_that_is_not_exact_is_refused(saved: Path) -> None:
    with DepartmentFile.open(saved) as f:
        for bad in (1.5, D("NaN"), D("Infinity"), "12.3"):
            with pytest.raises(AmountError):
                f.set_cell(2020, Cell("02", "合计", 1), bad)  # type: ignore[arg-type]
        wb = seed_002_workbook()
        wb.values[Cell("02", "合计", 5)] = 0.1  # type: ignore[assignment]
        with pytest.raises(AmountError):
            f.save(wb)
        assert f.load(2020) == seed_002_workbook()


def test_a_readonly_file_refuses_changes_and_leaves_no_trace(saved: Path) -> None:
    before = snapshot(saved.parent)
    with DepartmentFile.open(saved, readonly=True) as f:
        with pytest.raises(DepartmentFileError) as e:
            f.set_cell(2020, Cell("02", "合计", 1), D("1"))
        assert e.value.problem is Problem.READONLY
        f.load(2020)
    assert snapshot(saved.parent) == before  # not even an empty -wal or -shm left behind


def test_a_reader_that_closes_last_leaves_no_sidecars(saved: Path) -> None:
    """A check run while the window has the file open, the window closing first: the reader is
    then the last connection and must fold the -wal in and remove it (issue 18, item 7)."""
    writer = DepartmentFile.open(saved)
    writer.set_cell(2020, Cell("02", "合计", 1), D("1"))
    reader = DepartmentFile.open(saved, readonly=True)
    assert reader.load(2020).values[Cell("02", "合计", 1)] == D("1")
    writer.close()
    assert sidecar_names(saved)  # the reader still holds the file: its -wal stays meanwhile
    reader.close()
    assert sidecar_names(saved) == []
    with DepartmentFile.open(saved, readonly=True) as again:  # nothing the writer saved was lost
        assert again.load(2020).values[Cell("02", "合计", 1)] == D("1")
    assert sidecar_names(saved) == []


def sidecar_names(path: Path) -> list[str]:
    return sorted(p.name for p in path.parent.iterdir() if p.name.endswith(("-wal", "-shm", "-journal")))


def test_a_locked_file_says_so_and_recovers(saved: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store_opening, "BUSY_TIMEOUT", 0.2)
    with DepartmentFile.open(saved) as f:
        other = sqlite3.connect(saved, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # another program is writing
        try:
            with pytest.raises(DepartmentFileError) as e:
                f.set_cell(2020, Cell("02", "合计", 1), D("1"))
            assert e.value.problem is Problem.LOCKED and "其他程序" in str(e.value)
        finally:
            other.execute("ROLLBACK")
            other.close()
        f.set_cell(2020, Cell("02", "合计", 1), D("2"))  # the same connection works again
        assert f.load(2020).get(Cell("02", "合计", 1)) == D("2")


# ── the file itself ────────────────────────────────────────────────────────
def test_file_settings(saved: Path) -> None:
    with raw(saved) as c:
        assert c.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert c.execute("PRAGMA application_id").fetchone() == (APPLICATION_ID,)
        assert c.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
        assert dict(c.execute("SELECT key, value FROM meta"))["schema_version"] == str(SCHEMA_VERSION)
    with DepartmentFile.open(saved) as f:
        assert f.journal_mode == "wal"
    assert saved.read_bytes()[18:20] == b"\x02\x02"  # WAL recorded in the header itself


def test_create_refuses_to_overwrite_unless_asked(saved: Path) -> None:
    before = snapshot(saved.parent)
    with pytest.raises(DepartmentFileError) as e:
        DepartmentFile.create(saved, "别的部门")
    assert e.value.problem is Problem.EXISTS
    assert snapshot(saved.parent) == before
    with DepartmentFile.create(saved, "别的部门", overwrite=True) as f:
        assert f.years() == [] and f.department() == ("别的部门", "")
    assert sorted(p.name for p in saved.parent.iterdir()) == [saved.name]


def test_create_in_a_missing_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DepartmentFileError) as e:
        DepartmentFile.create(tmp_path / "没有这个文件夹" / "a.sqlite", DEPT)
    assert e.value.problem is Problem.MISSING
    assert list(tmp_path.iterdir()) == []


# ── migration ──────────────────────────────────────────────────────────────
def build_v1(path: Path) -> None:
    """A department file exactly as version 1 wrote it, with two years of figures."""
    with raw(path) as c:
        c.executescript(V1_SCHEMA.read_text(encoding="utf-8"))
        c.execute("BEGIN")
        c.execute("INSERT INTO department (id, name, code) VALUES (1, ?, ?)", (DEPT, DEPT_CODE))
        c.executemany("INSERT INTO department_year (id, year, created_at, updated_at) VALUES (?, ?, ?, ?)",
                      [(1, 2020, "2021-03-01T09:00:00+08:00", "2021-03-02T10:00:00+08:00"),
                       (2, 2023, "2024-03-01T09:00:00+08:00", "2024-03-05T16:30:00+08:00")])
        for code, name, r1, r2, e1, e2, e3 in SEED_002:
            for table, cols in (("02", (r1, r2)), ("03", (e1, e2, e3))):
                c.execute("INSERT INTO coded_row (year_id, table_no, code, name) VALUES (1, ?, ?, ?)",
                          (table, code, name))
                for col, text in enumerate(cols, 1):
                    if text is not None:
                        c.execute("INSERT INTO cell_value (year_id, table_no, row_key, col_no, amount)"
                                  " VALUES (1, ?, ?, ?, ?)", (table, code, col, text))
        c.execute("INSERT INTO coded_row (year_id, table_no, code, name) VALUES (1, '05', '2010308', '')")
        c.execute("INSERT INTO cell_value (year_id, table_no, row_key, col_no, amount)"
                  " VALUES (1, '06', '30299', 1, '0.000001'), (2, '01', '本年收入合计', 1, '-1717.31')")
        c.execute("INSERT INTO narrative_text (year_id, key, text) VALUES (1, '部门职责', '受理来信来访'),"
                  " (2, '部门职责', '')")
        c.execute("COMMIT")


def dump(path: Path) -> list[str]:
    with raw(path) as c:
        return [*c.iterdump(), f"user_version={c.execute('PRAGMA user_version').fetchone()[0]}"]


def shape(path: Path) -> dict[str, object]:
    """Tables, columns, indexes and foreign keys, as SQLite sees them."""
    out: dict[str, object] = {}
    with raw(path) as c:
        for (table,) in c.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").fetchall():
            cols = c.execute('SELECT name, type, "notnull", dflt_value, pk FROM pragma_table_info(?)', (table,))
            indexes = []
            for name, unique, origin in c.execute('SELECT name, "unique", origin FROM pragma_index_list(?)',
                                                  (table,)).fetchall():
                columns = [n for (n,) in c.execute("SELECT name FROM pragma_index_info(?) ORDER BY seqno", (name,))]
                indexes.append((unique, origin, columns))
            fks = c.execute('SELECT "table", "from", "to", on_delete FROM pragma_foreign_key_list(?)', (table,))
            out[table] = (cols.fetchall(), sorted(indexes), sorted(fks.fetchall()))
    return out


def test_a_v1_file_is_backed_up_and_upgraded_with_every_value_intact(tmp_path: Path) -> None:
    path = tmp_path / "旧版本.sqlite"
    build_v1(path)
    original_bytes, original_dump = path.read_bytes(), dump(path)
    with DepartmentFile.open(path) as f:
        assert (f.migrated_from, f.backup_path) == (1, tmp_path / "旧版本.sqlite.bak-v1")
        assert f.years() == [2020, 2023]
        wb2020, wb2023 = f.load(2020), f.load(2023)
        f.set_prior(2020, Cell("02", "合计", 1), D("689.35"))  # the new table works
    # The backup is the old file, byte for byte.
    assert (tmp_path / "旧版本.sqlite.bak-v1").read_bytes() == original_bytes
    assert dump(tmp_path / "旧版本.sqlite.bak-v1") == original_dump

    expected = seed_002_workbook()
    assert wb2020.template.id == template_for_year(2020).id == "national-2020"
    assert wb2023.template.id == template_for_year(2023).id == "national-2023"
    assert {c: v for c, v in wb2020.values.items() if c.table in ("02", "03")} == {
        c: v for c, v in expected.values.items() if c.table in ("02", "03") and c.row != "合计"}
    assert wb2020.get(Cell("06", "30299", 1)) == D("0.000001")
    assert wb2023.values == {Cell("01", "本年收入合计", 1): D("-1717.31")}
    assert wb2020.coded["03"] == {code: name for code, name, *_ in SEED_002}
    assert wb2020.coded["05"] == {"2010308": ""}
    assert wb2020.texts == {"部门职责": "受理来信来访"} and wb2023.texts == {"部门职责": ""}
    assert wb2020.prior == {} and (wb2020.department, wb2020.department_code) == (DEPT, DEPT_CODE)

    with raw(path) as c:
        assert c.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
        assert c.execute("SELECT created_at FROM department_year WHERE year = 2020").fetchone() == (
            "2021-03-01T09:00:00+08:00",)
        assert c.execute("PRAGMA foreign_key_check").fetchall() == []
    # An upgraded file has exactly the shape of a new one.
    with DepartmentFile.create(tmp_path / "new.sqlite", DEPT):
        pass
    assert shape(path) == shape(tmp_path / "new.sqlite")
    # Opened again: nothing more to do, no second backup.
    with DepartmentFile.open(path) as f:
        assert f.migrated_from is None and f.load(2020).prior == {Cell("02", "合计", 1): D("689.35")}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new.sqlite", "旧版本.sqlite", "旧版本.sqlite.bak-v1"]


def test_a_backup_includes_what_is_still_in_the_wal(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    build_v1(path)
    with raw(path) as c:
        c.execute("PRAGMA journal_mode = WAL")
    reader = sqlite3.connect(path, isolation_level=None)  # still open: no checkpoint at close
    try:
        reader.execute("SELECT 1 FROM meta").fetchall()
        with raw(path) as c:
            c.execute("INSERT INTO narrative_text (year_id, key, text) VALUES (1, '其他', '只在WAL中')")
        assert (tmp_path / "old.sqlite-wal").stat().st_size > 0
        expected = dump(path)
        with DepartmentFile.open(path) as f:
            assert f.load(2020).texts["其他"] == "只在WAL中"
    finally:
        reader.close()
    assert dump(tmp_path / "old.sqlite.bak-v1") == expected


def test_a_v1_file_opened_readonly_is_upgraded_in_memory_only(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    build_v1(path)
    before = snapshot(tmp_path)
    with DepartmentFile.open(path, readonly=True) as f:
        assert f.migrated_from == 1 and f.backup_path is None
        assert f.load(2020).get(Cell("03", "2010308", 3)) == D("369.83")
    assert snapshot(tmp_path) == before


def test_a_failed_upgrade_leaves_the_file_as_it_was(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "old.sqlite"
    build_v1(path)
    original = dump(path)

    def broken(conn: sqlite3.Connection) -> None:
        conn.execute("DROP TABLE narrative_text")
        conn.execute("DELETE FROM cell_value")
        raise RuntimeError("step failed halfway")

    monkeypatch.setattr(migrations, "STEPS", [broken])
    with pytest.raises(DepartmentFileError) as e:
        DepartmentFile.open(path)
    assert e.value.problem is Problem.MIGRATION and "没有改动" in str(e.value)
    assert dump(path) == original
    assert (tmp_path / "old.sqlite.bak-v1").exists()


# ── files that must be refused, untouched ──────────────────────────────────
def _newer_in_header(folder: Path) -> Path:
    path = folder / "newer.sqlite"
    with DepartmentFile.create(path, DEPT):
        pass
    with raw(path) as c:
        c.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    return path


def _newer_only_in_wal(folder: Path) -> Path:
    """A newer version whose header change is still in the -wal (its program is still running)."""
    path = folder / "newer-wal.sqlite"
    with DepartmentFile.create(path, DEPT):
        pass
    keep_open = sqlite3.connect(path, isolation_level=None)
    keep_open.execute("SELECT 1 FROM meta").fetchall()
    with raw(path) as c:
        c.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    _KEEP.append(keep_open)  # held open, so no checkpoint moves the change into the file
    assert int.from_bytes(path.read_bytes()[60:64], "big") == SCHEMA_VERSION
    return path


_KEEP: list[sqlite3.Connection] = []


def _text_file(folder: Path) -> Path:
    path = folder / "说明.sqlite"
    path.write_text("这不是数据库", encoding="utf-8")
    return path


def _spreadsheet(folder: Path) -> Path:
    path = folder / "部门决算.xlsx"
    path.write_bytes(b"PK\x03\x04" + bytes(range(256)) * 8)  # what an .xlsx starts with
    return path


def _empty(folder: Path) -> Path:
    path = folder / "empty.sqlite"
    path.write_bytes(b"")
    return path


def _foreign_sqlite(folder: Path) -> Path:
    path = folder / "foreign.sqlite"
    with raw(path) as c:
        c.execute("CREATE TABLE cell_value (x)")
        c.execute("INSERT INTO cell_value VALUES (1)")
    return path


def _our_id_but_not_our_tables(folder: Path) -> Path:
    path = folder / "same-id.sqlite"
    with raw(path) as c:
        c.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        c.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        c.execute("CREATE TABLE meta (key TEXT, value TEXT)")
    return path


def _with_a_trigger(folder: Path) -> Path:
    path = folder / "trigger.sqlite"
    with DepartmentFile.create(path, DEPT):
        pass
    with raw(path) as c:
        c.execute("CREATE TRIGGER t AFTER INSERT ON cell_value BEGIN DELETE FROM department; END")
    return path


def _full_file(folder: Path, name: str) -> Path:
    path = folder / name
    with DepartmentFile.create(path, DEPT) as f:
        f.save(seed_002_workbook())
    return path


def _truncated_half(folder: Path) -> Path:
    path = _full_file(folder, "half.sqlite")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def _truncated_mid_page(folder: Path) -> Path:
    path = _full_file(folder, "mid-page.sqlite")
    path.write_bytes(path.read_bytes()[:-100])
    return path


def _truncated_header(folder: Path) -> Path:
    path = _full_file(folder, "header.sqlite")
    path.write_bytes(path.read_bytes()[:50])
    return path


def _damaged_inside(folder: Path) -> Path:
    path = _full_file(folder, "damaged.sqlite")
    data = bytearray(path.read_bytes())
    page = int.from_bytes(data[16:18], "big")
    for p in range(2, len(data) // page):  # scribble over every page but the first
        data[p * page + 8 : p * page + 40] = b"\xff" * 32
    path.write_bytes(bytes(data))
    return path


def _missing(folder: Path) -> Path:
    return folder / "不存在.sqlite"


def _folder(folder: Path) -> Path:
    path = folder / "a-folder.sqlite"
    path.mkdir()
    return path


@pytest.mark.parametrize(("make", "problem", "words"), [
    (_newer_in_header, Problem.NEWER, "由更新版本的软件创建，请升级本软件"),
    (_newer_only_in_wal, Problem.NEWER, "由更新版本的软件创建，请升级本软件"),
    (_text_file, Problem.NOT_OURS, "不是本软件的数据文件"),
    (_spreadsheet, Problem.NOT_OURS, "不是本软件的数据文件"),
    (_empty, Problem.NOT_OURS, "不是本软件的数据文件"),
    (_foreign_sqlite, Problem.NOT_OURS, "不是本软件的数据文件（是其他软件的数据库）"),
    (_our_id_but_not_our_tables, Problem.NOT_OURS, "缺少数据表"),
    (_with_a_trigger, Problem.NOT_OURS, "触发器"),
    (_truncated_half, Problem.CORRUPT, "不完整"),
    (_truncated_mid_page, Problem.CORRUPT, "不完整"),
    (_truncated_header, Problem.CORRUPT, "不完整"),
    (_damaged_inside, Problem.CORRUPT, "已损坏"),
    (_missing, Problem.MISSING, "不存在"),
    (_folder, Problem.NOT_OURS, "文件夹"),
])
@pytest.mark.parametrize("readonly", [False, True])
def test_a_file_that_cannot_be_used_is_refused_and_left_unchanged(
    tmp_path: Path, make: Callable[[Path], Path], problem: Problem, words: str, readonly: bool
) -> None:
    path = make(tmp_path)
    before = snapshot(tmp_path)
    try:
        with pytest.raises(DepartmentFileError) as e:
            DepartmentFile.open(path, readonly=readonly)
        assert snapshot(tmp_path) == before
    finally:
        while _KEEP:
            _KEEP.pop().close()
    message = str(e.value)
    assert e.value.problem is problem
    assert message.startswith(f"“{path.name}”") and words in message
    assert "\n" not in message


def test_opening_a_locked_old_file_says_so_and_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store_opening, "BUSY_TIMEOUT", 0.2)
    path = tmp_path / "old.sqlite"
    build_v1(path)  # rollback journal: a writer's exclusive lock keeps readers out
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    other.execute("UPDATE meta SET value = value")
    before = snapshot(tmp_path)
    try:
        with pytest.raises(DepartmentFileError) as e:
            DepartmentFile.open(path)
        assert snapshot(tmp_path) == before
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert e.value.problem is Problem.LOCKED


def test_a_damaged_amount_or_an_unknown_template_is_named(saved: Path) -> None:
    with raw(saved) as c:
        c.execute("UPDATE cell_value SET amount = '12,3' WHERE row_key = '2010301' AND table_no = '02'"
                  " AND col_no = 1")
    with DepartmentFile.open(saved, readonly=True) as f, pytest.raises(DepartmentFileError) as e:
        f.load(2020)
    assert e.value.problem is Problem.CORRUPT and "12,3" in str(e.value)
    with raw(saved) as c:
        c.execute("UPDATE cell_value SET amount = '284.57' WHERE amount = '12,3'")
        c.execute("UPDATE department_year SET template_id = 'hubei-2031'")
    with DepartmentFile.open(saved, readonly=True) as f, pytest.raises(DepartmentFileError) as e:
        f.load(2020)
    assert e.value.problem is Problem.TEMPLATE and "hubei-2031" in str(e.value)


def test_only_the_store_imports_sqlalchemy() -> None:
    code = ("import sys, services.workbook, services.money, services.templates, services.migrations\n"
            "print('sqlalchemy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_set_cells_writes_a_block_in_one_transaction(tmp_path):
    path = tmp_path / "块.sqlite"
    with DepartmentFile.create(path, "部门", "001") as f:
        f.save(Workbook.new(get_template("national-2020"), 2020, "部门", "001"))
        f.set_cells(2020, {Cell("02", "合计", 1): Decimal("1.5"), Cell("02", "合计", 2): Decimal("1000")})
        f.set_cells(2020, {Cell("02", "合计", 1): None})
        with pytest.raises(AmountError):
            f.set_cells(2020, {Cell("02", "合计", 3): Decimal("2"), Cell("02", "合计", 4): Decimal("NaN")})
    with DepartmentFile.open(path, readonly=True) as f:
        wb = f.load(2020)
    assert wb.get(Cell("02", "合计", 1)) is None
    assert wb.get(Cell("02", "合计", 2)) == Decimal("1000")
    assert wb.get(Cell("02", "合计", 3)) is None  # nothing of the refused block was written


def test_one_writer_at_a_time_and_the_lock_goes_with_it(saved: Path) -> None:
    from services.filelock import lock_path

    writer = DepartmentFile.open(saved)
    assert lock_path(saved).exists() and str(os_pid()) in lock_path(saved).read_text(encoding="utf-8")
    with pytest.raises(DepartmentFileError) as e:
        DepartmentFile.open(saved)  # a second writer, even in the same process
    assert e.value.problem == Problem.LOCKED and "正由" in str(e.value) and "只读" in str(e.value)
    with DepartmentFile.open(saved, readonly=True) as reader:  # readers are never refused
        assert reader.years()
    # another process is refused the same way, and nothing it wanted to write is written
    code = ("import sys; sys.path.insert(0, '.'); from services.store import DepartmentFile, DepartmentFileError\n"
            f"try:\n    DepartmentFile.open({str(saved)!r})\nexcept DepartmentFileError as e:\n    print(e.problem)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False,
                          cwd=Path(__file__).resolve().parent.parent)
    assert proc.stdout.strip() == "locked", proc.stderr
    writer.close()
    assert not lock_path(saved).exists()
    with DepartmentFile.open(saved):  # free again
        pass


def os_pid() -> int:
    import os

    return os.getpid()
