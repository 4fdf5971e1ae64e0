"""The system libraries Qt's X11 platform (xcb) needs on Linux, named when one is missing.

Qt 6.5+ says "xcb-cursor0 or libxcb-cursor0 is needed" whenever its xcb plugin fails to load,
whichever library is in fact missing (libxcb-icccm4 and libxcb-keysyms1 on a minimal Ubuntu),
and then aborts. The window checks first and names the packages to install. No Qt here.
"""

from __future__ import annotations

import ctypes
import os
import sys
from collections.abc import Callable

#: what libqxcb.so and libQt6XcbQpa.so.6 link against, with the Debian/Ubuntu package of each
XCB_LIBRARIES = {
    "libxcb.so.1": "libxcb1",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
}


def _loads(soname: str) -> bool:
    try:
        ctypes.CDLL(soname)
    except OSError:
        return False
    return True


def missing_xcb_packages(loads: Callable[[str], bool] = _loads) -> list[str]:
    """The packages of the xcb libraries the system's loader cannot find, in the table's order."""
    return [package for soname, package in XCB_LIBRARIES.items() if not loads(soname)]


def uses_xcb(environ: dict[str, str] | None = None, platform: str = sys.platform) -> bool:
    """Whether Qt will start on X11 (xcb): Linux, no other platform asked for, not a Wayland session."""
    env = os.environ if environ is None else environ
    if not platform.startswith("linux"):
        return False
    asked = env.get("QT_QPA_PLATFORM", "")
    if asked:
        return asked.split(":", 1)[0].split(";", 1)[0] == "xcb"
    return env.get("XDG_SESSION_TYPE", "") != "wayland"


def missing_message(packages: list[str]) -> str:
    return (f"无法启动窗口：缺少显示窗口所需的系统库 {'、'.join(packages)}。"
            f"请安装后再试（Ubuntu/Debian：sudo apt install {' '.join(packages)}）。")
