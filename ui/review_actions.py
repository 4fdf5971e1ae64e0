"""The 审核 menu: the 公开完整性 checklist and the 审核情况 report (each finding with its 出错说明)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ui import dialogs
from ui.checklist import Checklist

if TYPE_CHECKING:
    from ui.main_window import MainWindow


def show_checklist(win: MainWindow) -> Checklist | None:
    """审核 → 公开完整性检查: the shown year's checklist (a window beside the main one)."""
    if win.document is None or win.year is None:
        return None
    dialog = Checklist(win.document.workbooks[win.year], win)
    dialog.show()
    win.checklist = dialog  # kept while it is shown
    return dialog


def export_report(win: MainWindow) -> None:
    """审核 → 导出审核情况: every finding of the shown year with its 出错说明, as PDF or Excel."""
    if win.document is None or win.year is None:
        return
    wb = win.document.workbooks[win.year]
    dest = dialogs.save_path(win, "导出审核情况", f"{dialogs.PDF_FILES};;{dialogs.EXCEL_FILES}",
                             f"{wb.department}_{wb.year}年度审核情况.pdf")
    if dest is None:
        return
    from services.review import write_pdf, write_xlsx

    write = write_xlsx if dest.suffix.lower() == ".xlsx" else write_pdf
    try:
        write(wb, win.year_findings(win.year), dest)
    except OSError as e:
        dialogs.error(win, "无法导出", str(e))
        return
    win.say(f"已导出审核情况到 {dest}")
