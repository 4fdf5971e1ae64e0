"""Start-up of the frozen program against the source (启动时间), measured in one run.

``.venv/bin/python installer/bench_startup.py [dist/DisclosureDesk/DisclosureDesk] [--runs N]``
times three start-ups, each run alternately from source (this Python, ``main.py``) and frozen,
so both see the same machine load, and prints the median of each and their ratio:
``--help``; ``check`` of zhuzhou_2020.xlsx (4 errors); the window drawn offscreen to a PNG on the
sample department file (imported once into a temporary folder, by the source).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from installer.smoke import ZHUZHOU, default_program, isolated_env  # noqa: E402


def _time(cmd: list[str], env: dict[str, str], codes: tuple[int, ...]) -> float:
    start = time.perf_counter()
    done = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT)
    took = time.perf_counter() - start
    if done.returncode not in codes:
        raise SystemExit(f"{' '.join(cmd)}: exit {done.returncode}\n{done.stderr.decode(errors='replace')}")
    return took


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("program", nargs="?", type=Path, default=default_program())
    p.add_argument("--runs", type=int, default=9)
    args = p.parse_args(argv)
    if not args.program.exists():
        print(f"没有找到打包后的程序：{args.program}（先运行 python3 tasks.py installer）", file=sys.stderr)
        return 2
    source = [sys.executable, str(ROOT / "main.py")]
    frozen = [str(args.program)]
    with tempfile.TemporaryDirectory() as tmp:
        env = isolated_env(Path(tmp))
        dept = Path(tmp) / "示例部门.jsgk"
        sample = ROOT / "resources" / "samples" / "武汉市汉阳区信访局_2020.xlsx"
        subprocess.run([*source, "import-xlsx", str(sample), "-o", str(dept)], env=env, check=True, stdout=subprocess.DEVNULL)
        png = Path(tmp) / "window.png"
        cases = [
            ("--help", ["--help"], (0,)),
            ("check zhuzhou_2020.xlsx", ["check", str(ZHUZHOU)], (1,)),
            ("window --screenshot", [str(dept), "--screenshot", str(png)], (0,)),
        ]
        print(f"{'start-up':<26}{'source s':>10}{'frozen s':>10}{'frozen/source':>15}   (median of {args.runs})")
        for name, rest, codes in cases:
            times: dict[str, list[float]] = {"source": [], "frozen": []}
            for _ in range(args.runs):
                times["source"].append(_time([*source, *rest], env, codes))
                times["frozen"].append(_time([*frozen, *rest], env, codes))
            s, f = statistics.median(times["source"]), statistics.median(times["frozen"])
            print(f"{name:<26}{s:>10.3f}{f:>10.3f}{f / s:>15.2f}", flush=True)
    return 0


if __name__ == "__main__":
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    sys.exit(main(sys.argv[1:]))
