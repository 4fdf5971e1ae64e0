"""Bundled CJK fonts (字体): loaded at start so Chinese renders on a machine without any.

Every bundled font is registered (the serif 明体 is there for the printed look); the window's
font is the sans-serif one when present, as Chinese office software uses on screen.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

FONT_DIR = Path(__file__).resolve().parent.parent / "resources" / "fonts"
#: Preferred family for the window, first found wins.
UI_FAMILIES = ("WenQuanYi Micro Hei", "AR PL UMing CN")
POINT_SIZE = 10


def load_fonts(app: QApplication) -> str | None:
    """Register every bundled font; make the preferred CJK family the application font."""
    families: list[str] = []
    for path in sorted(FONT_DIR.glob("*.tt[fc]")):
        fid = QFontDatabase.addApplicationFont(str(path))
        if fid >= 0:
            families += QFontDatabase.applicationFontFamilies(fid)
    family = next((f for f in UI_FAMILIES if f in families), families[0] if families else None)
    if family:
        font = QFont(family, POINT_SIZE)
        # CJK text first, then the same family's Latin; no system font needed at all.
        font.setFamilies([family, *(f for f in families if f != family)])
        app.setFont(font)
    return family
