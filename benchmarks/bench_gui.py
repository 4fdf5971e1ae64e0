"""Benchmark: the entry window's responsiveness.

1. Commit → red flag painted: a figure is committed into table 03 of a generated department with
   ≥ 600 coded rows (saved to a department file, as in use); the time until the view has repainted
   the cell turned red (target p99 < 16 ms, one frame). Totals are typed by hand here
   (手工填写合计), so a wrong figure breaks its row's 栏合计 rule; with autofill on (the default)
   the time until the filled-in totals are painted is measured too.
2. Start → window drawn: ``python main.py FILE --screenshot OUT.png`` in a subprocess; the time
   from launch until the PNG is written (the window has been shown, painted with the table and
   grabbed: an upper bound of "usable"), and until the process has exited. Target < 1.5 s.

    QT_QPA_PLATFORM=offscreen python benchmarks/bench_gui.py [--rows 600] [--edits 300]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication  # noqa: E402

from services.store import DepartmentFile  # noqa: E402
from services.synthetic import generate  # noqa: E402
from services.templates import get_template  # noqa: E402
from services.workbook import Cell  # noqa: E402


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def line(name: str, xs: list[float], target: str) -> str:
    ms = [x * 1000 for x in xs]
    return f"{name:<38} median {statistics.median(ms):6.2f} ms   p99 {pct(ms, 99):6.2f} ms   max {max(ms):6.2f} ms   ({target})"


def commit_to_paint(app: QApplication, path: Path, edits: int, manual: bool) -> tuple[list[float], int]:
    from ui.document import Document
    from ui.main_window import MainWindow
    from ui.table_model import ERROR_BG

    win = MainWindow(Document.open(path))
    win.resize(1440, 900)
    win.show()
    page = win.show_table("03")
    view, model = page.view, page.model
    win.manual_action.setChecked(manual)
    win.set_manual_totals(manual)
    painted = []
    view.painted.connect(lambda: painted.append(time.perf_counter()))
    wb = win.document.workbooks[win.year]
    leaves = [c for c in wb.codes("03") if len(c) == 7]
    rng = random.Random(7)
    times, red = [], 0
    for _ in range(edits):
        cell = Cell("03", rng.choice(leaves), 2)
        idx = model.index(*model.form.position(cell))
        view.scrollTo(idx)
        view.setCurrentIndex(idx)
        for _ in range(3):
            app.processEvents()
        old = wb.get(cell)
        painted.clear()
        t0 = time.perf_counter()
        model.setData(idx, "1,234.56")  # the commit (what Enter does after typing)
        while not painted:
            app.processEvents()
        times.append(painted[0] - t0)
        anchor = model.index(idx.row(), idx.column() - 1)  # 栏1 of the same row
        red += anchor.data(8) == ERROR_BG  # Qt.BackgroundRole
        model.setData(idx, str(old) if old is not None else "")
        while len(painted) < 2:
            app.processEvents()
    win.close()
    return times, red


def start_times(path: Path, runs: int) -> tuple[list[float], list[float]]:
    """(launch → PNG written, launch → exit) for each run."""
    out = Path(tempfile.mkdtemp()) / "shot.png"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    drawn, exited = [], []
    for _ in range(runs):
        out.unlink(missing_ok=True)
        t0 = time.time()
        subprocess.run([sys.executable, str(ROOT / "main.py"), str(path), "--table", "3", "--screenshot", str(out)],
                       cwd=ROOT, env=env, check=True, capture_output=True)
        exited.append(time.time() - t0)
        drawn.append(out.stat().st_mtime - t0)
    return drawn, exited


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=600)
    ap.add_argument("--edits", type=int, default=300)
    ap.add_argument("--starts", type=int, default=5)
    a = ap.parse_args()
    app = QApplication.instance() or QApplication([])
    from ui.fonts import load_fonts

    load_fonts(app)  # type: ignore[arg-type]
    folder = Path(tempfile.mkdtemp())
    wb = generate(get_template("national-2020"), rows=a.rows)
    big = folder / "模拟局.sqlite"
    with DepartmentFile.create(big, wb.department, wb.department_code) as f:
        f.save(wb)
    print(f"department: {len(wb.values)} figures, table 03 has {len(wb.coded['03'])} coded rows")
    manual, red = commit_to_paint(app, big, a.edits, manual=True)
    print(line("commit → red flag painted (manual)", manual, "target p99 < 16 ms") + f"   red {red}/{len(manual)}")
    auto, _ = commit_to_paint(app, big, a.edits, manual=False)
    print(line("commit → totals painted (autofill)", auto, "target p99 < 16 ms"))
    from ui.app import sample_file

    sample = sample_file(folder)
    for name, path in (("sample", sample), (f"{a.rows} rows", big)):
        drawn, exited = start_times(path, a.starts)
        print(line(f"start → window drawn, {name}", drawn, "target < 1.5 s; PNG written"))
        print(line(f"start → process exited, {name}", exited, "after the PNG"))


if __name__ == "__main__":
    main()
