"""Edits through the undo stack (撤销/恢复): one `SessionEditor` per open department-year.

Every change the clerk makes to figures or coded rows becomes one `QUndoCommand` (a paste or a
Delete of a block is one step). The session does the work and returns a `Change`; this module
only replays it backwards or forwards and tells the models which cells to repaint, then emits
`changed` once, for the window's findings panel, navigator badges and status bar (one handler
for every kind of change, as Anki's ``OpChanges``).
"""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from services.engine import Delta
from services.forms import Change, EntryError, EntrySession, RowSet, TableForm
from services.workbook import Cell
from ui.table_model import TableModel


class _Step(QUndoCommand):
    """An edit the session has already made: the first redo (on push) only publishes it."""

    def __init__(self, editor: SessionEditor, change: Change, text: str):
        super().__init__(text)
        self.editor, self._pending = editor, change

    def redo(self) -> None:
        change, self._pending = self._pending, None
        self.editor.publish(change or self.replay())

    def undo(self) -> None:
        self.editor.publish(self.revert())

    def replay(self) -> Change:
        raise NotImplementedError

    def revert(self) -> Change:
        raise NotImplementedError


class _ValuesStep(_Step):
    """Figures set (typed, pasted, cleared, filled in): undo puts every old figure back."""

    def __init__(self, editor: SessionEditor, change: Change, text: str):
        super().__init__(editor, change, text)
        self.change = change

    def replay(self) -> Change:
        return self.editor.session.restore(self.change.replayed())

    def revert(self) -> Change:
        return self.editor.session.restore(self.change.reverted())


class _RowsStep(_Step):
    """Coded rows added or removed: undo puts the table's rows and figures back exactly."""

    def __init__(self, editor: SessionEditor, before: RowSet, after: RowSet, change: Change, text: str):
        super().__init__(editor, change, text)
        self.before, self.after = before, after

    def replay(self) -> Change:
        return self.editor.session.set_rows(self.after)

    def revert(self) -> Change:
        return self.editor.session.set_rows(self.before)


class SessionEditor(QObject):
    changed = Signal(object)  # Change
    refused = Signal(str)  # why an edit was not made, for the clerk

    def __init__(self, session: EntrySession, parent: QObject | None = None):
        super().__init__(parent)
        self.session = session
        self.stack = QUndoStack(self)
        self._models: dict[str, TableModel] = {}

    def model(self, table: str) -> TableModel:
        if table not in self._models:
            self._models[table] = TableModel(self.session.form(table), self)
        return self._models[table]

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
        """Apply figures as one undo step; nothing is pushed when nothing changed (or the
        session refused: read-only)."""
        try:
            change = self.session.apply(values)
        except EntryError as e:
            self.refused.emit(str(e))
            return None
        if not change.values:
            return None
        self.stack.push(_ValuesStep(self, change, text))
        return change

    def fill_all(self) -> Change | None:
        try:
            change = self.session.fill_all()
        except EntryError as e:
            self.refused.emit(str(e))
            return None
        if change.values:
            self.stack.push(_ValuesStep(self, change, "按明细重新计算全部合计"))
        return change

    # ── coded rows ──────────────────────────────────────────────────────────
    def add_code(self, table: str, code: str, name: str = "") -> Change:
        before = self.session.rows(table)
        try:
            change = self.session.add_code(table, code, name)
        except EntryError as e:
            self.refused.emit(str(e))
            return Change({}, Delta())
        self.stack.push(_RowsStep(self, before, self.session.rows(table), change, f"增加科目 {code}"))
        return change

    def rename_code(self, table: str, code: str, name: str) -> bool:
        before = self.session.rows(table)
        try:
            change = self.session.rename_code(table, code, name)
        except EntryError as e:
            self.refused.emit(str(e))
            return False
        after = self.session.rows(table)
        if after.coded == before.coded:
            return False
        self.stack.push(_RowsStep(self, before, after, change, f"科目 {code} 改名"))
        return True

    def remove_codes(self, table: str, codes: list[str]) -> Change:
        before = self.session.rows(table)
        try:
            change = self.session.remove_codes(table, codes)
        except EntryError as e:
            self.refused.emit(str(e))
            return Change({}, Delta())
        self.stack.push(_RowsStep(self, before, self.session.rows(table), change, f"删除科目 {'、'.join(codes)}"))
        return change

    # ── telling the views ───────────────────────────────────────────────────
    def publish(self, change: Change) -> None:
        """Repaint exactly the cells whose figure or findings changed, then emit `changed`."""
        for table in change.tables:
            if table in self._models:
                self._models[table].relayout()
        cells: dict[str, list[Cell]] = {}
        for cell in change.values:
            cells.setdefault(cell.table, []).append(cell)
        for f in change.delta.appeared + change.delta.disappeared:
            if f.cell is not None:
                cells.setdefault(f.cell.table, []).append(f.cell)
        for table, cs in cells.items():
            if table in self._models and table not in change.tables:
                self._models[table].repaint_cells(cs)
        self.changed.emit(change)
