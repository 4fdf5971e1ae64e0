"""Benchmark: the publication PDF of a seed-size department, against LibreOffice.

Targets (issue: publication PDF): export of seed 003 (长沙市信访局 2023, the whole document)
< 2 s; and at least 3× faster than LibreOffice headless converting our own exported workbook
of the same tables (``services.xlsx_export``) to PDF — which only prints the nine tables, without
the 目录, the 情况说明 or the charts. Prints numbers; asserts nothing.

    python benchmarks/bench_pdf.py [--runs 5] [--rows 600]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

_COLD = """
import time
t = time.perf_counter()
from tests.seed003 import seed003
from services.pdf import export_pdf
r = export_pdf(seed003(), {out!r})
print(time.perf_counter() - t, r.pages)
"""


def cold_export(out: Path) -> tuple[float, int]:
    """A fresh process: imports ReportLab, loads the fonts, builds once (what a clerk waits for)."""
    res = subprocess.run([sys.executable, "-c", _COLD.format(out=str(out))], cwd=ROOT, capture_output=True, text=True, check=True)
    seconds, pages = res.stdout.split()
    return float(seconds), int(pages)


def libreoffice(xlsx: Path, outdir: Path, profile: Path) -> float | None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        return None
    t = time.perf_counter()
    subprocess.run(
        [soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf", "--outdir", str(outdir), str(xlsx)],
        capture_output=True, check=True, timeout=300,
    )
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--rows", type=int, default=600, help="coded rows of the large generated department")
    a = ap.parse_args()

    from services.pdf import export_pdf
    from services.synthetic import generate
    from services.templates import get_template
    from tests.seed003 import seed003

    tmp = Path(tempfile.mkdtemp(prefix="bench_pdf_"))
    wb = seed003()
    cold, pages = cold_export(tmp / "cold.pdf")
    warm = []
    for i in range(a.runs):
        warm.append(export_pdf(wb, tmp / f"warm{i}.pdf").seconds)
    ours = statistics.median(warm)
    print(f"seed 003 (长沙市信访局 2023, {pages} 页)：首次导出 {cold:.2f} s（新进程，含加载 ReportLab 与字体），"
          f"再次导出中位数 {ours:.2f} s（{a.runs} 次）  目标 < 2 s")

    big = generate(get_template("national-2023"), year=2023, rows=a.rows)
    res = export_pdf(big, tmp / "big.pdf")
    print(f"模拟部门（每张功能分类表约 {a.rows} 行）：{res.pages} 页，{res.seconds:.2f} s")

    try:
        from services.xlsx_export import export_xlsx
    except ImportError:
        print("LibreOffice 对比：跳过（services/xlsx_export.py 不存在）")
        return
    xlsx = tmp / "seed003.xlsx"
    export_xlsx(wb, xlsx)
    profile = tmp / "lo-profile"
    first = libreoffice(xlsx, tmp / "lo", profile)
    if first is None:
        print("LibreOffice 对比：跳过（没有安装 libreoffice / soffice）")
        return
    again = [libreoffice(xlsx, tmp / "lo", profile) for _ in range(max(1, a.runs // 2))]
    lo = statistics.median([x for x in again if x is not None])
    lo_pages = _pages(tmp / "lo" / "seed003.pdf")
    print(f"LibreOffice headless 把同一套表（xlsx，仅九张表，{lo_pages} 页）转成 PDF：首次 {first:.2f} s（新建配置），"
          f"再次中位数 {lo:.2f} s")
    print(f"对比（目标 ≥ 3×）：首次对首次 {first / cold:.1f}×，再次对再次 {lo / ours:.1f}×，"
          f"本程序首次对 LibreOffice 再次 {lo / cold:.1f}×")


def _pages(pdf: Path) -> str:
    try:
        from pypdf import PdfReader

        return str(len(PdfReader(pdf).pages))
    except Exception:  # pypdf is a test dependency only
        return "?"

if __name__ == "__main__":
    main()
