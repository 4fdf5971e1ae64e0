"""The 文件 menu: new department, new year, open, recent files, Excel import/export, the PDF, save as.

Each action asks for what it needs through `ui.dialogs`, does the work through `Document` and the
core (`services.xlsx_import`, `services.xlsx_export`, the store) and hands the window the result;
errors reach the clerk as one sentence, never a traceback.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings

from ui import background, dialogs
from ui.document import Document, OpenError
from ui.new_dialog import ask_new_department, ask_new_year
from ui.report import ImportReport

if TYPE_CHECKING:
    from services.workbook import Workbook
    from ui.main_window import MainWindow

RECENT_KEY = "recent_files"
GO_TO_ERROR, PRINT_ANYWAY = "转到第一个错误", "仍然导出"
RECENT_MAX = 8


def settings() -> QSettings:
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, "DisclosureDesk", "desk")


def recent_files() -> list[Path]:
    value = settings().value(RECENT_KEY, [])
    items = [value] if isinstance(value, str) else list(value) if isinstance(value, (list, tuple)) else []
    return [Path(p) for p in items if p]


def last_file() -> Path | None:
    """The file the clerk opened last, if it is still there (a plain start opens it)."""
    return next((p for p in recent_files() if p.is_file()), None)


def remember(path: Path) -> None:
    items = [str(path)] + [str(p) for p in recent_files() if p != path]
    s = settings()
    s.setValue(RECENT_KEY, items[:RECENT_MAX])
    s.sync()


# ── actions ───────────────────────────────────────────────────────────────
def new_department(win: MainWindow) -> None:
    if not win.may_leave():
        return
    answer = ask_new_department(win)
    if answer is None:
        return
    name, code, year, template = answer
    path = dialogs.save_path(win, "新部门数据文件保存到", dialogs.DEPARTMENT_FILES, f"{name}.sqlite")
    if path is None:
        return
    try:
        win.set_document(Document.create(path, name, code, year, template))
    except OpenError as e:
        dialogs.error(win, "无法新建", str(e))
        return
    remember(path)
    win.say(f"已新建 {path.name}")


def new_year(win: MainWindow) -> None:
    doc = win.document
    if doc is None:
        return
    answer = ask_new_year(win, doc.years)
    if answer is None:
        return
    year, template = answer
    if year in doc.years and not dialogs.ask(win, "新建年度", f"{year} 年度已经有数据，要清空后重新开始吗？"):
        return
    try:
        doc.new_year(year, template)
    except OpenError as e:
        dialogs.error(win, "无法新建年度", str(e))
        return
    win.reload(year)
    win.say(f"已新建 {year} 年度（沿用上年的科目行，上年数据作为上年数）")


def open_file(win: MainWindow, path: Path | None = None, template_id: str | None = None) -> bool:
    if not win.may_leave():
        return False
    if path is None:
        path = dialogs.open_path(win, "打开部门数据文件或 Excel 报表", f"{dialogs.DEPARTMENT_FILES};;{dialogs.EXCEL_FILES}")
        if path is None:
            return False
    try:
        if path.suffix.lower() in (".xlsx", ".xlsm"):  # an import, read off the window's thread
            doc = background.run(win, "打开 Excel 报表", f"正在读取 {path.name}…", lambda _progress: Document.open(path, template_id))
        else:  # a department file's connection belongs to this thread
            doc = Document.open(path, template_id)
    except background.Cancelled:
        win.say(f"已取消打开 {path.name}")
        return False
    except OpenError as e:
        dialogs.error(win, "无法打开", str(e))
        return False
    win.set_document(doc)
    remember(path)
    if doc.unplaced or not doc.on_disk:
        win.show_report(report_for(win, doc))
    return True


def report_for(win: MainWindow, doc: Document) -> ImportReport:
    """The report of a workbook opened as it is; it offers to read it with another template."""
    wb = next(iter(doc.workbooks.values()))
    def again(template_id: str) -> None:
        open_file(win, doc.path, template_id)

    return ImportReport(doc.path, doc.notes, doc.unplaced, None, win, None if doc.on_disk else again, wb.template.id)


def import_excel(win: MainWindow, src: Path | None = None, template_id: str | None = None) -> None:
    """Import a publication workbook: into the open department file (adding or replacing that
    year), or, when none is open, into a new department file; ``template_id`` when the clerk
    chose the template (换用其他报表模板), else the one that fits the workbook best."""
    if src is None:
        src = dialogs.open_path(win, "导入 Excel 报表", dialogs.EXCEL_FILES)
        if src is None:
            return
    from services.templates import TemplateError
    from services.xlsx_import import XlsxImportError, import_xlsx

    try:  # reading only: 取消 throws the result away
        res = background.run(win, "导入 Excel 报表", f"正在读取 {src.name}…", lambda _progress: import_xlsx(src, template_id=template_id))
    except background.Cancelled:
        win.say(f"已取消导入 {src.name}，没有任何改动")
        return
    except (XlsxImportError, TemplateError) as e:
        dialogs.error(win, "无法导入", str(e))
        return
    wb = res.workbook
    doc = win.document
    try:
        if doc is not None and doc.on_disk:
            if wb.year in doc.years and not dialogs.ask(
                win, "导入 Excel", f"{doc.path.name} 中已有 {wb.year} 年度的数据。用 {src.name} 的数据替换整个 {wb.year} 年度吗？（可撤销）"
            ):
                return
            if wb.department and wb.department != doc.department and not dialogs.ask(
                win, "导入 Excel", f"{src.name} 是“{wb.department}”的报表，当前文件是“{doc.department}”。仍然导入到当前文件吗？"
            ):
                return
            wb.department, wb.department_code = doc.department, doc.workbooks[doc.years[-1]].department_code
            if wb.year in doc.years:  # one step of the year's history: 撤销 puts the year back
                editor = win.editor(wb.year)
                if editor.run(lambda: editor.session.replace_year(wb, f"导入 {src.name}")) is None:
                    return
            else:
                doc.put_year(wb)
                win.reload(wb.year)
        else:
            if not win.may_leave():
                return
            dest = dialogs.save_path(win, "导入后保存为部门数据文件", dialogs.DEPARTMENT_FILES, f"{wb.department or src.stem}.sqlite")
            if dest is None:
                return
            new = Document(src, None, {wb.year: wb})
            win.set_document(new.save_as(dest))
            remember(dest)
    except OpenError as e:
        dialogs.error(win, "无法导入", str(e))
        return
    placed = len(wb.values)
    win.say(f"已从 {src.name} 导入 {wb.year} 年度：{placed} 个数据" + (f"，{len(res.unplaced)} 个未能放入" if res.unplaced else ""))
    win.show_report(ImportReport(src, list(res.notes), [str(u) for u in res.unplaced], placed, win,
                                 lambda tid: import_excel(win, src, tid), wb.template.id))


def _export_target(win: MainWindow, title: str, filters: str, name: str) -> tuple[Workbook, Path] | None:
    """The shown year's workbook and where to write it (``name`` formatted with department and
    year), or None when there is nothing to export or the clerk cancelled."""
    doc, year = win.document, win.year
    if doc is None or year is None:
        return None
    wb = doc.workbooks[year]
    dest = dialogs.save_path(win, title, filters, name.format(department=wb.department, year=year))
    return None if dest is None else (wb, dest)


def export_excel(win: MainWindow) -> None:
    target = _export_target(win, "导出 Excel 报表", dialogs.EXCEL_FILES, "{department}_{year}年度部门决算公开表.xlsx")
    if target is None:
        return
    wb, dest = target
    year = wb.year
    from services.xlsx_export import export_xlsx

    # Written beside the target and put in its place only if not cancelled: 取消 leaves it as it was.
    part = dest.with_name(f".{dest.stem}.导出中.xlsx")
    try:
        background.run(win, "导出 Excel 报表", f"正在导出 {year} 年度…", lambda _progress: export_xlsx(wb, part))
        part.replace(dest)
    except background.Cancelled:
        win.say(f"已取消导出，{dest.name} 保持原样")
        return
    except OSError as e:
        dialogs.error(win, "无法导出", str(e))
        return
    finally:
        part.unlink(missing_ok=True)
    win.say(f"已导出 {year} 年度到 {dest}")


def export_pdf(win: MainWindow) -> None:
    """文件 → 导出公开PDF: the whole disclosure document of the shown year, with progress. A year
    with errors asks first (a document for publication with 收入总计 ≠ 支出总计 should not go out
    unnoticed): go to the first error, or print anyway."""
    if win.year is not None and win.year in win.editors:
        errors = [f for f in win.year_findings(win.year) if f.is_error]
        if errors:
            first = min(errors, key=lambda f: f.table)  # the findings panel's order
            answer = dialogs.act(win, "导出公开 PDF", f"{win.year} 年度还有 {len(errors)} 个错误（强制性审核未通过），"
                                 f"第一个在{first.table_title or '公开' + first.table + '表'}：{first.message}\n\n"
                                 "公开的文件中不应有这些错误。", [GO_TO_ERROR, PRINT_ANYWAY])
            if answer == GO_TO_ERROR:
                win.jump_to_finding(first)
                win.say(f"第一个错误：{first.message}", error=True)
            if answer != PRINT_ANYWAY:
                return
    target = _export_target(win, "导出公开 PDF", dialogs.PDF_FILES, "{year}年度{department}部门决算.pdf")
    if target is None:
        return
    wb, dest = target
    from services.pdf import export_pdf as write_pdf

    def job(progress: background.Progress):  # noqa: ANN202
        return write_pdf(wb, dest, progress=lambda done, total, what: progress(done, total, f"正在生成：{what}"))

    try:  # off the window's thread; 取消 stops at the next section and leaves no file behind
        result = background.run(win, "导出公开 PDF", "正在排版…", job)
    except background.Cancelled:
        win.say(f"已取消导出公开 PDF，{dest.name} 没有写入")
        return
    except OSError as e:
        dialogs.error(win, "无法导出", f"无法写入 {dest.name}：{e.strerror or e}")
        return
    todo = f"，还有 {len(result.placeholders)} 处需要填写（PDF 中以红色【请填写】标出）" if result.placeholders else ""
    win.say(f"已导出公开 PDF：{dest}，共 {result.pages} 页{todo}")
    if dialogs.ask(win, "导出公开 PDF", f"已导出 {dest.name}（{result.pages} 页）{todo}。\n现在打开它吗？"):
        dialogs.show_file(dest)


def save_as(win: MainWindow) -> bool:
    """Every year into a new department file, which the window then edits; False if not saved."""
    doc = win.document
    if doc is None:
        return False
    dest = dialogs.save_path(win, "另存为部门数据文件", dialogs.DEPARTMENT_FILES, f"{doc.department or doc.path.stem}.sqlite")
    if dest is None:
        return False
    try:
        win.set_document(doc.save_as(dest), year=win.year)
    except OpenError as e:
        dialogs.error(win, "无法另存为", str(e))
        return False
    remember(dest)
    win.say(f"已另存为 {dest}，之后的修改都保存在这个文件中")
    return True
