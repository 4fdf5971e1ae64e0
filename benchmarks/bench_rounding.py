"""Benchmark: 舍位平衡 of a year kept in 元, against the full check of the same year.

A generated department (≥ 600 coded rows per functional table) with every figure × 1.0437, i.e.
exact to the 分 of a 元; prints the time to balance it (`services.rounding.balanced`, once per
printed or exported document), the full check's time in the same run, their ratio, and how many
rules the figures rounded one by one would break against the balanced ones. Asserts nothing.

    python benchmarks/bench_rounding.py [--rows 600]
"""

from __future__ import annotations

import argparse
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from services.audit import audit  # noqa: E402
from services.money import round_cent  # noqa: E402
from services.rounding import balanced  # noqa: E402
from services.synthetic import generate  # noqa: E402
from services.templates import get_template  # noqa: E402
from services.workbook import Workbook  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=600)
    a = ap.parse_args()
    wb = generate(get_template("national-2020"), 2020, rows=a.rows, seed=3)
    wb.values = {c: v * Decimal("1.0437") for c, v in wb.values.items()}
    t0 = time.perf_counter()
    exact = audit(wb)
    check_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    pub = balanced(wb)
    balance_s = time.perf_counter() - t0

    def with_values(values: dict) -> Workbook:
        return Workbook(wb.template, wb.year, wb.department, wb.department_code, values, wb.coded)

    each = audit(with_values({c: round_cent(v) for c, v in wb.values.items()}))
    after = audit(with_values(pub))
    moved = sum(pub[c] != round_cent(v) for c, v in wb.values.items())
    print(f"figures: {len(wb.values)}  findings on the exact figures: {len(exact)}")
    print(f"full check: {check_s:.3f} s   balancing: {balance_s:.3f} s   ratio {balance_s / check_s:.1f}×")
    print(f"rounded one by one: {len(each)} findings; balanced: {len(after)} findings, "
          f"{moved} figures printed one cent off their own rounding")


if __name__ == "__main__":
    main()
