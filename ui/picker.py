"""The classification picker (选择科目): find a 功能/经济分类 code by code or name and add its row.

The clerk types part of a code (``20103``) or of a name (``信访``) and picks from the catalog of
the year (`services.catalog`); rows already in the table are shown greyed. Adding the row brings
its 类/款 parents (`EntrySession.add_code`), so the hierarchy is never broken by hand. A complete
code the catalog lacks is offered too (our catalog may trail the year's edition); the clerk then
names it.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLineEdit, QListView, QVBoxLayout, QWidget

from services.catalog import Catalog, CatalogEntry, level_of

Index = QModelIndex | QPersistentModelIndex
R = Qt.ItemDataRole
LIMIT = 500  # enough to scroll through; typing narrows it


class CatalogModel(QAbstractListModel):
    def __init__(self, catalog: Catalog, present: set[str], parent: QWidget | None = None):
        super().__init__(parent)
        self.catalog, self.present = catalog, present
        self.entries: list[CatalogEntry] = catalog.search("", LIMIT)

    def set_query(self, text: str) -> None:
        self.beginResetModel()
        self.entries = self.catalog.search(text, LIMIT)
        code = text.strip()
        if level_of(code) and code not in self.catalog:
            # Our catalog may lack a code of the year's edition: the clerk can still add it, named by hand.
            self.entries.insert(0, CatalogEntry(code, ""))
        self.endResetModel()

    def is_outside(self, e: CatalogEntry) -> bool:
        """Whether the entry is a typed code the catalog does not have."""
        return e.code not in self.catalog

    # QAbstractItemModel.rowCount
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.entries)

    # QAbstractItemModel.data
    def data(self, index: Index, role: int = R.DisplayRole):  # noqa: ANN201
        if not index.isValid() or not 0 <= index.row() < len(self.entries):
            return None
        e = self.entries[index.row()]
        if role == R.DisplayRole:
            there = "（已在表中）" if e.code in self.present else ""
            if self.is_outside(e):
                return f"{e.code}  （科目表中没有这个编码：增加后填写科目名称）{there}"
            indent = "    " * {3: 0, 5: 1, 7: 2}.get(len(e.code), 0)
            return f"{indent}{e.code}  {e.name}{there}"
        if role == R.ForegroundRole and e.code in self.present:
            return QBrush(QColor("#8a8f96"))
        if role == R.UserRole:
            return e
        return None


class CatalogPicker(QDialog):
    def __init__(self, parent: QWidget | None, catalog: Catalog, present: set[str], title: str):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.resize(560, 600)
        self.search = QLineEdit()
        self.search.setPlaceholderText("输入科目编码或名称，如 2010308 或 信访")
        self.model = CatalogModel(catalog, present, self)
        self.list = QListView()
        self.list.setModel(self.model)
        self.list.setUniformItemSizes(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("增加")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"{catalog.classification}分类科目（{catalog.year} 年起适用）：上级类、款会一并加入"))
        layout.addWidget(self.search)
        layout.addWidget(self.list)
        layout.addWidget(buttons)
        self.search.textChanged.connect(self._query)
        self.search.returnPressed.connect(self.accept)
        self.list.activated.connect(lambda _: self.accept())
        self._query("")

    def _query(self, text: str) -> None:
        self.model.set_query(text)
        if self.model.rowCount():
            self.list.setCurrentIndex(self.model.index(0))

    def chosen(self) -> CatalogEntry | None:
        idx = self.list.currentIndex()
        return self.model.entries[idx.row()] if idx.isValid() else None


def pick_code(parent: QWidget, catalog: Catalog, present: set[str], title: str) -> CatalogEntry | None:
    """Ask for a code; None when the clerk cancels."""
    dlg = CatalogPicker(parent, catalog, present, title)
    return dlg.chosen() if dlg.exec() == QDialog.DialogCode.Accepted else None
