"""Benchmark: consolidate many generated submissions into a new district file.

Target (issue: district exchange): 1,000 submissions of ~60 coded rows each in ≤ 20 s on a
2-core machine, with memory flat in the number of submissions. Each department picks its own
款 and 项 (`synthetic.generate(vary_codes=True)`: 12 款 of 240, 5 项 of 9 under each), so the
departments differ as real ones do and nothing shared between them flatters the numbers. Each count runs in a fresh
process, so its peak RSS (``resource.getrusage``) is that of the consolidation alone. Prints
numbers; asserts nothing.

    python benchmarks/bench_consolidate.py [--counts 250 1000] [--stores sqlite postgresql] [--rows 60] [--dir DIR] [--workers N]

Each count is consolidated into a new SQLite district file and into an empty database on a
PostgreSQL server the benchmark starts itself (as the tests do), then one more submission is
added to the district of that count (the incremental case).
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def _seal_one(args: tuple[int, int, str]) -> None:
    from services.exchange.submission import seal
    from services.synthetic import generate
    from services.templates import get_template

    seed, rows, folder = args
    out = Path(folder) / f"sub{seed:05d}.sqlite"
    if not out.exists():
        wb = generate(get_template("national-2020"), 2020, rows=rows, seed=seed, department=f"模拟局{seed:04d}",
                      vary_codes=True)
        seal(wb, out)


def prepare(folder: Path, count: int, rows: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    t = time.perf_counter()
    with multiprocessing.Pool(2) as pool:
        pool.map(_seal_one, [(i, rows, str(folder)) for i in range(1, count + 1)], chunksize=20)
    paths = [folder / f"sub{i:05d}.sqlite" for i in range(1, count + 1)]
    size = sum(p.stat().st_size for p in paths)
    print(f"{count} submissions ready in {folder} ({size / 2**20:.1f} MB, {time.perf_counter() - t:.1f} s to prepare)")
    return paths


def child(folder: Path, count: int, workers: int | None, store: str) -> None:
    """Consolidate ``count`` submissions into a new district (``store``: "sqlite", or the URL of
    an empty PostgreSQL database), then one more submission into that district of ``count``."""
    from services.exchange.consolidate import consolidate

    paths = [folder / f"sub{i:05d}.sqlite" for i in range(1, count + 1)]
    extra = folder / f"sub{count + 1:05d}.sqlite"
    with tempfile.TemporaryDirectory() as tmp:
        district: str | Path = Path(tmp) / "district.sqlite" if store == "sqlite" else store
        t = time.perf_counter()
        r = consolidate(paths, district, name="模拟区汇总", workers=workers)
        elapsed = time.perf_counter() - t
        assert r.written and not r.refused, [o.reason for o in r.refused][:3]
        size = f"district file {district.stat().st_size / 2**20:6.1f} MB" if isinstance(district, Path) else "PostgreSQL"
        me, gate = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = me.ru_utime + me.ru_stime + gate.ru_utime + gate.ru_stime
        t = time.perf_counter()
        one = consolidate([extra], district)
        more = time.perf_counter() - t
        assert one.written and not one.refused
    # ru_maxrss is KiB on Linux; for children it is the largest single worker process.
    kind = "sqlite" if store == "sqlite" else "postgresql"
    print(f"{kind:10s} consolidate {count:5d}: {elapsed:6.1f} s wall ({elapsed / count * 1000:5.1f} ms each), "
          f"{cpu:6.1f} s CPU in all processes; peak RSS main {me.ru_maxrss / 1024:6.1f} MB, "
          f"worker {gate.ru_maxrss / 1024:6.1f} MB; {size}; one more into it: {more:5.2f} s")


def calibration() -> float:
    """CPU seconds of a fixed pure-Python loop: this VM's speed varies 2–3× over a day, so the
    numbers above are comparable only beside this one (about 0.14 s when the machine is quiet)."""
    t = time.process_time()
    s = 0
    for i in range(3_000_000):
        s += i * i
    return time.process_time() - t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--counts", type=int, nargs="+", default=[250, 1000])
    ap.add_argument("--rows", type=int, default=60)
    ap.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()) / "bench_consolidate_own_codes")
    ap.add_argument("--workers", type=int, help="gate processes (default: consolidate's own choice)")
    ap.add_argument("--stores", nargs="+", default=["sqlite", "postgresql"], choices=["sqlite", "postgresql"])
    ap.add_argument("--child", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--store", default="sqlite", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        child(a.dir, a.child, a.workers, a.store)
        return
    prepare(a.dir, max(a.counts) + 1, a.rows)
    before = calibration()
    extra = ["--workers", str(a.workers)] if a.workers else []
    from tests.pg_server import new_database, running_server

    with running_server() as server:
        for store in a.stores:
            if store == "postgresql" and server is None:
                print("postgresql: not installed here (apt-get install postgresql), skipped")
                continue
            for n in a.counts:
                target = "sqlite" if store == "sqlite" else new_database(server, f"bench_{n}")
                subprocess.run([sys.executable, __file__, "--child", str(n), "--dir", str(a.dir), "--store", target, *extra],
                               check=True)
    print(f"calibration loop: {before:.2f} s before, {calibration():.2f} s after (≈ 0.14 s on a quiet machine)")
    print("targets: 1000 in ≤ 20 s, 10,000 in ≤ 100 s, one more into a district of 10,000 in ≤ 1 s; "
          "peak RSS should not grow with the count")


if __name__ == "__main__":
    main()
