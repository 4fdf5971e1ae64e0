"""On Linux a missing system library for Qt's X11 platform is named correctly before Qt aborts."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ui.system_libs import XCB_LIBRARIES, missing_message, missing_xcb_packages, uses_xcb

ROOT = Path(__file__).resolve().parent.parent


def test_the_missing_ones_are_named_not_xcb_cursor():
    absent = {"libxcb-icccm.so.4", "libxcb-keysyms.so.1"}
    packages = missing_xcb_packages(lambda soname: soname not in absent)
    assert packages == ["libxcb-icccm4", "libxcb-keysyms1"]
    text = missing_message(packages)
    assert "libxcb-icccm4、libxcb-keysyms1" in text and "sudo apt install libxcb-icccm4 libxcb-keysyms1" in text
    assert "cursor" not in text
    assert missing_xcb_packages(lambda soname: True) == []


@pytest.mark.parametrize(("env", "platform", "xcb"), [
    ({}, "linux", True), ({"QT_QPA_PLATFORM": "offscreen"}, "linux", False), ({"QT_QPA_PLATFORM": "xcb"}, "linux", True),
    ({"QT_QPA_PLATFORM": "xcb:display=:1"}, "linux", True), ({"XDG_SESSION_TYPE": "wayland"}, "linux", False),
    ({}, "win32", False), ({}, "darwin", False)])
def test_checked_only_where_qt_starts_on_x11(env, platform, xcb):
    assert uses_xcb(env, platform) is xcb


def _plugin() -> Path:
    import PySide6

    return Path(PySide6.__file__).parent / "Qt" / "plugins" / "platforms" / "libqxcb.so"


@pytest.mark.skipif(not sys.platform.startswith("linux") or shutil.which("ldd") is None, reason="ldd on Linux")
def test_the_table_agrees_with_what_the_plugin_links_against():
    """Every xcb library the plugin needs is in the table, and the check finds missing exactly
    the ones the dynamic loader does not (on this machine)."""
    out = subprocess.run(["ldd", str(_plugin())], capture_output=True, text=True, check=True).stdout
    out += subprocess.run(["ldd", str(_plugin().parent.parent.parent / "lib" / "libQt6XcbQpa.so.6")],
                          capture_output=True, text=True, check=True).stdout
    needed = {line.split()[0] for line in out.splitlines() if "=>" in line}
    xcbish = {n for n in needed if "xcb" in n or "xkbcommon" in n}
    assert xcbish <= set(XCB_LIBRARIES)
    not_found = {line.split()[0] for line in out.splitlines() if "not found" in line}
    assert set(missing_xcb_packages()) == {XCB_LIBRARIES[n] for n in not_found if n in XCB_LIBRARIES}


@pytest.mark.skipif(not sys.platform.startswith("linux") or not missing_xcb_packages(), reason="every xcb library is here")
def test_the_window_names_them_and_exits_2(tmp_path):
    env = {**os.environ, "QT_QPA_PLATFORM": "xcb", "DISPLAY": ":99", "XDG_CONFIG_HOME": str(tmp_path)}
    r = subprocess.run([sys.executable, "main.py"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert r.returncode == 2
    for package in missing_xcb_packages():
        assert package in r.stderr
    assert "Aborted" not in r.stderr and "xcb-cursor0 or" not in r.stderr
