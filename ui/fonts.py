"""Bundled CJK fonts (字体): loaded at start so Chinese renders on a machine without any."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

FONT_DIR = Path(__file__).resolve().parent.parent / "resources" / "fonts"


def load_fonts(app: QApplication) -> str | None:
    """Register every bundled font; make the first CJK family the application font."""
    family = None
    for path in sorted(FONT_DIR.glob("*.tt[fc]")):
        fid = QFontDatabase.addApplicationFont(str(path))
        fams = QFontDatabase.applicationFontFamilies(fid) if fid >= 0 else []
        if fams and family is None:
            family = fams[0]
    if family:
        app.setFont(QFont(family, 10))
    return family
