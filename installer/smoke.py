"""Smoke test of the built program (打包后冒烟测试): the frozen folder, run from outside.

``python installer/smoke.py [PROGRAM] [--keep DIR]`` (default ``dist/DisclosureDesk/DisclosureDesk``,
or an installed ``/usr/bin/disclosure-desk``) runs the program as a clerk's machine would: no
Python of ours on PATH, a fresh home folder, Qt offscreen. It checks a workbook with the four
real mistakes of seed 000 (exit 1), imports the sample into a department file with the product's
own extension, exports the publication PDF with its fonts embedded, seals and consolidates it
(worker processes), into a throwaway PostgreSQL server too when Debian's ``postgresql`` is
installed (`tests.pg_cluster`), opens a version-1 department file (upgraded, its backup kept) and draws the
window to a PNG (`--keep` keeps the PNG and PDF to look at). Exit 0 when every step passed.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sqlite3
import struct
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ZHUZHOU = ROOT / "tests" / "data" / "shared" / "fixtures" / "zhuzhou_2020.xlsx"
SAMPLE = ROOT / "resources" / "samples" / "武汉市汉阳区信访局_2020.xlsx"
V1_SCHEMA = ROOT / "tests" / "data" / "schema_v1.sql"
PUTUO_PDF = ROOT / "tests" / "data" / "shared" / "samples" / "putuo_czj_2024.pdf"


def ledger_workbook(src: Path, dst: Path) -> None:
    """``src`` written as a ledger exports it: every table in 元, each figure × 1.0437 to the 分
    (finer than a cent of 万元: the year is kept in 元 and published by 舍位平衡)."""
    from decimal import Decimal

    sys.path.insert(0, str(ROOT))
    from tests.xlsx_variants import build, ledger

    build(src, dst, ledger(Decimal("1.0437")))
WINDOWS = sys.platform.startswith("win")


def default_program() -> Path:
    from installer.bundle import CLI_PROGRAM, FOLDER, PROGRAM

    name = f"{CLI_PROGRAM}.exe" if WINDOWS else PROGRAM  # the console one: its output is read
    return ROOT / "dist" / FOLDER / name


def isolated_env(home: Path) -> dict[str, str]:
    """A clerk's fresh account: a new home, data and settings folder; on Linux and macOS only the
    system's PATH (no virtualenv, no pyenv), so nothing of ours but the program is found."""
    home.mkdir(parents=True, exist_ok=True)
    if WINDOWS:
        env = dict(os.environ)
        env.update({"APPDATA": str(home / "Roaming"), "LOCALAPPDATA": str(home / "Local"), "USERPROFILE": str(home)})
    else:
        env = {"PATH": "/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8",
               "XDG_DATA_HOME": str(home / "data"), "XDG_CONFIG_HOME": str(home / "config"),
               "XDG_CACHE_HOME": str(home / "cache")}
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["PYTHONIOENCODING"] = "utf-8"  # the Windows console's code page must not decide what a pipe gets
    return env


def png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    if head[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError(f"{path.name} 不是 PNG 文件")
    w, h = struct.unpack(">II", head[16:24])
    return w, h


def pdf_fonts(path: Path) -> list[tuple[str, bool]]:
    """(font name, embedded) for each font of the PDF, read by poppler's ``pdffonts``."""
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    rows = []
    for line in out.splitlines()[2:]:
        cells = line.split()
        # name type [encoding words] emb sub uni object ID: 'emb' is the 5th field from the end
        if len(cells) >= 6:
            rows.append((cells[0], cells[-5] == "yes"))
    return rows


def build_v1(path: Path) -> None:
    """A department file as version 1 of the product wrote it: one year and its 部门职责."""
    with sqlite3.connect(path) as c:
        c.executescript(V1_SCHEMA.read_text(encoding="utf-8"))
        c.execute("INSERT INTO department (id, name, code) VALUES (1, '旧版本部门', '001')")
        c.execute("INSERT INTO department_year (id, year, created_at, updated_at) VALUES "
                  "(1, 2020, '2021-03-01T09:00:00+08:00', '2021-03-01T09:00:00+08:00')")
        c.execute("INSERT INTO narrative_text (year_id, key, text) VALUES (1, '部门职责', '受理来信来访')")
    c.close()


class Smoke:
    def __init__(self, program: Path, work: Path) -> None:
        self.program, self.work = program, work
        self.env = isolated_env(work / "home")
        self.failures: list[str] = []

    def run(self, *args: str | Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(self.program), *map(str, args)], env=self.env, capture_output=True, text=True,
                              encoding="utf-8", errors="replace", cwd=self.work, timeout=300)

    def step(self, what: str, test: Callable[[], str]) -> None:
        try:
            said = test()
        except Exception as e:  # noqa: BLE001 - every failed step is reported, the others still run
            self.failures.append(what)
            print(f"✗ {what}: {e}", flush=True)
        else:
            mark = "–" if said.startswith("跳过") else "✓"  # a step this machine cannot run says so
            print(f"{mark} {what}{'：' + said if said else ''}", flush=True)

    def expect(self, code: int, *args: str | Path) -> subprocess.CompletedProcess[str]:
        done = self.run(*args)
        if done.returncode != code:
            raise AssertionError(f"exit {done.returncode}, expected {code}\n{done.stdout[-800:]}{done.stderr[-800:]}")
        return done


