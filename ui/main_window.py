"""The main window (主窗口): navigator, table form, findings panel, menus and status bar.

It arranges the pieces and routes one handler, `_changed`, for every change an edit makes
(Anki-style): the findings panel and the navigator's badges update from the `Change`, the status
bar says whether it was saved. It holds no rules and no arithmetic; a year's figures, checks,
saving and undo history live in its `EntrySession` (`services.session`), which its
`SessionEditor` forwards to. 撤销/恢复 act on the shown year's history, whichever page made the edit.
"""

from __future__ import annotations

import time
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel, QMainWindow, QSplitter, QStackedWidget, QWidget

from services.findings import TEXT_TABLE, Finding
from services.performance import TABLE as PERF_TABLE
from services.session import Change
from services.workbook import Cell
from ui import dialogs, exchange_actions, file_actions, table_actions
from ui.department_page import DepartmentPage
from ui.district_page import DistrictPage, freeze
from ui.document import Document, OpenError
from ui.editing import SessionEditor
from ui.findings_panel import FindingsPanel
from ui.navigator import Navigator
from ui.performance_page import PerformancePage
from ui.report import ImportReport
from ui.table_page import TablePage

if TYPE_CHECKING:
    from ui.checklist import Checklist

FLUSH_AFTER_MS = 2000  # a pause this long makes the committed edits durable (see DepartmentFile.flush)


def _by_table(findings: list[Finding]) -> list[Finding]:
    """Table by table (公开01表 first), each in the template's rule order, cross-table rules last."""
    return sorted(findings, key=lambda f: f.table)


