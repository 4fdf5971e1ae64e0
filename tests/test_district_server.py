"""The district on a PostgreSQL server (省级): the same consolidation, status, check and export as
on a district file, all or nothing per run, concurrent runs serialised, the newest seal winning —
against a real server the test run starts itself (`tests.pg_server`)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from services.exchange.consolidate import ADDED, OLDER, consolidate
from services.exchange.district_file import DistrictError
from services.exchange.roster import RosterEntry, set_roster
from services.exchange.status import District
from services.exchange.submission import seal
from services.money import D
from services.store import DepartmentFile
from services.workbook import Cell
from tests.paths import ROOT
from tests.sealed_seeds import sealed_seeds

SPENT = Cell("01", "本年支出合计", 2)


@pytest.fixture(scope="module")
def seeds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return sealed_seeds(tmp_path_factory.mktemp("pg-seeds"))


def _snapshot(url: str) -> tuple:
    """Everything the district holds, to prove a refused run changed nothing."""
    import psycopg

    with psycopg.connect(url) as conn:
        tables = [r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")]
        return tuple((t, conn.execute(f'SELECT count(*), md5(coalesce(string_agg(x::text, \',\' ORDER BY x::text), \'\')) FROM "{t}" x').fetchone())
                     for t in tables)


def test_the_seed_departments_consolidate_into_postgresql(seeds, pg_district):
    r = consolidate([seeds["zz.sub"], seeds["wh.sub"]], pg_district, name="某某区汇总")
    assert r.written and not r.refused and [o.action for o in r.outcomes] == [ADDED, ADDED]
    with District(pg_district) as d:
        report = d.status(2020)
        assert report.name == "某某区汇总" and len(report.departments) == 2
        assert d.consolidated(2020).get(SPENT) == D("1139.51")
        zz = next(x for x in report.departments if "株洲" in x.name)
        assert zz.errors == 4 and len([f for f in d.findings(2020, zz.key) if f.severity == "error"]) == 4
        assert d.department(2020, zz.key).department == zz.name


def test_batched_array_writes_store_what_row_writes_store(seeds, pg_district, tmp_path, monkeypatch):
    """Every bulk write as one statement of arrays (contents as bytea[], findings with their
    NULLs and flags, the 汇总's cells): the server district holds exactly what a district file
    written row by row holds."""
    from services.exchange import totals

    subs = [seeds["zz.sub"], seeds["wh.sub"]]
    local = tmp_path / "区.sqlite"
    assert consolidate(subs, local).written
    monkeypatch.setattr(totals, "ARRAYS_FROM", 1)
    assert consolidate(subs, pg_district).written
    with District(pg_district) as server, District(local) as file:
        assert server.consolidated(2020).values == file.consolidated(2020).values
        compared = 0
        for dept in file.status(2020).departments:
            kept = [tuple(f)[1:] for f in file.findings(2020, dept.key)]
            assert [tuple(f)[1:] for f in server.findings(2020, dept.key)] == kept
            assert server.department(2020, dept.key).values == file.department(2020, dept.key).values
            compared += len(kept)
        assert compared >= 4  # zhuzhou's four errors, at least


def test_a_tampered_submission_leaves_the_server_district_unchanged(seeds, pg_district, tmp_path):
    import sqlite3

    consolidate([seeds["zz.sub"]], pg_district)
    before = _snapshot(pg_district)
    bad = Path(shutil.copy(seeds["wh.sub"], tmp_path / "wh.sub"))
    con = sqlite3.connect(bad)
    con.execute("UPDATE cell_value SET amount = '707.13' WHERE table_no = '01' AND row_key = '本年支出合计'")
    con.commit()
    con.close()
    r = consolidate([seeds["wh.sub"], bad], pg_district)
    assert not r.written and len(r.refused) == 1 and "校验码不符" in r.refused[0].reason
    assert _snapshot(pg_district) == before


def test_an_older_seal_never_replaces_a_newer_one_on_the_server(seeds, pg_district, tmp_path):
    with DepartmentFile.open(seeds["wh"], readonly=True) as f:
        wb = f.load(2020)
    newer, older = tmp_path / "newer.sub", tmp_path / "older.sub"
    seal(wb, newer, created_at="2021-03-02T09:00:00+08:00")
    wb.set(Cell("03", "2010308", 1), D("370.83"))
    seal(wb, older, allow_errors=True, created_at="2021-03-01T09:00:00+08:00")
    r = consolidate([newer, older], pg_district)
    assert [o.action for o in r.outcomes] == [ADDED, OLDER]
    with District(pg_district) as d:
        (current,) = d.departments(2020)
        assert current.sealed_at == "2021-03-02T09:00:00+08:00" and len(d.history(2020, current.key)) == 2
        assert d.consolidated(2020).get(Cell("03", "2010308", 1)) == D("369.83")


def test_concurrent_consolidations_into_one_district_serialise(seeds, pg_district):
    consolidate([seeds["zz.sub"]], pg_district)  # the district exists; now two runs at once
    results, errors = [], []

    def run(path: Path) -> None:
        try:
            results.append(consolidate([path], pg_district))
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=run, args=(seeds[k],)) for k in ("wh.sub", "zz.sub")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(results) == 2
    with District(pg_district) as d:
        assert len(d.departments(2020)) == 2 and d.consolidated(2020).get(SPENT) == D("1139.51")


def test_a_database_that_is_not_a_district_is_refused(pg_district):
    import psycopg

    with psycopg.connect(pg_district, autocommit=True) as conn:
        conn.execute("CREATE TABLE payroll (id int)")
    with pytest.raises(DistrictError, match="不是区汇总数据库"):
        set_roster(pg_district, [RosterEntry("101001", "某局")])
    with pytest.raises(DistrictError, match="还没有区汇总数据"):
        District(pg_district)


def test_an_unreachable_server_is_one_chinese_sentence(pg_server):
    port = int(pg_server.rsplit(":", 1)[1]) + 1
    with pytest.raises(DistrictError, match="无法连接数据库") as e:
        District(f"postgresql://nobody:secret@127.0.0.1:{port}/none")
    assert "secret" not in str(e.value)


def test_every_district_command_works_on_the_url(seeds, pg_district, tmp_path):
    def cli(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, str(ROOT / "main.py"), *args], capture_output=True, text=True,
                              encoding="utf-8", cwd=ROOT, check=False)

    roster = tmp_path / "名单.csv"
    roster.write_text("部门代码,部门名称\n,株洲市渌口区信访局\n,武汉市汉阳区信访局\n,某某局\n", encoding="utf-8")
    r = cli("roster", pg_district, str(roster), "--name", "某某省汇总")
    assert r.returncode == 0, r.stderr
    r = cli("consolidate", str(seeds["zz.sub"]), str(seeds["wh.sub"]), "-o", pg_district)
    assert r.returncode == 0, r.stderr
    r = cli("status", pg_district, "--year", "2020")
    assert r.returncode == 1 and "某某省汇总 2020 年度：已收到 2 个部门的上报" in r.stdout and "○ 某某局" in r.stdout
    r = cli("check", "--json", pg_district)
    assert r.returncode in (0, 1), r.stderr
    assert all(i["department"] == "某某省汇总" for i in json.loads(r.stdout))
    out = tmp_path / "汇总.xlsx"
    r = cli("export-xlsx", pg_district, "-o", str(out))
    assert r.returncode == 0 and "上报情况" in r.stdout, r.stderr
    from openpyxl import load_workbook

    assert "上报情况" in load_workbook(out).sheetnames
    r = cli("export-pdf", pg_district, "-o", str(tmp_path / "汇总.pdf"))
    assert r.returncode == 0 and (tmp_path / "汇总.pdf").stat().st_size > 10_000, r.stderr


def test_running_sums_on_the_server_equal_a_sum_from_scratch(pg_district, tmp_path):
    """New and replacing submissions over several runs (each writing only its own cells, with
    the server's way of finding them) leave exactly the sum of the current submissions."""
    from services.synthetic import generate
    from services.templates import get_template

    template, current = get_template("national-2020"), {}
    for run, (seeds, rows, at) in enumerate([([1, 2, 3], 20, "2021-03-01T09:00:00+08:00"),
                                            ([2, 4], 12, "2021-03-02T09:00:00+08:00"),
                                            ([1], 7, "2021-03-03T09:00:00+08:00")]):
        paths = []
        for seed in seeds:
            wb = generate(template, 2020, rows=rows, seed=seed, department=f"模拟局{seed}", vary_codes=True)
            paths.append(tmp_path / f"s{seed}-{run}.sub")
            seal(wb, paths[-1], created_at=at)
            current[seed] = wb
        assert consolidate(paths, pg_district, workers=1).written
    expected: dict = {}
    for wb in current.values():
        for cell, v in wb.values.items():
            expected[cell] = expected.get(cell, D(0)) + v
    with District(pg_district) as d:
        got = d.consolidated(2020)
    assert got.values == expected
    assert set(got.coded["03"]) == {c for wb in current.values() for c in wb.coded["03"]}


def test_a_server_districts_summary_is_sealed_for_the_next_level(seeds, pg_district, tmp_path):
    consolidate([seeds["zz.sub"], seeds["wh.sub"]], pg_district, name="某某省甲市汇总", code="4301")
    r = subprocess.run([sys.executable, str(ROOT / "main.py"), "submit", pg_district, "--year", "2020",
                        "-o", str(tmp_path / "甲市.sub"), "--allow-errors"], capture_output=True, text=True,
                       encoding="utf-8", cwd=ROOT, check=False)
    assert r.returncode == 0, r.stderr
    assert consolidate([tmp_path / "甲市.sub"], tmp_path / "省.sqlite").written
    with District(tmp_path / "省.sqlite") as d:
        assert d.consolidated(2020).get(SPENT) == D("1139.51") and d.departments(2020)[0].name == "某某省甲市汇总"


def test_offsets_on_the_server(seeds, pg_district):
    consolidate([seeds["zz.sub"], seeds["wh.sub"]], pg_district)
    r = subprocess.run([sys.executable, str(ROOT / "main.py"), "offset", pg_district, "--year", "2020", "--table", "01",
                        "--row", "201", "--col", "2", "--amount", "100", "--between", "甲 ↔ 乙", "--why", "内部往来",
                        "--by", "张三"], capture_output=True, text=True, encoding="utf-8", cwd=ROOT, check=False)
    assert r.returncode == 0 and "已记录第 1 号抵消" in r.stdout and "1,079.76 → 979.76" in r.stdout, r.stdout + r.stderr
    with District(pg_district) as d:
        assert d.consolidated(2020).get(SPENT) == D("1039.51")
        recorded, cells = d.offsets(2020)
        assert [o.amount for o in recorded] == [D("100.00")] and len(cells) == 3  # 201, 本年支出合计, 支出总计


def test_a_server_district_from_before_explanations_is_read_and_written(seeds, pg_district):
    """A district database made before the 出错说明 table existed gains it (empty), so reading
    its years and consolidating into it work as before."""
    import psycopg

    consolidate([seeds["wh.sub"]], pg_district, name="某某区汇总")
    with psycopg.connect(pg_district) as conn:
        conn.execute("DROP TABLE finding_note")
    with District(pg_district) as d:
        assert d.consolidated(2020).get(SPENT) is not None and d.consolidated(2020).notes == {}
    r = consolidate([seeds["zz.sub"]], pg_district)
    assert r.written and not r.refused
