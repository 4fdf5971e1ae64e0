"""Coded rows from the window (科目行): add one from the catalog picker (or a code the catalog
lacks, named by the clerk), remove one with its rows.

Adding brings the 类/款 parents and keeps code order (`EntrySession.add_code`); removing takes
the rows under it and their figures, after asking when figures would go. Both are one undo step.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from services.workbook import Cell
from ui import dialogs
from ui.picker import pick_code

if TYPE_CHECKING:
    from ui.main_window import MainWindow


def add_row(win: MainWindow) -> None:
    page = win.current_page()
    if page is None or not page.model.form.spec.coded:
        return
    from services.catalog import CatalogError, catalog

    spec, wb = page.model.form.spec, page.model.form.wb
    try:
        cat = catalog(spec.classification, wb.year)
    except CatalogError as e:
        dialogs.error(win, "没有科目表", str(e))
        return
    entry = pick_code(win, cat, set(wb.coded.get(spec.no, {})), f"公开{spec.no}表 增加{spec.classification}分类科目")
    if entry is None:
        return
    if entry.code in wb.coded.get(spec.no, {}):
        _to_row(win, Cell(spec.no, entry.code, spec.column_nos[0]))
        win.say(f"{entry.code} {entry.name} 已在表中")
        return
    name = ""
    if entry.code not in cat:
        name = (dialogs.text(win, "增加科目", f"科目表中没有 {entry.code}。请按当年的《政府收支分类科目》填写它的名称：") or "").strip()
        if not name:
            win.say(f"没有增加 {entry.code}：科目表中没有的编码需要填写名称", error=True)
            return
    page.editor.add_code(spec.no, entry.code, name)
    _to_row(win, Cell(spec.no, entry.code, spec.column_nos[0]))
    win.say(f"已增加 {entry.code} {name or entry.name}")


def _to_row(win: MainWindow, cell: Cell) -> None:
    """The row's first cell that takes a figure (its 合计 is computed: the cursor goes past it)."""
    win.jump_to(cell)
    page = win.current_page()
    pos = page.model.form.position(cell) if page is not None else None
    if page is not None and pos is not None:
        page.view.go_first(*pos)  # 06: in the row's own group, right of its name


def remove_row(win: MainWindow) -> None:
    page = win.current_page()
    if page is None or not page.model.form.spec.coded:
        return
    cur = page.view.currentIndex()
    row = page.model.form.row_at(cur.row(), cur.column()) if cur.isValid() else None
    spec, wb = page.model.form.spec, page.model.form.wb
    if row is None or not row.code:
        win.say("请先选中要删除的科目行", error=True)
        return
    under = [c for c in wb.coded.get(spec.no, {}) if c.startswith(row.code)]
    figures = [c for c in wb.values if c.table == spec.no and c.row in under]
    what = f"{row.code} {row.label.strip()}" + (f" 及其下 {len(under) - 1} 个科目" if len(under) > 1 else "")
    if figures and not dialogs.ask(win, "删除科目行", f"删除 {what}？其中的 {len(figures)} 个数据也会删除（可撤销）。"):
        return
    page.editor.remove_codes(spec.no, [row.code])
    win.say(f"已删除 {what}")