class MainWindow(QMainWindow):
    def __init__(self, document: Document | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.document: Document | None = None
        self.year: int | None = None
        self.editors: dict[int, SessionEditor] = {}
        self.pages: dict[tuple, QWidget] = {}
        self.reports: list[ImportReport] = []
        #: the 绩效 findings of each year (they are not the engine's: `services.performance`)
        self._save_failing = False
        #: the 公开完整性 checklist while it is shown (审核 menu)
        self.checklist: Checklist | None = None
        #: a workbook opened from Excel was edited: its changes are only in this window
        self.unsaved = False

        self.nav = Navigator()
        self.nav.setObjectName("navigator")
        self.stack = QStackedWidget()
        self.findings = FindingsPanel()
        self.findings.setObjectName("findings")
        self.findings.jump.connect(self.jump_to_finding)
        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(self.stack)
        right.addWidget(self.findings)
        right.setStretchFactor(0, 4)
        right.setStretchFactor(1, 1)
        right.setCollapsible(0, False)
        main = QSplitter(Qt.Orientation.Horizontal)
        main.addWidget(self.nav)
        main.addWidget(right)
        main.setStretchFactor(1, 1)
        main.setCollapsible(1, False)
        self.splitters = (main, right)
        self._laid_out = False  # the splitters get their first sizes from the window's first size
        self.setCentralWidget(main)
        self.nav.chosen.connect(self._chosen)
        # The department list shows its own department's findings; the 汇总's panel would repeat them.
        self.stack.currentChanged.connect(lambda _i: self.findings.setVisible(not isinstance(self.stack.currentWidget(), DistrictPage)))

        self.counts = QLabel()
        self.mode = QLabel()
        self.statusBar().addPermanentWidget(self.mode)
        self.statusBar().addPermanentWidget(self.counts)
        self._flush = QTimer(self, singleShot=True, interval=FLUSH_AFTER_MS)
        self._flush.timeout.connect(self._flush_now)
        self._build_menus()
        if document is not None:
            self.set_document(document)

    # ── menus ───────────────────────────────────────────────────────────────
    def _action(self, text: str, slot, shortcut=None, checkable: bool = False) -> QAction:  # noqa: ANN001
        a = QAction(text, self)
        if shortcut is not None:
            a.setShortcuts(shortcut if isinstance(shortcut, list) else [shortcut])
        a.setCheckable(checkable)
        a.triggered.connect(slot)
        return a

    def _build_menus(self) -> None:
        fa = file_actions
        m = self.menuBar().addMenu("文件(&F)")
        m.addAction(self._action("新建部门…", lambda: fa.new_department(self), QKeySequence.StandardKey.New))
        self.new_year_action = self._action("新建年度…", lambda: fa.new_year(self))
        m.addAction(self.new_year_action)
        m.addAction(self._action("打开…", lambda: fa.open_file(self), QKeySequence.StandardKey.Open))
        self.recent_menu = m.addMenu("最近打开")
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        m.addSeparator()
        self.import_action = self._action("导入 Excel…", lambda: fa.import_excel(self))
        self.export_action = self._action("导出 Excel…", lambda: fa.export_excel(self))
        self.pdf_action = self._action("导出公开PDF…", lambda: fa.export_pdf(self), QKeySequence("Ctrl+P"))
        m.addActions([self.import_action, self.export_action, self.pdf_action])
        self.save_action = self._action("保存", self.save, QKeySequence.StandardKey.Save)
        m.addAction(self.save_action)
        m.addAction(self._action("另存为…", lambda: fa.save_as(self), QKeySequence.StandardKey.SaveAs))
        m.addSeparator()
        m.addAction(self._action("退出", self.close, QKeySequence.StandardKey.Quit))

        x = self.menuBar().addMenu("上报与汇总(&R)")
        self.submit_action = self._action("生成上报文件（报送区财政局）…", lambda: exchange_actions.submit(self))
        self.submit_action.setToolTip("把当前年度封装成一个上报文件，交给区财政局")
        x.addAction(self.submit_action)
        x.addSeparator()
        x.addAction(self._action("汇总各部门上报文件…", lambda: exchange_actions.consolidate(self)))
        x.addAction(self._action("导入应报部门名单…", lambda: exchange_actions.roster(self)))

        a = self.menuBar().addMenu("审核(&A)")
        a.addAction(self._action("公开完整性检查…", self.show_checklist))
        a.addAction(self._action("导出审核情况（含出错说明）…", self.export_review))

        e = self.menuBar().addMenu("编辑(&E)")
        self.undo_action = self._action("撤销", self.undo, QKeySequence("Ctrl+Z"))
        self.redo_action = self._action("恢复", self.redo, [QKeySequence("Ctrl+Y"), QKeySequence("Ctrl+Shift+Z")])
        e.addActions([self.undo_action, self.redo_action])
        e.addSeparator()
        # Copy, paste and Delete are the table's own keys (SheetView); these are for the mouse.
        clip = [self._action("复制\tCtrl+C", lambda: self._view_do("copy")),
                self._action("粘贴\tCtrl+V", lambda: self._view_do("paste")),
                self._action("清除\tDel", lambda: self._view_do("clear_selection"))]
        e.addActions(clip)
        e.addSeparator()
        self.add_row_action = self._action("增加科目行…", lambda: table_actions.add_row(self), QKeySequence("Ctrl+Shift+N"))
        self.remove_row_action = self._action("删除科目行", lambda: table_actions.remove_row(self), QKeySequence("Ctrl+Shift+D"))
        e.addActions([self.add_row_action, self.remove_row_action])
        separator = QAction(self)
        separator.setSeparator(True)
        self.table_actions = [*clip, separator, self.add_row_action, self.remove_row_action]
        e.addSeparator()
        self.manual_action = self._action("手工填写合计", self.set_manual_totals, checkable=True)
        self.manual_action.setToolTip("打开后，合计、小计等自动计算的格子可以手工填写（如照抄已公开的表），审核会比较它们")
        self.fill_action = self._action("按明细重新计算全部合计", self.fill_all)
        e.addActions([self.manual_action, self.fill_action])

        # The toolbar says just 撤销/恢复 (the menu names the step being undone).
        short_undo = self._action("撤销", self.undo)
        short_redo = self._action("恢复", self.redo)
        short_undo.setToolTip("撤销（Ctrl+Z）")
        short_redo.setToolTip("恢复（Ctrl+Y）")
        self._short = (short_undo, short_redo)
        self._update_history()
        bar = self.addToolBar("常用")
        bar.setObjectName("toolbar")
        bar.addActions([short_undo, short_redo])
        bar.addSeparator()
        bar.addActions([self.add_row_action, self.remove_row_action])
        bar.addSeparator()
        bar.addAction(self.manual_action)

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        for p in file_actions.recent_files():
            self.recent_menu.addAction(str(p), partial(file_actions.open_file, self, p))
        if self.recent_menu.isEmpty():
            self.recent_menu.addAction("（无）").setEnabled(False)

    # ── the document ────────────────────────────────────────────────────────
    def set_document(self, document: Document, year: int | None = None) -> None:
        """Show a department (closing the one shown); the latest year's first table."""
        if self.document is not None and self.document is not document:
            self.commit_pending()
            self._flush_now()
            self.document.close()
        self.document = document
        self.unsaved = False
        self._forget_pages()
        self.nav.set_years({y: [(no, t.title) for no, t in wb.template.tables.items()] for y, wb in document.workbooks.items()})
        if document.district is not None:  # a district file: its department list, first under each year
            for y in document.years:
                page = DistrictPage(document.district, y, document.workbooks[y].department)
                self.pages[("district", y)] = page
                self.stack.addWidget(page)
                self.nav.add_district(y, page.counts())
        self._set_editable(document.read_only is None)
        year = year if year in document.workbooks else document.years[-1]
        self.year = None
        if document.district is not None:
            self.show_district(year)
        else:
            self.show_table(next(iter(document.workbooks[year].template.tables)), year)
        if document.read_only is not None:  # says why, until the next message
            self.statusBar().setStyleSheet("")
            self.statusBar().showMessage(document.read_only)

    @property
    def read_only(self) -> bool:
        return self.document is not None and self.document.read_only is not None

    def _set_editable(self, on: bool) -> None:
        """A read-only document (a district file's) offers no action that would change it."""
        for a in (self.import_action, self.new_year_action, self.manual_action, self.fill_action,
                  self.add_row_action, self.remove_row_action, self.submit_action, *self.table_actions[1:3]):
            a.setEnabled(on)

    def reload(self, year: int) -> None:
        """The document's years changed (import, new year): lay everything out again."""
        assert self.document is not None
        self.set_document(self.document, year)

    def _forget_pages(self) -> None:
        for page in self.pages.values():
            self.stack.removeWidget(page)
            page.deleteLater()
        for editor in self.editors.values():
            editor.deleteLater()
        self.pages, self.editors = {}, {}

    def editor(self, year: int) -> SessionEditor:
        if year not in self.editors:
            assert self.document is not None
            session = self.document.session(year)
            editor = SessionEditor(session, self)  # a read-only session refuses edits itself
            editor.changed.connect(lambda change, y=year: self._changed(y, change))
            editor.refused.connect(self._refused)
            editor.history.connect(self._update_history)
            self.editors[year] = editor
            self.nav.set_counts(year, self._counts(year))
        return self.editors[year]

    def _use_year(self, year: int) -> None:
        if year == self.year:
            return
        self.commit_pending()  # a figure still in its editor belongs to the year it was typed in
        self.year = year
        editor = self.editor(year)
        self.manual_action.setChecked(editor.session.manual_totals)
        self._update_history()
        self._show_findings(year)
        self._update_labels()

    # ── showing ─────────────────────────────────────────────────────────────
    def show_table(self, table: str, year: int | None = None) -> TablePage:
        year = self.year if year is None else year
        assert year is not None
        self._use_year(year)
        key = ("table", year, table)
        opened = key not in self.pages
        if opened:
            page = TablePage(self.editor(year), table)
            page.view.refused.connect(self._refused)
            page.view.status.connect(self.say)
            page.view.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
            coded = page.model.form.spec.coded
            page.view.addActions(self.table_actions[:1] if self.read_only else self.table_actions if coded else self.table_actions[:4])
            if self.document is not None and self.document.district is not None:  # the 汇总: double-click drills down
                page.view.doubleClicked.connect(lambda index, p=page, y=year: self.explain(p, y, index))
            self.pages[key] = page
            self.stack.addWidget(page)
        shown = self.pages[key]
        assert isinstance(shown, TablePage)
        page = shown
        page.refresh()
        self.stack.setCurrentWidget(page)
        self.nav.select(key)
        coded = page.model.form.spec.coded and not self.read_only
        self.add_row_action.setEnabled(coded)
        self.remove_row_action.setEnabled(coded)
        if opened and not page.view.go_first():  # a table opens on its first cell that takes a figure
            page.view.setCurrentIndex(page.model.index(0, 0))  # nothing to type (read-only): the top
        page.view.setFocus()
        return page

    def explain(self, page: TablePage, year: int, index) -> None:  # noqa: ANN001 - a QModelIndex
        """Drill-down (穿透查询) of a 汇总 cell: the departments behind it, largest first."""
        from services.exchange.district_file import DistrictError
        from services.exchange.status import District

        cell = page.model.form.cell(index.row(), index.column())
        if cell is None or self.document is None or self.document.district is None:
            return
        try:
            with District(self.document.district) as district:
                head, lines = district.explanation(year, cell.table, cell.row, cell.col)
        except DistrictError as e:
            dialogs.error(self, "穿透查询", str(e))
            return
        dialogs.report(self, "穿透查询", head, "\n".join(lines) or "没有部门填报这一格")

    def show_texts(self, year: int) -> None:
        self._use_year(year)
        key = ("texts", year)
        if key not in self.pages:
            assert self.document is not None
            page = DepartmentPage(self.document, self.editor(year))
            page.saved.connect(self._text_saved)
            page.refused.connect(lambda msg: self.say(f"未保存：{msg}", error=True))
            if self.read_only:
                freeze(page)
            self.pages[key] = page
            self.stack.addWidget(page)
        self.stack.setCurrentWidget(self.pages[key])
        self.nav.select(key)
        self.add_row_action.setEnabled(False)
        self.remove_row_action.setEnabled(False)

    def show_performance(self, year: int | None = None) -> PerformancePage:
        """The year's 绩效自评 page: its forms edited, saved, checked and undone through the session."""
        year = self.year if year is None else year
        assert year is not None
        self._use_year(year)
        key = ("performance", year)
        if key not in self.pages:
            # the page colours its cells from the year's audit, like every other view of it
            page = PerformancePage(self.editor(year))
            page.refused.connect(lambda msg: self.say(f"未填写：{msg}", error=True))
            if self.read_only:
                freeze(page)
            self.pages[key] = page
            self.stack.addWidget(page)
        shown = self.pages[key]
        assert isinstance(shown, PerformancePage)
        page = shown
        self.stack.setCurrentWidget(page)
        self.nav.select(("table", year, PERF_TABLE))
        self.add_row_action.setEnabled(False)
        self.remove_row_action.setEnabled(False)
        return page

    def show_district(self, year: int) -> DistrictPage:
        """A district file's department list for the year (its findings panel shows the 汇总's)."""
        self._use_year(year)
        page = self.pages[("district", year)]
        assert isinstance(page, DistrictPage)
        self.stack.setCurrentWidget(page)
        self.nav.select(("district", year))
        self.add_row_action.setEnabled(False)
        self.remove_row_action.setEnabled(False)
        return page

    def _findings_changed(self, year: int) -> None:
        """The year's findings changed outside a figure edit (a text, the 绩效 forms)."""
        if year == self.year:
            self._show_findings(year)
        self.nav.set_counts(year, self._counts(year))
        self._update_labels()

    def show_checklist(self) -> Checklist | None:
        from ui import review_actions  # the 审核 menu's modules are loaded when first used

        return review_actions.show_checklist(self)

    def export_review(self) -> None:
        from ui import review_actions

        review_actions.export_report(self)

    def _show_findings(self, year: int) -> None:
        """The findings panel on ``year``: its findings, and its explanations typed through its session."""
        editor = self.editors[year]
        explain = None if self.read_only else editor.explain
        self.findings.findings.bind(editor.session.explanation, explain)
        self.findings.findings.set_findings(_by_table(self.year_findings(year)))

    def year_findings(self, year: int) -> list[Finding]:
        """The year's findings: its audit (`services.audit`), the same list `check` prints."""
        return self.editors[year].session.audit.findings()

    def _chosen(self, kind: tuple) -> None:
        if kind[0] == "table" and kind[2] == PERF_TABLE:
            self.show_performance(kind[1])
        elif kind[0] == "table":
            self.show_table(kind[2], kind[1])
        elif kind[0] == "texts":
            self.show_texts(kind[1])
        elif kind[0] == "district":
            self.show_district(kind[1])

    def current_page(self) -> TablePage | None:
        page = self.stack.currentWidget()
        return page if isinstance(page, TablePage) else None

    def find_table(self, text: str) -> str | None:
        """A table by number (``3``, ``03``, ``表3``, ``公开03表``) or by (part of) its title."""
        if self.document is None or self.year is None:
            return None
        tables = self.document.workbooks[self.year].template.tables
        digits = "".join(ch for ch in text if ch.isdigit())
        if digits and digits.zfill(2) in tables and len(digits) <= 2:
            return digits.zfill(2)
        exact = next((no for no, t in tables.items() if text in (t.title, f"{t.title}（表{int(no)}）")), None)
        return exact or next((no for no, t in tables.items() if text and (text in t.title or t.title in text)), None)

    def jump_to_finding(self, f: Finding) -> None:
        if f.table == PERF_TABLE and self.year is not None:
            self.show_performance().show_finding(f)
        elif f.table == TEXT_TABLE and self.year is not None:  # a text rule's: the text it quotes
            self.show_texts(self.year)
            page = self.pages[("texts", self.year)]
            edit = page.texts.get(f.row) if isinstance(page, DepartmentPage) else None
            if edit is not None:
                edit.setFocus()
        elif f.cell is not None and self.year is not None:
            self.jump_to(f.cell)

    def jump_to(self, cell: Cell, year: int | None = None) -> None:
        page = self.show_table(cell.table, year)
        pos = page.model.form.position(cell)
        if pos is not None:
            page.view.go_to(page.model.index(*pos))
            page.view.setFocus()

    def show_report(self, report: ImportReport) -> None:
        self.reports.append(report)
        report.show()

    # ── editing actions ─────────────────────────────────────────────────────
    def undo(self) -> None:
        self._history("undo")

    def redo(self) -> None:
        self._history("redo")

    def _history(self, which: str) -> None:
        """Undo or redo the shown year's last step, wherever it was made; show where it was."""
        if self.year is None or self.year not in self.editors:
            return
        self.commit_pending()
        editor = self.editors[self.year]
        change = getattr(editor, which)()
        if change is None or not change:
            return
        self.say(f"已{'撤销' if which == 'undo' else '恢复'}：{change.label}")
        if change.whole:
            return  # the year was laid out again
        if change.texts or change.prior:
            self.show_texts(self.year)
        elif change.forms:
            self.show_performance(self.year)
        elif change.values or change.tables:
            # the cell the clerk typed in, rather than a total that followed it
            cells = sorted(change.values)
            typed = [c for c in cells if not editor.session.autofill.is_computed(c)] or cells
            if typed:
                self.jump_to(typed[0], self.year)
            else:
                self.show_table(sorted(change.tables)[0], self.year)

    def _update_history(self) -> None:
        """撤销/恢复 name the step they would undo or redo, and are off when there is none."""
        editor = self.editors.get(self.year) if self.year is not None else None
        undo = editor.session.undo_label() if editor is not None else None
        redo = editor.session.redo_label() if editor is not None else None
        for action, short, what, label in ((self.undo_action, self._short[0], "撤销", undo),
                                           (self.redo_action, self._short[1], "恢复", redo)):
            action.setText(f"{what} {label}" if label else what)
            action.setEnabled(label is not None and not self.read_only)
            short.setEnabled(label is not None and not self.read_only)

    def _view_do(self, what: str) -> None:
        page = self.current_page()
        if page is not None:
            getattr(page.view, what)()

    def set_manual_totals(self, on: bool) -> None:
        if self.year is None:
            return
        self.commit_pending()  # a total still in its editor is typed under the mode it was typed in
        editor = self.editor(self.year)
        editor.session.manual_totals = on
        for key, page in self.pages.items():
            if key[1] == self.year and isinstance(page, TablePage):
                page.view.viewport().update()
        self._update_labels()
        if on:
            self.say("合计改为手工填写：审核会把它们与明细比较")
            return
        # Back to computed totals: those that disagree with their parts are named at once, and
        # recomputed if the clerk agrees (never silently: they may be the published figures).
        stale = editor.session.stale_totals()
        if stale and dialogs.ask(self, "合计恢复自动计算", f"有 {len(stale)} 个合计与明细不符。现在按明细重新计算它们吗？（可撤销）"):
            change = editor.fill_all()
            self.say(f"合计恢复自动计算：已按明细重新计算 {len(change.values) if change else 0} 个合计（可撤销）")
        elif stale:
            self.say(f"合计恢复自动计算：{len(stale)} 个合计与明细不符，审核结果中已标出；修改明细时合计随之更新")
        else:
            self.say("合计恢复自动计算：修改明细时合计随之更新")

    def fill_all(self) -> None:
        if self.year is not None:
            change = self.editor(self.year).fill_all()
            self.say(f"已按明细重新计算 {len(change.values) if change else 0} 个合计")

    # ── after every change ──────────────────────────────────────────────────
    def _changed(self, year: int, change: Change) -> None:
        """The one handler for every change to a year: findings, badges, status, every page."""
        if change.whole:  # the year was replaced (an import or its undo): lay it out again
            self.reload(year)
            self._saved(change.save_error, len(change.values))
            return
        perf = self.pages.get(("performance", year))
        if isinstance(perf, PerformancePage):
            perf.changed(change)  # its cells' colours: the 绩效 forms are checked against the tables too
        texts = self.pages.get(("texts", year))
        if isinstance(texts, DepartmentPage) and (change.texts or change.prior):
            texts.changed(change)
        if change.delta or change:
            if year == self.year:
                self._show_findings(year)
                if change.notes:
                    self.findings.findings.notes_changed()
                if self.checklist is not None and self.checklist.isVisible():
                    self.checklist.fill(self.editors[year].session.wb)
            self.nav.set_counts(year, self._counts(year))
            self._update_labels()
        self._saved(change.save_error, len(change.values))

    def _text_saved(self, error: str | None) -> None:
        self._saved(error, None)
        if self.year is not None:  # a text may contradict the tables: the audit ran again
            self._findings_changed(self.year)
        self._update_labels()  # the department's name may have changed

    def _saved(self, error: str | None, count: int | None) -> None:
        assert self.document is not None
        if error:
            self.say(f"未能保存：{error}", error=True)
            if not self._save_failing:  # once, not on every keystroke while the disk is full
                self._save_failing = True
                dialogs.error(self, "未能保存", f"{error}\n\n修改还在窗口中，请检查文件后再试，或“另存为”另一个文件。")
            return
        self._save_failing = False
        if not self.document.on_disk:
            self.unsaved = True
        if self.document.on_disk:
            what = f"{count} 个数据" if count else "修改"
            self.say(f"已保存{what}到 {self.document.path.name}（{time.strftime('%H:%M:%S')}）")
            self._flush.start()
        else:
            self.say("修改只在本窗口中：这是从 Excel 打开的报表，请“另存为”部门数据文件后再编辑", error=True)

    def _counts(self, year: int) -> dict[str, tuple[int, int]]:
        """The navigator's badges: errors, and the warnings still without a 出错说明."""
        counts: dict[str, list[int]] = {}
        session = self.editors[year].session
        for f in self.year_findings(year):
            c = counts.setdefault(f.table, [0, 0])
            if not f.is_error and session.explanation(f) is not None:
                continue  # answered: not amber
            c[0 if f.is_error else 1] += 1
        return {no: (e, w) for no, (e, w) in counts.items()}

    def _update_labels(self) -> None:
        if self.year is None or self.document is None:
            return
        session = self.editors[self.year].session
        fs = self.year_findings(self.year)
        errors = sum(f.is_error for f in fs)
        explained = sum(session.explanation(f) is not None for f in fs if not f.is_error)
        note = f"（{explained} 个已说明）" if explained else ""
        self.counts.setText(f"  ✗ {errors} 个错误　! {len(fs) - errors} 个提示{note}  " if fs else "  审核通过  ")
        self.counts.setStyleSheet("color: #b3261e;" if errors else "color: #1b6e2e;")
        doc = self.document
        self.mode.setText("只读" if doc.read_only is not None else "合计：手工填写" if session.manual_totals else "合计：自动计算")
        self.mode.setToolTip(doc.read_only or "")
        where = doc.path.name if doc.on_disk else f"{doc.path.name}（Excel，未保存为数据文件）"
        where += "（只读）" if doc.read_only is not None else ""
        self.setWindowTitle(f"决算公开助手 — {doc.department} {self.year} 年度 — {where}")

    def _refused(self, message: str) -> None:
        self.say(message if self.read_only else f"未填写：{message}", error=True)

    def say(self, message: str, error: bool = False) -> None:
        self.statusBar().setStyleSheet("color: #b3261e;" if error else "")
        self.statusBar().showMessage(message, 0 if error else 15000)

    def _flush_now(self) -> None:
        if self.document is not None:
            try:
                self.document.flush()
            except OpenError as e:  # the edits are committed; only their durability is in doubt
                self.say(f"写入磁盘时出错：{e}", error=True)

    def commit_pending(self) -> None:
        """Commit what is still being typed: a figure in a cell's editor, a name in a field that
        saves when left. Every way of leaving (close, another year or file, Ctrl+S) calls this,
        so nothing the clerk typed is lost."""
        from PySide6.QtWidgets import QAbstractItemDelegate, QAbstractItemView, QApplication, QLineEdit

        focus = QApplication.focusWidget()
        for page in self.pages.values():
            view = getattr(page, "view", None)
            if isinstance(view, QAbstractItemView) and view.state() == QAbstractItemView.State.EditingState:
                editor = focus if focus is not None and view.isAncestorOf(focus) else None
                if editor is not None:
                    view.commitData(editor)
                    view.closeEditor(editor, QAbstractItemDelegate.EndEditHint.NoHint)
        if isinstance(focus, QLineEdit) and self.isAncestorOf(focus) and focus.isModified():
            focus.editingFinished.emit()  # the department's name, its code: saved when left
            focus.setModified(False)

    def save(self) -> None:
        """Ctrl+S: every edit is already in the file; make it durable now and say so (a workbook
        opened from Excel is saved as a department file)."""
        if self.document is None:
            return
        self.commit_pending()
        if not self.document.on_disk:
            file_actions.save_as(self)
            return
        self._flush_now()
        self.say(f"已保存到 {self.document.path.name}（{time.strftime('%H:%M:%S')}）")

    # ── the window on the screen ────────────────────────────────────────────
    def _lay_out(self) -> None:
        """Navigator and findings panel sized for the window (a fifth of it, within reason), so a
        1024×768 screen keeps most of its width for the table."""
        main, right = self.splitters
        w, h = max(self.width(), 640), max(self.height(), 480)
        nav = min(300, max(170, w // 5))
        main.setSizes([nav, w - nav])
        panel = min(220, max(110, h // 5))
        right.setSizes([h - panel, panel])

    # QWidget.showEvent: the first show lays the splitters out for the size the window opened at
    def showEvent(self, event) -> None:  # noqa: ANN001
        if not self._laid_out:
            self._laid_out = True
            self._lay_out()
        super().showEvent(event)

    def restore_geometry(self) -> None:
        """Open where and as large as the clerk left it, kept inside the screen's available area
        (a laptop after a large monitor); the first time, the whole available area."""
        from ui.screen import fit_on_screen, saved_geometry

        screen = self.screen().availableGeometry()
        saved = saved_geometry()
        if saved is None or not self.restoreGeometry(saved):
            # the first time: the whole available area, its title bar on the screen (maximised;
            # a plain geometry would put the frame above the screen's top on Windows)
            dx, dy = screen.width() // 20, screen.height() // 20  # un-maximised: a little inside the screen
            self.setGeometry(screen.adjusted(dx, dy, -dx, -dy))
            self.setWindowState(self.windowState() | Qt.WindowState.WindowMaximized)
            return
        fitted = fit_on_screen(self.frameGeometry(), screen)
        if fitted != self.frameGeometry():
            frame = self.frameGeometry().size() - self.geometry().size()
            self.move(fitted.topLeft())
            self.resize(fitted.size() - frame)

    def may_leave(self) -> bool:
        """Before the shown document goes (close, another file): a workbook opened from Excel and
        edited asks 保存更改？ as Excel does — saved as a department file, not saved, or stay."""
        self.commit_pending()
        if self.document is None or self.document.on_disk or not self.unsaved:
            return True
        answer = dialogs.save_changes(self, "保存更改？", f"“{self.document.path.name}”是从 Excel 打开的报表，"
                                      "修改只在本窗口中。\n关闭前把它保存为部门数据文件吗？")
        if answer == dialogs.SAVE:
            return file_actions.save_as(self)
        return answer == dialogs.DISCARD

    # QWidget.closeEvent: ask about unsaved Excel edits, make the last edits durable, close the file
    def closeEvent(self, event) -> None:  # noqa: ANN001
        from ui.screen import save_geometry

        if not self.may_leave():
            event.ignore()
            return
        save_geometry(bytes(self.saveGeometry().data()))
        self.commit_pending()
        self._flush_now()
        if self.document is not None:
            self.document.close()
        for r in self.reports:
            r.close()
        super().closeEvent(event)

