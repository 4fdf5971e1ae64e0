"""Starting the window (启动): open a department file, an Excel workbook, or the bundled sample.

``python main.py [FILE] [--year Y] [--table TITLE] [--screenshot OUT.png]``: with
``--screenshot`` the window is drawn at 1440×900, written to a PNG and the program exits 0.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

SAMPLE = Path(__file__).resolve().parent.parent / "resources" / "samples" / "武汉市汉阳区信访局_2020.xlsx"


def _args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="main.py", description="决算公开助手窗口")
    p.add_argument("file", nargs="?", type=Path, help="部门数据文件 .sqlite 或 Excel 报表 .xlsx（默认：示例部门）")
    p.add_argument("--year", type=int)
    p.add_argument("--table", help="打开时显示的表（编号或标题）")
    p.add_argument("--screenshot", type=Path, help="截图保存到此 PNG 文件后退出")
    return p.parse_args(argv)


def sample_file() -> Path:
    """The sample department as a data file in the user's data folder, made on first start."""
    from platformdirs import user_data_path

    from services.store import DepartmentFile
    from services.xlsx_import import import_xlsx

    target = user_data_path("DisclosureDesk", appauthor=False) / "示例_武汉市汉阳区信访局.sqlite"
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        wb = import_xlsx(SAMPLE).workbook
        with DepartmentFile.create(target, wb.department, wb.department_code) as f:
            f.save(wb)
    return target


def run_gui(argv: list[str]) -> int:
    args = _args(argv)
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    from services.commands import InputError, load_any
    from ui.fonts import load_fonts
    from ui.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    load_fonts(app)
    path = args.file or sample_file()
    try:
        loaded = load_any(path, args.year)
    except InputError as e:
        if args.screenshot:
            print(f"无法打开：{e}", file=sys.stderr)
            return 2
        QMessageBox.critical(None, "无法打开", str(e))
        return 2
    wb = max(loaded.workbooks, key=lambda w: w.year)
    save = None
    if path.suffix.lower() == ".sqlite":
        from services.store import DepartmentFile

        dept_file = DepartmentFile.open(path)
        app.aboutToQuit.connect(dept_file.close)

        def save(cell, value):  # noqa: ANN001, ANN202
            dept_file.set_cell(wb.year, cell, value)

    win = MainWindow(wb, save, f"{path}")
    if args.table:
        no = win.find_table(args.table)
        if no:
            win.show_table(no)
    win.resize(1440, 900)
    win.show()
    if args.screenshot:
        out = args.screenshot

        def shoot() -> None:
            app.processEvents()
            ok = win.grab().save(str(out))
            app.exit(0 if ok else 1)

        QTimer.singleShot(200, shoot)
    return app.exec()
