"""Benchmark: the publication PDF against LibreOffice rendering only the nine tables, side by side.

Targets (issue 14, as ratios measured in one run): the whole document (封面, 目录, 概况, the tables,
情况说明 with charts, 名词解释, 附件) exported from the department file in at most 0.5 × the time
LibreOffice headless takes to convert the workbook of the same year's tables alone (``services.
xlsx_export``) to PDF, for seed 003 (长沙市信访局 2023); at most 1.0 × for a generated department
of about 600 项. Both are timed as a clerk waits for them: a new process (``main.py export-pdf
DEPT.sqlite`` / ``soffice --headless --convert-to pdf``, with a profile made beforehand), the two
alternated run by run so that the machine's speed varies alike for both. Prints numbers; asserts
nothing.

    python benchmarks/bench_pdf.py [--runs 5] [--rows 600] [--root DIR]

``--root`` times another checkout's ``main.py`` (e.g. an older commit exported with ``git archive``)
against the same LibreOffice runs, for before/after figures.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


#: as an installed program runs: with its modules' compiled bytecode (pip and the installers write
#: it; a session that sets PYTHONDONTWRITEBYTECODE would compile ~60 of our modules on every run)
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def timed(args: list[str], cwd: Path) -> float:
    t = time.perf_counter()
    subprocess.run(args, cwd=cwd, capture_output=True, check=True, timeout=600, env=ENV)
    return time.perf_counter() - t


def pages(pdf: Path) -> int | str:
    try:
        from pypdf import PdfReader

        return len(PdfReader(pdf).pages)
    except Exception:  # pypdf is a test dependency only
        return "?"


def department(wb, folder: Path, name: str) -> tuple[Path, Path]:  # noqa: ANN001
    """The year as a workbook (what LibreOffice converts) and as a department file with the clerk's
    texts and last year's figures (what we export)."""
    from services.store import DepartmentFile
    from services.xlsx_export import export_xlsx

    xlsx, dept = folder / f"{name}.xlsx", folder / f"{name}.sqlite"
    export_xlsx(wb, xlsx)
    with DepartmentFile.create(dept, wb.department, wb.department_code) as f:
        f.save(wb)
    return xlsx, dept


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--rows", type=int, default=600, help="项 rows of the large generated department")
    ap.add_argument("--root", type=Path, default=ROOT, help="the checkout whose main.py is timed")
    a = ap.parse_args()

    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        print("跳过：没有安装 LibreOffice（Debian：apt-get install libreoffice-calc）")
        return
    from services.synthetic import generate
    from services.templates import get_template
    from tests.seed003 import seed003

    tmp = Path(tempfile.mkdtemp(prefix="bench_pdf_"))
    profile = tmp / "lo-profile"
    cases = [("seed003", seed003(), "0.5"),
             (f"generated{a.rows}", generate(get_template("national-2023"), year=2023, rows=a.rows), "1.0")]
    for name, wb, target in cases:
        xlsx, dept = department(wb, tmp, name)
        lo_args = [soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                   "--outdir", str(tmp / "lo"), str(xlsx)]
        ours_args = [sys.executable, str(a.root / "main.py"), "export-pdf", str(dept), "-o", str(tmp / f"{name}.pdf")]
        timed(lo_args, tmp)  # the first run makes LibreOffice's profile: not counted
        timed(ours_args, a.root)
        ours, lo = [], []
        for _ in range(a.runs):  # alternated, so both see the same machine
            lo.append(timed(lo_args, tmp))
            ours.append(timed(ours_args, a.root))
        o, l_ = statistics.median(ours), statistics.median(lo)
        print(f"{name}: 本程序导出整份公开文件 {pages(tmp / f'{name}.pdf')} 页 {o:.2f} s；"
              f"LibreOffice 仅九张表 {pages(tmp / 'lo' / f'{name}.pdf')} 页 {l_:.2f} s；"
              f"比值 {o / l_:.2f}（目标 ≤ {target}，中位数，各 {a.runs} 次，新进程）")
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
