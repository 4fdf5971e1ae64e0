"""Starting the window (启动): open a department file, an Excel workbook, or the bundled sample.

``python main.py [FILE] [--year Y] [--table TITLE] [--size WxH] [--screenshot OUT.png] [--findings-json OUT.json]``:
without FILE, the clerk's last file (the bundled sample the first time); the window opens where
the clerk left it (the screen's available area the first time); with
``--screenshot`` it is drawn at ``--size`` (default 1440×900), written to a PNG once the table has
been painted, and the program exits 0 (1 if the PNG could not be written, 2 if FILE cannot be opened).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

SAMPLE = Path(__file__).resolve().parent.parent / "resources" / "samples" / "武汉市汉阳区信访局_2020.xlsx"
ICON = Path(__file__).resolve().parent.parent / "resources" / "icons" / "disclosure-desk.png"
SAMPLE_NAME = "示例_武汉市汉阳区信访局.sqlite"  # the sample as a department file, in the user data folder
#: Longest wait for the first paint before a screenshot is taken anyway.
SCREENSHOT_TIMEOUT_MS = 5000


def _size(text: str) -> tuple[int, int]:
    """``1366x768`` → (1366, 768)."""
    w, sep, h = text.lower().replace("×", "x").partition("x")
    if not sep or not w.strip().isdigit() or not h.strip().isdigit() or not (320 <= int(w) <= 10000 and 240 <= int(h) <= 10000):
        raise argparse.ArgumentTypeError(f"窗口大小应写成 宽x高，如 1366x768（收到“{text}”）")
    return int(w), int(h)


def _args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="main.py", description="决算公开助手窗口")
    p.add_argument("file", nargs="?", type=Path, help="部门数据文件 .sqlite 或 Excel 报表 .xlsx（默认：示例部门）")
    p.add_argument("--year", type=int, help="打开时显示的年度（默认：最新）")
    p.add_argument("--table", help="打开时显示的表（编号或标题）")
    p.add_argument("--screenshot", type=Path, help="截图保存到此 PNG 文件后退出")
    p.add_argument("--size", type=_size, metavar="宽x高", help="窗口大小（像素），如 1366x768（截图默认 1440x900）")
    p.add_argument("--findings-json", type=Path, metavar="OUT.json",
                   help="把窗口显示的审核结果（各年度）写入 JSON 文件，格式同 check --json")
    return p.parse_args(argv)


def sample_file(folder: Path | None = None) -> Path:
    """The sample department as a data file in the user's data folder, made on first start."""
    if folder is None:
        from platformdirs import user_data_path

        folder = user_data_path("DisclosureDesk", appauthor=False)
    target = folder / SAMPLE_NAME
    if not target.exists():
        from services.store import DepartmentFile, DepartmentFileError
        from services.xlsx_import import XlsxImportError, import_xlsx
        from ui.document import OpenError

        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            wb = import_xlsx(SAMPLE).workbook
            with DepartmentFile.create(target, wb.department, wb.department_code) as f:
                f.save(wb)
        except (OSError, XlsxImportError, DepartmentFileError) as e:
            raise OpenError(f"无法准备示例部门：{e}") from None
    return target


def run_gui(argv: list[str]) -> int:
    args = _args(argv)
    from ui.system_libs import missing_message, missing_xcb_packages, uses_xcb

    if uses_xcb() and (missing := missing_xcb_packages()):  # Qt would name the wrong one and abort
        print(missing_message(missing), file=sys.stderr)
        return 2
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    from ui.document import Document, OpenError
    from ui.fonts import load_fonts
    from ui.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("决算公开助手")
    _identify(app)  # type: ignore[arg-type]
    load_fonts(app)  # type: ignore[arg-type]
    from ui.translations import load_translations

    load_translations(app)  # Qt's own buttons and dialogs in Chinese
    from ui.file_actions import last_file

    note = None
    try:
        path = args.file or last_file() or sample_file()
        try:
            doc = Document.open(path)
        except OpenError as e:
            if args.file or path.name == SAMPLE_NAME:
                raise
            note = f"上次的文件 {path.name} 无法打开（{e}），已打开示例部门"  # moved, deleted, or held
            path = sample_file()
            doc = Document.open(path)
    except OpenError as e:
        print(f"无法打开：{e}", file=sys.stderr)
        if not args.screenshot:
            QMessageBox.critical(None, "无法打开", str(e))
        return 2
    win = MainWindow()
    from ui.slot_guard import install

    install(lambda: win, quiet=bool(args.screenshot))  # an exception in a slot: logged, told, the window goes on
    if args.year is not None and args.year not in doc.years:
        print(f"文件中没有 {args.year} 年度（已有：{'、'.join(map(str, doc.years))}），显示最新年度", file=sys.stderr)
    win.set_document(doc, args.year)
    if args.table:
        no = win.find_table(args.table)
        if no is None:
            print(f"没有找到表“{args.table}”，显示第一张表", file=sys.stderr)
        else:
            win.show_table(no)
    if args.size or args.screenshot:
        win.resize(*(args.size or (1440, 900)))
    else:
        win.restore_geometry()
    if args.findings_json:
        _write_findings(win, args.findings_json)
    if args.screenshot:
        try:
            return _screenshot(app, win, args.screenshot, QTimer)
        finally:
            doc.close()  # nothing left beside the file: its -wal and -shm folded in, its lock gone
    win.show()
    if note:
        win.say(note, error=True)
    if path.name != SAMPLE_NAME:  # the sample is not a file the clerk chose
        from ui.file_actions import remember

        remember(path)
    if doc.unplaced or not doc.on_disk:
        from ui.file_actions import report_for

        win.show_report(report_for(win, doc))
    return app.exec()


def _identify(app) -> None:  # noqa: ANN001 - a QApplication
    """The window's icon, and the desktop entry it belongs to (the taskbar and Wayland find the
    product's name and icon there)."""
    from PySide6.QtGui import QIcon

    from services.product import DESKTOP_ID

    app.setDesktopFileName(DESKTOP_ID)
    if ICON.exists():
        app.setWindowIcon(QIcon(str(ICON)))


def _write_findings(win, out: Path) -> None:  # noqa: ANN001 - a MainWindow
    """What the window's findings panel holds for each year, in ``check --json``'s format."""
    import json

    from services.cli.common import findings_json

    doc = win.document
    results = [(win.editor(y).session.wb, win.year_findings(y)) for y in doc.years]
    out.write_text(json.dumps(findings_json(results), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def _screenshot(app, win, out: Path, QTimer) -> int:  # noqa: ANN001, N803
    """Show the window, wait for its table's first paint, write the PNG and leave."""
    page = win.current_page()
    done: list[bool] = []

    def shoot() -> None:
        if done:
            return
        done.append(True)
        app.processEvents()
        ok = win.grab().save(str(out))
        if not ok:
            print(f"无法写入截图：{out}", file=sys.stderr)
        app.exit(0 if ok else 1)

    if page is not None:
        page.view.painted.connect(lambda: QTimer.singleShot(0, shoot))
    QTimer.singleShot(SCREENSHOT_TIMEOUT_MS if page is not None else 100, shoot)
    win.show()
    return app.exec()
