"""The window's side of an editing session (撤销/恢复): one `SessionEditor` per open department-year.

Every edit is an operation of the year's `EntrySession` (`services.session`), which does the
work, keeps the undo history and returns a `Change`. This module only forwards the clerk's edits,
tells the table models which cells to repaint, and emits `changed` once, for every view of the
year (findings panel, navigator badges, status bar, the texts and 绩效 pages: one handler for
every kind of change, as Anki's ``OpChanges``). It holds no history of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from PySide6.QtCore import QObject, Signal

from services.explanations import key_of
from services.findings import Finding
from services.forms import EntryError, TableForm
from services.session import Change, EntrySession
from services.workbook import Cell
from ui.table_model import TableModel


class SessionEditor(QObject):
    changed = Signal(object)  # Change
    refused = Signal(str)  # why an edit was not made, for the clerk
    history = Signal()  # what undo and redo would do changed

    def __init__(self, session: EntrySession, parent: QObject | None = None):
        super().__init__(parent)
        self.session = session
        self._models: dict[str, TableModel] = {}

    def model(self, table: str) -> TableModel:
        if table not in self._models:
            self._models[table] = TableModel(self.session.form(table), self)
        return self._models[table]

    def run(self, op: Callable[[], Change | None], refused: Callable[[str], object] | None = None) -> Change | None:
        """Run one session operation; publish what it changed, or say why it was refused
        (through ``refused`` when the page says it itself, else `refused`)."""
        try:
            change = op()
        except EntryError as e:
            (refused or self.refused.emit)(str(e))
            return None
        if change is not None:
            self.publish(change)
        self.history.emit()
        return change

    # ── figures ─────────────────────────────────────────────────────────────
    def type_in(self, form: TableForm, row: int, column: int, text: str) -> bool:
        code = form.renamable(row, column)
        if code is not None:
            return self.rename_code(form.no, code, text)
        try:
            cell, value = form.parse(row, column, text, self.session.manual_totals)
        except EntryError as e:
            self.refused.emit(str(e))
            return False
        self.set_values({cell: value}, f"填写 {form.describe(cell)}")
        return True

    def set_values(self, values: dict[Cell, Decimal | None], text: str) -> Change | None:
        """Apply figures as one undo step (the session refuses them in a read-only year)."""
        return self.run(lambda: self.session.apply(values, text))

    def fill_all(self) -> Change | None:
        return self.run(self.session.fill_all)

    # ── coded rows ──────────────────────────────────────────────────────────
    def add_code(self, table: str, code: str, name: str = "") -> Change | None:
        return self.run(lambda: self.session.add_code(table, code, name))

    def rename_code(self, table: str, code: str, name: str) -> bool:
        change = self.run(lambda: self.session.rename_code(table, code, name))
        return bool(change)  # None (refused) or a rename that changed nothing: False

    def remove_codes(self, table: str, codes: list[str]) -> Change | None:
        return self.run(lambda: self.session.remove_codes(table, codes))

    # ── explanations (出错说明) ──────────────────────────────────────────────
    def explain(self, finding: Finding, text: str) -> Change | None:
        return self.run(lambda: self.session.explain(finding, text))

    # ── history ─────────────────────────────────────────────────────────────
    def undo(self) -> Change | None:
        return self.run(self.session.undo)

    def redo(self) -> Change | None:
        return self.run(self.session.redo)

    # ── telling the views ───────────────────────────────────────────────────
    def publish(self, change: Change) -> None:
        """Repaint exactly the cells whose figure or findings changed, then emit `changed`."""
        if change.whole:
            self._models = {}  # the year was replaced: the window lays its pages out again
        from services.rounding import ENTRY_UNIT_KEY

        # the unit (元 | 万元) changes how every figure of the year is shown
        relaid = set(self._models) if ENTRY_UNIT_KEY in change.texts else change.tables
        for table in relaid:
            if table in self._models:
                self._models[table].relayout()
        cells: dict[str, list[Cell]] = {}
        for cell in change.values:
            cells.setdefault(cell.table, []).append(cell)
        for f in change.delta.appeared + change.delta.disappeared:
            if f.cell is not None:
                cells.setdefault(f.cell.table, []).append(f.cell)
        if change.notes:  # an explained warning's cell is no longer amber
            for f in self.session.audit.findings():
                if f.cell is not None and key_of(f) in change.notes:
                    cells.setdefault(f.cell.table, []).append(f.cell)
        for table, cs in cells.items():
            if table in self._models and table not in relaid:
                self._models[table].repaint_cells(cs)
        self.changed.emit(change)
