"""Frozen lead columns (冻结首列): a table too wide for the page keeps its 科目编码 and 科目名称 in
view while its amounts scroll sideways, as Excel's 冻结窗格 does.

A second view over the left edge of the sheet shows the same model and selection, only the lead
columns, and follows the sheet's vertical scrolling. It appears only while the sheet scrolls
sideways, and only for a table of one panel (01/04 and 06 print panels side by side: freezing one
of them would hide the others). It takes no keyboard focus: the keys stay the sheet's.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

from ui.header import GroupedHeader
from ui.sheet_view import SheetView
from ui.table_model import TableModel


def lead_columns(model: TableModel) -> int:
    """How many columns to freeze: the code and name columns of a one-panel table, else none."""
    form = model.form
    if len({c.panel for c in form.columns}) != 1:
        return 0
    n = 0
    while n < len(form.columns) and form.columns[n].kind in ("code", "label", "line"):
        n += 1
    return n if n < len(form.columns) else 0


class FrozenColumns(QObject):
    def __init__(self, sheet: SheetView):
        super().__init__(sheet)
        self.sheet = sheet
        model = sheet.model()
        assert isinstance(model, TableModel)
        self.count = lead_columns(model)
        self.view = QTableView(sheet)
        self.view.setObjectName("frozen")
        view = self.view
        header = GroupedHeader(view)
        main = sheet.horizontalHeader()
        assert isinstance(main, GroupedHeader)
        header.follows = main  # the same line heights, though it measures only the lead columns
        view.setHorizontalHeader(header)
        view.setModel(model)
        view.setSelectionModel(sheet.selectionModel())
        view.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        view.verticalHeader().setVisible(False)
        view.verticalHeader().setDefaultSectionSize(sheet.verticalHeader().defaultSectionSize())
        view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        view.setTextElideMode(sheet.textElideMode())
        view.setWordWrap(False)
        view.setStyleSheet("QTableView#frozen { border: none; border-right: 2px solid #8a96a3; }")
        view.verticalScrollBar().valueChanged.connect(sheet.verticalScrollBar().setValue)
        sheet.verticalScrollBar().valueChanged.connect(view.verticalScrollBar().setValue)
        sheet.horizontalScrollBar().rangeChanged.connect(lambda *_: self.place())
        sheet.horizontalHeader().sectionResized.connect(lambda *_: self.place())
        sheet.horizontalHeader().geometriesChanged.connect(self.place)
        model.modelReset.connect(self._columns)
        sheet.installEventFilter(self)
        self._columns()
        view.hide()

    def _columns(self) -> None:
        model = self.sheet.model()
        assert isinstance(model, TableModel)
        header = self.view.horizontalHeader()
        assert isinstance(header, GroupedHeader)
        header.set_cells(*model.form.header_cells())
        for c in range(model.columnCount()):
            self.view.setColumnHidden(c, c >= self.count)
        self.place()

    @property
    def width(self) -> int:
        """The frozen columns' width when they are shown, else 0."""
        return sum(self.sheet.columnWidth(c) for c in range(self.count)) if self.view.isVisible() else 0

    def place(self) -> None:
        """Over the sheet's left edge while it scrolls sideways; hidden when everything fits."""
        sheet = self.sheet
        needed = self.count > 0 and sheet.horizontalScrollBar().maximum() > 0
        if not needed:
            self.view.hide()
            return
        for c in range(self.count):
            self.view.setColumnWidth(c, sheet.columnWidth(c))
        for r in range(sheet.model().rowCount()):
            if self.view.rowHeight(r) != sheet.rowHeight(r):
                self.view.setRowHeight(r, sheet.rowHeight(r))
        frame = sheet.frameWidth()
        header = sheet.horizontalHeader().height()
        own = self.view.horizontalHeader()
        assert isinstance(own, GroupedHeader)
        own._measure()
        own.setFixedHeight(header)
        width = sum(sheet.columnWidth(c) for c in range(self.count)) + 2
        self.view.setGeometry(frame, frame, width, sheet.viewport().height() + header)
        self.view.verticalScrollBar().setValue(sheet.verticalScrollBar().value())
        self.view.show()
        self.view.raise_()

    # QObject.eventFilter on the sheet: follow its size
    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if obj is self.sheet and event.type() == QEvent.Type.Resize:
            self.place()
        return False
