"""Benchmark: full check and single-edit recheck on a generated department.

Targets (issue: core): full check < 200 ms; single-edit recheck p99 < 5 ms, on a department
with ≥ 600 coded rows per functional table. Prints numbers; asserts nothing.

    python benchmarks/bench_check.py [--rows 600] [--edits 2000]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from services.engine import Checker  # noqa: E402
from services.synthetic import generate  # noqa: E402
from services.templates import get_template  # noqa: E402


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=600)
    ap.add_argument("--edits", type=int, default=2000)
    ap.add_argument("--template", default="national-2020")
    a = ap.parse_args()
    wb = generate(get_template(a.template), rows=a.rows)
    coded = {no: len(wb.coded[no]) for no in sorted(wb.coded)}
    full = []
    for _ in range(7):
        t = time.perf_counter()
        checker = Checker(wb)
        checker.findings()
        full.append(time.perf_counter() - t)
    cells = sorted(wb.values)
    rng = random.Random(1)
    edits = []
    for _ in range(a.edits):
        cell = rng.choice(cells)
        old = wb.get(cell)
        new = (old or Decimal(0)) + Decimal(rng.randint(1, 999)) / 100
        t = time.perf_counter()
        checker.set_value(cell, new)
        edits.append(time.perf_counter() - t)
        checker.set_value(cell, old)
    print(f"department: {len(wb.values)} figures, coded rows per table {coded}, {checker.check_count} checks")
    # The first check of a process builds every expansion; later ones reuse what does not depend
    # on the figures (`services.compile` shares row instances between workbooks).
    print(f"full check:      first {full[0] * 1000:7.1f} ms, then median {statistics.median(full[1:]) * 1000:7.1f} ms"
          "   (target < 200 ms)")
    print(f"single-edit recheck: median {statistics.median(edits) * 1000:7.3f} ms   p99 {pct(edits, 99) * 1000:7.3f} ms   max {max(edits) * 1000:7.3f} ms   (target p99 < 5 ms)")


if __name__ == "__main__":
    main()
