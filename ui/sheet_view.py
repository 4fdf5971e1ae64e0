"""The table form's view with a spreadsheet's habits (Excel/WPS), because clerks live in Excel.

Enter/Shift+Enter move down/up, Tab/Shift+Tab right/left (to the next cell that can be typed in,
as in a protected sheet), arrows move, typing replaces the cell, F2 edits it, Delete clears the
selection, Ctrl+C/Ctrl+V copy and paste blocks as tab-separated text. A bad value is refused in
place: the editor stays open with the text and the reason, nothing is stored.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QAbstractItemModel,
    QEvent,
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QColor, QGuiApplication, QKeyEvent, QKeySequence, QPainter, QPen
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QLineEdit,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QToolTip,
    QWidget,
)

from services.forms import EntryError
from ui.clipboard import parse_tsv, to_tsv
from ui.header import GroupedHeader
from ui.table_model import TableModel

if TYPE_CHECKING:
    from ui.frozen import FrozenColumns

_MOVES = {  # key → (row step, column step)
    Qt.Key.Key_Return: (1, 0), Qt.Key.Key_Enter: (1, 0), Qt.Key.Key_Tab: (0, 1), Qt.Key.Key_Backtab: (0, -1),
    Qt.Key.Key_Up: (-1, 0), Qt.Key.Key_Down: (1, 0), Qt.Key.Key_Left: (0, -1), Qt.Key.Key_Right: (0, 1),
}
_SHIFT = Qt.KeyboardModifier.ShiftModifier
_SELECTION_TINT = QColor(38, 110, 200, 40)
_SELECTION_EDGE = QColor("#1f5fb8")
_COMMIT_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Tab, Qt.Key.Key_Backtab)
_ARROWS = (Qt.Key.Key_Up, Qt.Key.Key_Down, Qt.Key.Key_Left, Qt.Key.Key_Right)


class AmountDelegate(QStyledItemDelegate):
    """A right-aligned line editor that checks the figure before letting go of it."""

    def __init__(self, view: SheetView):
        super().__init__(view)
        self.view = view
        #: the editor was opened by typing (Excel's "Enter" mode: arrows leave the cell)
        self.typing = False
        self._editing = QPersistentModelIndex()
        self.editor: QLineEdit | None = None  # the last editor opened

    # QAbstractItemDelegate.createEditor
    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QWidget:
        ed = QLineEdit(parent)
        ed.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        ed.setFrame(False)
        self._editing = QPersistentModelIndex(index)  # checked on commit, wherever the cursor is by then
        self.editor = ed
        return ed

    # QAbstractItemDelegate.paint: a selected cell keeps its colour (a red flag stays visible under
    # the selection, as in Excel) and is outlined instead of filled
    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> None:
        selected = bool(option.state & QStyle.StateFlag.State_Selected)  # type: ignore[attr-defined]
        opt = QStyleOptionViewItem(option)
        opt.state &= ~QStyle.StateFlag.State_Selected  # type: ignore[attr-defined]
        opt.state &= ~QStyle.StateFlag.State_HasFocus  # type: ignore[attr-defined]
        if selected:  # the view has already filled the cell with the selection colour: undo that
            painter.fillRect(option.rect, option.palette.base())  # type: ignore[attr-defined]
        super().paint(painter, opt, index)
        if selected:
            painter.save()
            rect = option.rect.adjusted(0, 0, -1, -1)  # type: ignore[attr-defined]
            painter.fillRect(rect, _SELECTION_TINT)
            current = index == self.view.currentIndex()
            painter.setPen(QPen(_SELECTION_EDGE, 2 if current else 1))
            painter.drawRect(rect.adjusted(1, 1, -1, -1) if current else rect)
            painter.restore()

    # QAbstractItemDelegate.setEditorData: typing replaces the figure, F2 edits it
    def setEditorData(self, editor: QWidget, index: QModelIndex | QPersistentModelIndex) -> None:
        assert isinstance(editor, QLineEdit)
        editor.setText("" if self.typing else str(index.data(Qt.ItemDataRole.EditRole) or ""))

    def _problem(self, editor: QLineEdit) -> str | None:
        index = self._editing
        model = self.view.model()
        if not isinstance(model, TableModel) or not index.isValid():
            return None
        try:
            model.form.parse(index.row(), index.column(), editor.text(), model.editor.session.manual_totals)
        except EntryError as e:
            return str(e)
        return None

    # QObject.eventFilter on the editor: commit-and-move keys, refusal in place, focus loss
    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if not isinstance(obj, QLineEdit):
            return super().eventFilter(obj, event)
        if event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            key = event.key()
            if key in _COMMIT_KEYS or key in _ARROWS and (self.typing or key in (Qt.Key.Key_Up, Qt.Key.Key_Down)):
                problem = self._problem(obj)
                if problem:
                    self.view.refuse(problem, obj)
                    return True
                self.commitData.emit(obj)
                self.closeEditor.emit(obj, QAbstractItemDelegate.EndEditHint.NoHint)
                dr, dc = _MOVES[key]
                if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and event.modifiers() & _SHIFT:
                    dr = -1
                self.view.step(dr, dc, editable_only=key in _COMMIT_KEYS)
                return True
            if key == Qt.Key.Key_Escape:
                self.closeEditor.emit(obj, QAbstractItemDelegate.EndEditHint.RevertModelCache)
                return True
        if event.type() == QEvent.Type.FocusOut:
            problem = self._problem(obj)
            if problem:
                # Leaving the cell with a bad value: nothing is stored, and the clerk is told, once
                # the focus has settled (and not at all if the window is being torn down).
                self.closeEditor.emit(obj, QAbstractItemDelegate.EndEditHint.RevertModelCache)
                QTimer.singleShot(0, self.view, lambda: self.view.refuse(problem + "（未保存）", None))
                return False
        return super().eventFilter(obj, event)


class SheetView(QTableView):
    refused = Signal(str)  # a value or a paste was refused; the reason, for the status bar
    status = Signal(str)  # what a paste or a clear did
    painted = Signal()  # after each paint of the cells (the benchmark waits for it)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setHorizontalHeader(GroupedHeader(self))
        self.verticalHeader().setVisible(False)
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        self.setTabKeyNavigation(True)
        self.setWordWrap(False)
        self.delegate = AmountDelegate(self)
        self.setItemDelegate(self.delegate)
        #: the frozen lead columns of a table too wide for the page (`ui.frozen`), set by its page
        self.frozen: FrozenColumns | None = None

    def setModel(self, model: QAbstractItemModel | None) -> None:
        super().setModel(model)
        if isinstance(model, TableModel):
            lines, cells = model.form.header_cells()
            header = self.horizontalHeader()
            assert isinstance(header, GroupedHeader)
            header.set_cells(lines, cells)
            model.modelReset.connect(self._after_reset)

    def _after_reset(self) -> None:
        model = self.model()
        if isinstance(model, TableModel):
            header = self.horizontalHeader()
            assert isinstance(header, GroupedHeader)
            header.set_cells(*model.form.header_cells())

    def table_model(self) -> TableModel:
        model = self.model()
        assert isinstance(model, TableModel)
        return model

    # ── moving ──────────────────────────────────────────────────────────────
    def step(self, dr: int, dc: int, editable_only: bool = True) -> None:
        """Move the current cell one step; Enter/Tab skip cells that take no figure."""
        model, cur = self.model(), self.currentIndex()
        if model is None or not cur.isValid():
            return
        rows, cols = model.rowCount(), model.columnCount()
        r, c = cur.row(), cur.column()
        while True:
            r, c = r + dr, c + dc
            if dc and not 0 <= c < cols:  # Tab past the row's end goes on to the next row
                r, c = r + (1 if dc > 0 else -1), 0 if dc > 0 else cols - 1
            if not (0 <= r < rows and 0 <= c < cols):
                return
            idx = model.index(r, c)
            # Enter and Tab go from figure to figure; a 科目名称 is edited only where it is chosen.
            if not editable_only or self.typeable(idx):
                self.setCurrentIndex(idx)
                return

    def typeable(self, idx: QModelIndex) -> bool:
        """A cell that takes a figure (not a name, a 行次 or a computed total)."""
        model = self.model()
        return bool(idx.flags() & Qt.ItemFlag.ItemIsEditable) and isinstance(model, TableModel) \
            and model.form.cell(idx.row(), idx.column()) is not None

    def go_first(self, row: int = 0, column: int = 0) -> bool:
        """The cursor on the first cell that takes a figure, from (``row``, ``column``) on (a table
        just opened, a row just added); False when there is none (a read-only table)."""
        model = self.model()
        if model is None:
            return False
        for r in range(max(row, 0), model.rowCount()):
            for c in range(column if r == row else 0, model.columnCount()):
                idx = model.index(r, c)
                if self.typeable(idx):
                    self.go_to(idx)
                    return True
        return False

    def go_to(self, idx: QModelIndex) -> None:
        """The cursor on this cell alone, shown: a jump never extends the selection, even with
        Shift held (as `setCurrentIndex` would)."""
        self.selectionModel().setCurrentIndex(idx, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        self.scrollTo(idx)

    # QAbstractItemView.scrollTo: a cell never hides under the frozen lead columns (`ui.frozen`)
    def scrollTo(self, index, hint=QAbstractItemView.ScrollHint.EnsureVisible) -> None:  # noqa: ANN001
        super().scrollTo(index, hint)
        frozen = self.frozen
        if frozen is None or not index.isValid() or index.column() < frozen.count or not frozen.width:
            return
        bar = self.horizontalScrollBar()
        while self.columnViewportPosition(index.column()) < frozen.width and bar.value() > bar.minimum():
            bar.setValue(bar.value() - 1)  # per column (ScrollPerItem), until the cell is right of them

    # QAbstractItemView.edit: remember whether typing opened the editor (typing replaces); F2 and a
    # double-click put the caret at the end
    def edit(self, index, trigger=None, event=None):  # noqa: ANN001, ANN201
        if trigger is None:
            return super().edit(index)
        self.delegate.typing = trigger == QAbstractItemView.EditTrigger.AnyKeyPressed
        opened = super().edit(index, trigger, event)
        ed = self.delegate.editor
        if opened and not self.delegate.typing and isinstance(ed, QLineEdit) and ed.hasSelectedText():
            # F2 as in Excel: the caret after the figure, nothing selected (Qt selects it all)
            ed.deselect()
            ed.end(False)
        return opened

    # QWidget.keyPressEvent: the spreadsheet keys while no editor is open
    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if event.matches(QKeySequence.StandardKey.Copy):
            self.copy()
        elif event.matches(QKeySequence.StandardKey.Paste):
            self.paste()
        elif key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and not event.modifiers():
            self.clear_selection()
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.step(-1 if event.modifiers() & _SHIFT else 1, 0)
        elif key in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab):
            self.step(0, -1 if key == Qt.Key.Key_Backtab else 1)
        elif event.text().strip() and not event.modifiers() & ~Qt.KeyboardModifier.ShiftModifier and self._refused_here():
            return  # typing into a cell that takes nothing: said why, instead of dropping the keys
        else:
            super().keyPressEvent(event)

    def _refused_here(self) -> bool:
        idx = self.currentIndex()
        model = self.model()
        if not idx.isValid() or not hasattr(model, "form"):
            return False
        why = model.form.why_not_typed(idx.row(), idx.column(), model.editor.session.manual_totals)
        if why is None:
            return False
        self.refuse(why, None)
        return True

    # QAbstractItemView.focusNextPrevChild: Tab is ours (next cell), never the next widget
    def focusNextPrevChild(self, next: bool) -> bool:  # noqa: A002
        return False

    # ── refusing ────────────────────────────────────────────────────────────
    def refuse(self, message: str, editor: QLineEdit | None) -> None:
        anchor = editor if editor is not None else self.viewport()
        rect = self.visualRect(self.currentIndex())
        pos = anchor.mapToGlobal(rect.bottomLeft() if editor is None else anchor.rect().bottomLeft())
        QToolTip.showText(pos, message, anchor)
        self.refused.emit(message)

    # ── clipboard and Delete ────────────────────────────────────────────────
    def _block(self) -> tuple[int, int, int, int] | None:
        sel = self.selectionModel().selection() if self.selectionModel() else None
        if not sel or sel.isEmpty():
            cur = self.currentIndex()
            return (cur.row(), cur.column(), cur.row(), cur.column()) if cur.isValid() else None
        return (min(r.top() for r in sel), min(r.left() for r in sel), max(r.bottom() for r in sel), max(r.right() for r in sel))

    def copy(self) -> None:
        block = self._block()
        if block is None:
            return
        top, left, bottom, right = block
        form = self.table_model().form
        selected = self.selectionModel()
        grid = [
            [form.text(r, c) if selected.isSelected(self.model().index(r, c)) or (top, left) == (bottom, right) else ""
             for c in range(left, right + 1)]
            for r in range(top, bottom + 1)
        ]
        QGuiApplication.clipboard().setText(to_tsv([[s.strip() for s in row] for row in grid]))
        self.status.emit(f"已复制 {bottom - top + 1} 行 {right - left + 1} 列")

    def paste(self, text: str | None = None) -> None:
        """Paste a block at the current cell, or one value into every selected cell."""
        text = QGuiApplication.clipboard().text() if text is None else text
        grid = parse_tsv(text)
        block = self._block()
        if not grid or block is None:
            return
        model = self.table_model()
        form, session = model.form, model.editor.session
        top, left, bottom, right = block
        try:
            if len(grid) == 1 and len(grid[0]) == 1 and (bottom > top or right > left):
                values, skipped = form.plan_paste(top, left, [grid[0] * (right - left + 1)] * (bottom - top + 1), session.manual_totals)
            else:
                values, skipped = form.plan_paste(top, left, grid, session.manual_totals)
        except EntryError as e:
            self.refuse(str(e), None)
            return
        model.editor.set_values(values, f"粘贴 {len(values)} 个数据")
        note = f"已粘贴 {len(values)} 个数据"
        if skipped:
            note += f"；{skipped} 个自动计算的格子未粘贴，已按明细重新计算"
        self.status.emit(note)
        height, width = (bottom - top + 1, right - left + 1) if len(grid) == len(grid[0]) == 1 else (len(grid), max(len(r) for r in grid))
        sel = self.selectionModel()
        sel.select(QItemSelection(self.model().index(top, left), self.model().index(top + height - 1, left + width - 1)), QItemSelectionModel.SelectionFlag.ClearAndSelect)

    def clear_selection(self) -> None:
        block = self._block()
        if block is None:
            return
        model = self.table_model()
        idxs = self.selectionModel().selectedIndexes() or [self.currentIndex()]
        if model.form.read_only is not None:
            self.refuse(model.form.read_only, None)
            return
        values = model.form.plan_clear([(i.row(), i.column()) for i in idxs], model.editor.session.manual_totals)
        if values:
            model.editor.set_values(values, f"清除 {len(values)} 个数据")
            self.status.emit(f"已清除 {len(values)} 个数据")

    # QAbstractScrollArea.paintEvent: report when the cells are on screen
    def paintEvent(self, event) -> None:  # noqa: ANN001
        super().paintEvent(event)
        self.painted.emit()
