"""Benchmark: reading a published PDF back in (``check PUBLISHED.pdf``) against pdftotext.

pdftotext (poppler) only extracts the text, with no tables and no checks: the ratio says how much a
clerk waits beyond what merely reading the characters of the same file costs. Both are timed as a
new process (``main.py check --json DOC.pdf`` / ``pdftotext -layout DOC.pdf``), alternated run by run
so that the machine's speed varies alike for both, for the real 上海市普陀区财政局 2024 PDF (25 pages)
and for a generated department of about ``--rows`` 项 exported by ``export-pdf``. No target yet:
prints numbers, asserts nothing.

    python benchmarks/bench_published.py [--runs 3] [--rows 600]
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


def timed(args: list[str]) -> float:
    t = time.perf_counter()
    subprocess.run(args, cwd=ROOT, capture_output=True, timeout=1200, check=False)
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--rows", type=int, default=600)
    args = ap.parse_args()
    if shutil.which("pdftotext") is None:
        sys.exit("needs pdftotext (poppler-utils)")
    from services.pdf import export_pdf
    from services.synthetic import generate
    from services.templates import get_template
    from tests.paths import SHARED

    with tempfile.TemporaryDirectory() as tmp:
        big = Path(tmp) / "big.pdf"
        pages = export_pdf(generate(get_template("national-2020"), rows=args.rows, department="某某市某某区某某局"), big).pages
        docs = {"putuo_czj_2024 (25 pages)": SHARED / "samples" / "putuo_czj_2024.pdf",
                f"{args.rows} 项 department ({pages} pages)": big}
        for name, pdf in docs.items():
            ours, theirs = [], []
            for _ in range(args.runs):
                ours.append(timed([sys.executable, str(ROOT / "main.py"), "check", "--json", str(pdf)]))
                theirs.append(timed(["pdftotext", "-layout", str(pdf), str(Path(tmp) / "out.txt")]))
            a, b = statistics.median(ours), statistics.median(theirs)
            print(f"{name}: check {a:.2f} s, pdftotext {b:.2f} s, ratio {a / b:.1f}×")


if __name__ == "__main__":
    main()
