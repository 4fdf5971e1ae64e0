"""Benchmark: time and peak memory of the commands on the hostile corpus (`tests/hostile.py`).

Issue 18: every hostile input refused (or read) within a second or so, peak memory under 500 MB.
Each case runs the real command line in a child process under a memory cap (``--cap`` MB of
address space, so a blow-up is stopped instead of taking the machine) and a time-out; prints the
elapsed time, the peak resident memory (``ru_maxrss`` of the child), the exit code and the last
line of its stderr. Asserts nothing.

    python benchmarks/bench_hostile.py [--cap 3000] [--timeout 60] [--only NAME]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests import hostile  # noqa: E402


def run(args: list[str], cap_mb: int, timeout: float) -> tuple[float, int, str, str]:
    """(seconds, peak resident KB, exit code, last stderr line) of one command in a child process."""
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (cap_mb * 2**20, cap_mb * 2**20))

    t = time.perf_counter()
    with tempfile.TemporaryFile("w+") as err:
        p = subprocess.Popen([sys.executable, str(ROOT / "main.py"), *args], stdout=subprocess.DEVNULL,
                             stderr=err, preexec_fn=limit)
        while True:  # os.wait4: this child's own rusage (RUSAGE_CHILDREN would be the largest so far)
            pid, status, ru = os.wait4(p.pid, os.WNOHANG)
            if pid:
                code = str(os.waitstatus_to_exitcode(status))
                break
            if time.perf_counter() - t > timeout:
                p.kill()
                _, _, ru = os.wait4(p.pid, 0)
                code = "timeout"
                break
            time.sleep(0.01)
        p.returncode = 0  # reaped above
        elapsed = time.perf_counter() - t
        err.seek(0)
        last = (err.read().strip().splitlines() or [""])[-1]
    return elapsed, ru.ru_maxrss, code, last


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cap", type=int, default=3000, help="address-space cap of each run, MB")
    ap.add_argument("--timeout", type=float, default=60)
    ap.add_argument("--only", default="")
    ap.add_argument("--forged-cells", type=int, default=300_000)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        district = d / "district.sqlite"
        cases: list[tuple[str, object, list[str]]] = [
            ("far_cell", lambda: hostile.far_cell(d / "far.xlsx"), ["check", str(d / "far.xlsx")]),
            ("whole_sheet_merge", lambda: hostile.whole_sheet_merge(d / "merge.xlsx"),
             ["check", str(d / "merge.xlsx")]),
            ("many_merges", lambda: hostile.many_merges(d / "merges.xlsx"), ["check", str(d / "merges.xlsx")]),
            ("empty_cells_20M", lambda: hostile.empty_cells(d / "empty.xlsx"), ["check", str(d / "empty.xlsx")]),
            ("empty_cells_1M", lambda: hostile.empty_cells(d / "empty1m.xlsx", 1_000_000),
             ["check", str(d / "empty1m.xlsx")]),
            ("zip_bomb_entry", lambda: hostile.zip_bomb_entry(d / "bomb.xlsx"), ["check", str(d / "bomb.xlsx")]),
            ("import_far_cell", lambda: None, ["import-xlsx", str(d / "far.xlsx"), "-o", str(d / "x.sqlite")]),
            ("roster_far_cell", lambda: hostile.roster_far_cell(d / "rfar.xlsx"),
             ["roster", str(district), str(d / "rfar.xlsx")]),
            ("roster_entity_bomb", lambda: hostile.entity_bomb(d / "rent.xlsx"),
             ["roster", str(district), str(d / "rent.xlsx")]),
            ("roster_long_csv_field", lambda: hostile.long_csv_field(d / "rlong.csv"),
             ["roster", str(district), str(d / "rlong.csv")]),
            ("forged_submission", lambda: hostile.forged_submission(d / "forged.sqlite", a.forged_cells),
             ["consolidate", str(d / "forged.sqlite"), "-o", str(district)]),
        ]
        print(f"{'case':24} {'file':>10} {'time s':>8} {'peak MB':>8} {'exit':>7}  stderr")
        for name, build, args in cases:
            if a.only and a.only not in name:
                continue
            build()  # type: ignore[operator]
            target = Path(args[1] if args[0] != "roster" else args[2])
            size = target.stat().st_size if target.exists() else 0
            elapsed, peak, code, err = run(args, a.cap, a.timeout)
            peak_s = f"{peak / 1024:.0f}"
            print(f"{name:24} {size / 1024:>8.0f}KB {elapsed:>8.2f} {peak_s:>8} {code:>7}  {err[:90]}", flush=True)


if __name__ == "__main__":
    main()
