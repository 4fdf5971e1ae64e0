"""Benchmark: the whole-workbook validators run again after every edit (`services.audit.VALIDATORS`).

After each figure, text or explanation the session runs every validator beside the table rules
(the texts against the tables, 与上年核对, 公开完整性, 绩效) on the whole year, so their sum is
added to every keystroke's recheck. Measured on a generated department with ≥ 600 coded rows per
functional table, with seed 003's texts (so the clerk's parts are checked) and last year's figures
(a second generated year). Prints numbers; asserts nothing. The keystroke budget is one frame
(16 ms, `bench_gui`), of which the table rules take about 2.

    python benchmarks/bench_audit.py [--rows 600] [--runs 30]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from services.audit import VALIDATORS, Audit  # noqa: E402
from services.synthetic import generate  # noqa: E402
from services.templates import get_template  # noqa: E402
from tests.seed003 import seed003  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=600)
    ap.add_argument("--runs", type=int, default=30)
    a = ap.parse_args()
    template = get_template("national-2020")
    last = generate(template, 2020, rows=a.rows, seed=1)
    wb = generate(template, 2021, rows=a.rows, seed=2)
    wb.prior, wb.texts = dict(last.values), dict(seed003().texts)
    audit = Audit(wb)
    print(f"department: {len(wb.values)} figures, {len(wb.prior)} of last year's, {len(wb.texts)} texts; "
          f"{len(audit.findings())} findings")
    total = []
    for name, check in VALIDATORS:
        times = []
        for _ in range(a.runs):
            t = time.perf_counter()
            check(wb)
            times.append(time.perf_counter() - t)
        total.append(statistics.median(times))
        print(f"{name:<10} median {statistics.median(times) * 1000:6.2f} ms   max {max(times) * 1000:6.2f} ms")
    times = []
    for _ in range(a.runs):
        t = time.perf_counter()
        audit.refresh()
        times.append(time.perf_counter() - t)
    print(f"{'refresh':<10} median {statistics.median(times) * 1000:6.2f} ms   max {max(times) * 1000:6.2f} ms"
          "   (every validator, as after an edit)")


if __name__ == "__main__":
    main()