def run_smoke(program: Path, work: Path) -> list[str]:
    s = Smoke(program, work)
    dept = work / "示例部门.jsgk"
    pdf, png = work / "公开.pdf", work / "窗口.png"

    def help_() -> str:
        out = s.expect(0, "--help").stdout
        assert "决算公开助手" in out, out[:200]
        return ""

    def templates() -> str:
        listed = {t["id"] for t in json.loads(s.expect(0, "templates", "--json").stdout)}
        bundled = {p.stem for p in (ROOT / "resources" / "templates").glob("*.toml")}
        assert listed == bundled, f"{sorted(listed)} ≠ {sorted(bundled)}"
        return f"{len(listed)} 个模板"

    def zhuzhou() -> str:
        found = json.loads(s.expect(1, "check", ZHUZHOU, "--json").stdout)
        errors = [f for f in found if f["severity"] == "error"]
        assert len(errors) == 4, [f["message"] for f in errors]
        assert all(f["possible_rounding"] for f in errors)
        return "4 个错误，退出码 1"

    def import_() -> str:
        s.expect(0, "import-xlsx", SAMPLE, "-o", dept)
        s.expect(0, "check", dept)
        return dept.name

    def export_pdf() -> str:
        s.expect(0, "export-pdf", dept, "-o", pdf)
        assert pdf.read_bytes().startswith(b"%PDF"), "not a PDF"
        if not shutil.which("pdffonts"):
            assert b"/FontFile2" in pdf.read_bytes(), "no embedded TrueType font"
            return f"{pdf.stat().st_size // 1024} KB，字体已嵌入（/FontFile2）"
        fonts = pdf_fonts(pdf)
        assert fonts and all(emb for _, emb in fonts), fonts
        names = " ".join(n for n, _ in fonts)
        assert "WenQuanYi" in names or "WQY" in names.upper(), names
        assert "UMing" in names, names
        return f"{len(fonts)} 种字体全部嵌入（pdffonts）"

    def export_xlsx() -> str:
        s.expect(0, "export-xlsx", dept, "-o", work / "公开.xlsx")
        return ""

    def district() -> str:
        subs = work / "上报"
        subs.mkdir()
        first = subs / "汉阳区信访局_上报_00.sqlite"
        s.expect(0, "submit", dept, "--year", "2020", "-o", first)
        for i in range(1, 40):  # 40 files: the gate runs in worker processes (PARALLEL_FROM)
            shutil.copy2(first, subs / f"汉阳区信访局_上报_{i:02}.sqlite")
        out = s.expect(0, "consolidate", subs, "-o", work / "区汇总.sqlite", "--name", "测试区汇总").stdout
        assert "已汇总 40 个上报文件" in out, out[-300:]
        out = s.expect(0, "status", work / "区汇总.sqlite").stdout
        assert "武汉市汉阳区信访局" in out, out[:300]
        return "submit → consolidate 40 个文件（多进程）→ status"

    def helper() -> str:
        """The program started as multiprocessing's resource tracker (as a parent using "spawn",
        the window's consolidation, starts it): it runs the helper, which reads its pipe to the
        end, and exits 0, instead of reading ``-c`` as a command or opening the window."""
        if WINDOWS:
            return "跳过：Windows 上的工作进程由“上报与汇总”一步（spawn）检验"
        r, w = os.pipe()
        os.close(w)
        done = subprocess.run([str(program), "-c", f"from multiprocessing.resource_tracker import main;main({r})"],
                              env=s.env, pass_fds=(r,), capture_output=True, text=True, timeout=60)
        os.close(r)
        assert done.returncode == 0 and not done.stdout, (done.returncode, done.stdout[-300:], done.stderr[-300:])
        return "-c 的辅助进程"

    def server() -> str:
        if WINDOWS:  # tests.pg_cluster starts Debian's server (its postgres user, a socket folder)
            return "跳过：Windows 上不启动临时的 PostgreSQL 服务器"
        from tests.pg_cluster import running_server

        with running_server() as url:
            if url is None:
                return "跳过：这里没有 PostgreSQL（Debian: apt-get install postgresql）"
            district = f"{url}/postgres"  # an empty database becomes a district on first use
            s.expect(0, "consolidate", work / "上报" / "汉阳区信访局_上报_00.sqlite", "-o", district, "--name", "测试区汇总")
            out = s.expect(0, "status", district).stdout
            assert "武汉市汉阳区信访局" in out, out[:300]
        return "consolidate → status 到 postgresql://（psycopg）"

    def upgrade() -> str:
        old = work / "旧版本.jsgk"
        build_v1(old)
        s.expect(0, old, "--screenshot", work / "旧版本.png")
        backup = work / "旧版本.jsgk.bak-v1"
        assert backup.exists(), sorted(p.name for p in work.iterdir())
        s.expect(0, "check", old)
        with sqlite3.connect(old) as c:
            version = c.execute("PRAGMA user_version").fetchone()[0]
            texts = c.execute("SELECT text FROM narrative_text").fetchall()
        c.close()
        assert version > 1 and texts == [("受理来信来访",)], (version, texts)
        return f"升级到第 {version} 版，文字保留，备份 {backup.name}"

    def window() -> str:
        s.expect(0, dept, "--table", "06", "--screenshot", png)
        w, h = png_size(png)
        assert (w, h) == (1440, 900), (w, h)
        return f"{png.name} {w}×{h}"

    def published() -> str:  # pdfplumber and its libraries inside
        found = json.loads(s.expect(1, "check", PUTUO_PDF, "--json").stdout)
        errors = [f for f in found if f["severity"] == "error"]
        assert len(errors) == 10, [f["message"] for f in errors]
        return f"普陀区财政局 2024 PDF：{len(errors)} 个错误、{len(found) - len(errors)} 个提示"

    def yuan() -> str:  # HiGHS and numpy inside
        src, kept, out = work / "账_2020.xlsx", work / "元.jsgk", work / "元_公开.xlsx"
        ledger_workbook(SAMPLE, src)
        s.expect(0, "import-xlsx", src, "-o", kept)
        s.expect(0, "export-pdf", kept, "-o", work / "元.pdf")
        s.expect(0, "export-xlsx", kept, "-o", out)
        s.expect(0, "check", out)  # the published 万元 add up
        return "元 录入 → 万元 公开，各表合计与明细一致"

    def crash_free() -> str:
        logs = [p for p in work.rglob("*.log") if re.match(r"错误-", p.name)]
        assert not logs, [p.read_text(encoding="utf-8")[-500:] for p in logs]
        return ""

    for what, test in [("--help", help_), ("templates（资源已打包）", templates), ("check zhuzhou_2020.xlsx", zhuzhou),
                       ("import-xlsx 示例 → .jsgk", import_), ("export-pdf", export_pdf), ("export-xlsx", export_xlsx),
                       ("上报与汇总", district), ("multiprocessing 辅助进程", helper),
                       ("区汇总在 PostgreSQL 上", server), ("旧版本文件升级", upgrade), ("窗口截图（offscreen）", window),
                       ("读回公开的 PDF", published), ("舍位平衡（按元录入）", yuan),
                       ("没有意外错误日志", crash_free)]:
        s.step(what, test)
    return s.failures


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("program", nargs="?", type=Path)
    p.add_argument("--keep", type=Path, help="copy the PDF and the screenshots here")
    args = p.parse_args(argv)
    program = args.program or default_program()
    if not program.exists():
        print(f"没有找到打包后的程序：{program}（先运行 python3 tasks.py installer）", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        failures = run_smoke(program, Path(tmp))
        if args.keep:
            args.keep.mkdir(parents=True, exist_ok=True)
            for f in [*Path(tmp).glob("*.png"), *Path(tmp).glob("*.pdf")]:
                shutil.copy2(f, args.keep / f.name)
    print("冒烟测试通过" if not failures else f"冒烟测试失败：{'、'.join(failures)}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main(sys.argv[1:]))
