"""The window on the clerk's screen (屏幕): its saved place and size, kept inside the screen."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QRect

from ui.file_actions import settings

GEOMETRY_KEY = "window/geometry"


def fit_on_screen(window: QRect, screen: QRect) -> QRect:
    """``window`` moved, and shrunk if it must, to lie inside ``screen`` (its available area)."""
    w, h = min(window.width(), screen.width()), min(window.height(), screen.height())
    x = min(max(window.x(), screen.x()), screen.x() + screen.width() - w)
    y = min(max(window.y(), screen.y()), screen.y() + screen.height() - h)
    return QRect(x, y, w, h)


def saved_geometry() -> QByteArray | None:
    value = settings().value(GEOMETRY_KEY)
    return value if isinstance(value, QByteArray) and not value.isEmpty() else None


def save_geometry(data: bytes) -> None:
    s = settings()
    s.setValue(GEOMETRY_KEY, QByteArray(data))
    s.sync()
