"""Every failure a sentence, and the right file for the job (issue 18, items 5 and 6)."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from services.crash import LOG_DIR_ENV, guarded
from services.exchange.consolidate import consolidate
from services.exchange.submission import seal
from services.store import DepartmentFile
from services.synthetic import generate
from services.templates import get_template
from tests.conftest import SAMPLE_XLSX

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *args], cwd=ROOT, capture_output=True, text=True,
                          encoding="utf-8", timeout=120, env={**os.environ, **(env or {})})


def test_an_unexpected_exception_is_one_sentence_and_a_log(tmp_path, monkeypatch):
    monkeypatch.setenv(LOG_DIR_ENV, str(tmp_path / "logs"))
    err = io.StringIO()

    def broken() -> int:
        return {}["没有这个键"]

    assert guarded(broken, ["check", "x"], err) == 2
    [line] = err.getvalue().splitlines()
    assert line.startswith("程序出现意外错误，未能完成（KeyError") and "详细信息已写入" in line
    [log] = (tmp_path / "logs").iterdir()
    text = log.read_text(encoding="utf-8")
    assert "Traceback" in text and "broken" in text and "argv: ['check', 'x']" in text


def test_a_memory_error_is_told_as_such(tmp_path, monkeypatch):
    monkeypatch.setenv(LOG_DIR_ENV, str(tmp_path))
    err = io.StringIO()

    def hungry() -> int:
        raise MemoryError

    assert guarded(hungry, [], err) == 2 and err.getvalue().startswith("内存不足")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes")
@pytest.mark.parametrize("name", ["管道.sqlite", "管道.xlsx"])
def test_a_pipe_is_refused_without_blocking(tmp_path, name):
    os.mkfifo(tmp_path / name)
    p = run("check", str(tmp_path / name))
    assert p.returncode == 2 and "不是普通文件" in p.stderr


def test_a_folder_is_not_a_missing_file(tmp_path):
    (tmp_path / "表.xlsx").mkdir()
    p = run("check", str(tmp_path / "表.xlsx"))
    assert p.returncode == 2 and "是一个文件夹" in p.stderr and "找不到" not in p.stderr


@pytest.fixture
def district(tmp_path: Path) -> Path:
    wb = generate(get_template("national-2020"), rows=10)
    wb.department, wb.department_code = "某某局", "101001"
    path = tmp_path / "区.sqlite"
    assert consolidate([seal(wb, tmp_path / "s.sqlite").path], path, name="某某区汇总").written
    return path


def test_a_workbook_is_not_imported_into_a_district_file(district):
    before = district.read_bytes()
    p = run("import-xlsx", str(SAMPLE_XLSX), "-o", str(district))
    assert p.returncode == 2 and "是区汇总文件，不是部门数据文件" in p.stderr
    assert district.read_bytes() == before


def test_a_district_file_is_sealed_as_its_summary_for_the_next_level(district, tmp_path):
    # 汇总 of 汇总 (issue 16): a district's 汇总 year goes up a level the way a department's year does
    p = run("submit", str(district), "--year", "2020", "-o", str(tmp_path / "x.sqlite"))
    assert p.returncode == 0 and "某某区汇总 2020 年度" in p.stdout and (tmp_path / "x.sqlite").exists()


def test_district_commands_refuse_a_department_file(tmp_path):
    dept = tmp_path / "部门.sqlite"
    wb = generate(get_template("national-2020"), rows=10)
    with DepartmentFile.create(dept, "某某局", "") as f:
        f.save(wb)
    before = dept.read_bytes()
    for args in (("status", str(dept)), ("roster", str(dept), str(tmp_path / "名单.csv"))):
        (tmp_path / "名单.csv").write_text("部门代码,部门名称\n101001,甲局\n", encoding="utf-8")
        p = run(*args)
        assert p.returncode == 2 and "是部门数据文件，不是区汇总文件" in p.stderr, p.stderr
    assert dept.read_bytes() == before


def _department_file(tmp_path: Path, name: str, row_name: str) -> Path:
    wb = generate(get_template("national-2020"), rows=10)
    wb.department = name
    code = sorted(wb.coded["02"])[-1]
    wb.coded["02"][code] = row_name
    path = tmp_path / "部门.sqlite"
    with DepartmentFile.create(path, name, "") as f:
        f.save(wb)
    return path


def test_long_names_wrap_and_split_in_the_pdf(tmp_path):
    """A name longer than a line, a 科目名称 taller than a page: the PDF is still made."""
    from tests.test_pdf import pdf_text

    dept = _department_file(tmp_path, "某" * 700, "长" * 3000)
    out = tmp_path / "公开.pdf"
    p = run("export-pdf", str(dept), "-o", str(out))
    assert p.returncode == 0, p.stderr
    assert "长长长长长" in pdf_text(out)


def test_control_characters_do_not_reach_the_pdf(tmp_path):
    from tests.test_pdf import pdf_text, squeeze

    dept = _department_file(tmp_path, "某局\x1b[2J\x07<b>&", "科目\x08名\u202e称")
    out = tmp_path / "公开.pdf"
    p = run("export-pdf", str(dept), "-o", str(out))
    assert p.returncode == 0, p.stderr
    text = squeeze(pdf_text(out))
    assert "某局[2J<b>&" in text and "\x1b" not in text and "\x07" not in text and "\u202e" not in text
    assert "科目名称" in text


# ── crashes leave nothing behind (item 7) ─────────────────────────────────
def test_the_copy_a_killed_run_left_is_removed_by_the_next(district, tmp_path):
    import signal
    import time

    # a run killed halfway: its work copy stays beside the district, named by its pid
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    live = district.with_name(f"{district.name}.{child.pid}.consolidating")
    live.write_bytes(b"a run still going")
    stale = district.with_name(f"{district.name}.{2**22 + 12345}.consolidating")  # above pid_max: no such process
    stale.write_bytes(b"x" * 1000)
    stale.with_name(stale.name + "-journal").write_bytes(b"j")
    assert "上次汇总被中断，留下了 1 个临时副本" in run("status", str(district)).stdout
    wb = generate(get_template("national-2020"), rows=10)
    wb.department, wb.department_code = "乙局", "101002"
    r = consolidate([seal(wb, tmp_path / "t.sqlite").path], district)
    assert r.written
    assert not stale.exists() and not stale.with_name(stale.name + "-journal").exists()
    assert live.exists()  # the process that owns it is alive
    child.send_signal(signal.SIGKILL)
    child.wait()
    time.sleep(0.05)
    assert consolidate([tmp_path / "t.sqlite"], district).outcomes[0].action
    assert not live.exists()


@pytest.mark.skipif(sys.platform == "win32", reason="kill -9 from a POSIX shell")
def test_gate_workers_exit_when_their_parent_is_killed(tmp_path):
    """A consolidation with worker processes, killed: no worker is left running."""
    import signal
    import time

    script = tmp_path / "run.py"
    script.write_text(
        "import sys, time\n"
        f"sys.path.insert(0, {str(ROOT)!r})\n"
        "from concurrent.futures import ProcessPoolExecutor\n"
        "from services.exchange.leftovers import follow_parent\n"
        "with ProcessPoolExecutor(2, initializer=follow_parent) as pool:\n"
        "    futs = [pool.submit(time.sleep, 0.01) for _ in range(4)]\n"
        "    [f.result() for f in futs]\n"
        "    print(' '.join(str(p) for p in pool._processes), flush=True)\n"
        "    time.sleep(60)\n", encoding="utf-8")
    parent = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    workers = [int(p) for p in parent.stdout.readline().split()]
    assert len(workers) == 2
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_exists(p) for p in workers):
        time.sleep(0.05)
    assert not any(_exists(p) for p in workers)


def _exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie waiting for init to reap it is gone for our purpose
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False
