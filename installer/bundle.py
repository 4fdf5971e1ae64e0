"""What the frozen program holds (打包内容): the product's names, its resources, and only the
parts of Python and Qt it uses.

PyInstaller follows the imports from ``main.py``; this module adds what it cannot see (the
PostgreSQL driver SQLAlchemy loads by name) and drops what the product never loads: Qt plugins
for other platforms, devices and image formats, Qt's translations other than Chinese, and Python
packages that only the tests, the build or other programs use. No Qt or PyInstaller import here:
the tests read these lists too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import TypeVar

from services import product

#: the folder in ``dist/`` and the program in it (``.exe`` on Windows)
FOLDER = "DisclosureDesk"
PROGRAM = "DisclosureDesk"
#: Windows only: the same program with a console, for the command line
CLI_PROGRAM = "DisclosureDeskCLI"
#: Debian package, command, desktop entry and icon name
PACKAGE = "disclosure-desk"
#: the product's own extension for department files, opened exactly like ``.sqlite``
EXTENSION = ".jsgk"  # 决算公开
MIME_TYPE = "application/x-disclosure-desk"
#: what the clerk's menu and the installer call it
NAME = product.NAME
VERSION = product.VERSION
PUBLISHER = "决算公开助手项目组"

#: loaded by name, not by an import PyInstaller can follow (`services.exchange.district_store`)
HIDDEN_IMPORTS = [
    "sqlalchemy.dialects.sqlite.pysqlite",
    "sqlalchemy.dialects.postgresql.psycopg",
    "psycopg",
    "psycopg_binary",
]

#: never imported by the product (tests, build tools, other GUI toolkits, images the PDF never embeds)
EXCLUDES = [
    "tkinter", "_tkinter", "turtle", "turtledemo", "idlelib", "pydoc_data", "lib2to3", "ensurepip", "venv",
    "unittest", "doctest", "test", "tests", "pytest", "_pytest", "pytestqt", "hypothesis", "pypdf",
    "mypy", "ruff", "pip", "setuptools", "distutils", "pkg_resources", "IPython",
    "PyInstaller",
    # Pillow is imported by reportlab, but its codecs for pictures are never used
    "PIL._avif", "PIL._webp", "PIL._imagingcms", "PIL._imagingtk", "PIL.ImageTk", "PIL.ImageQt",
    "PySide6.QtNetwork", "PySide6.QtDBus",  # only QtCore, QtGui and QtWidgets are imported (ui/)
]

#: system libraries the frozen Python itself needs, kept in the folder (a desktop may lack or
#: differ in them); every other system library (X11, xcb, fontconfig, GLib, D-Bus, the C++
#: runtime …) is the desktop's own, loaded from the system as from source: the ``.deb`` depends
#: on the packages that hold them, so a security update of the system reaches the program too
PYTHON_RUNTIME_LIBS = re.compile(
    r"^lib(python3[.\d]*|ssl|crypto|ffi|sqlite3|z|bz2|lzma|expat|uuid|mpdec|crypt|ncursesw?|tinfo|readline)[.-]"
)

#: Qt plugins kept, by folder: the window on X11, Wayland and Windows, offscreen for screenshots,
#: input methods (中文输入法) and the desktop's file dialogs; nothing for cameras, printers or networks.
QT_PLUGINS = {
    "platforms": {"qxcb", "qwayland", "qwayland-egl", "qwayland-generic", "qoffscreen", "qwindows"},
    "platforminputcontexts": None,  # every one: ibus, compose, fcitx when shipped
    # not qgtk3: it pulls the whole GTK stack of the build machine into the folder; Qt's own file
    # dialog (translated in `ui.translations`) is what the window uses on Linux
    "platformthemes": {"qxdgdesktopportal"},
    "xcbglintegrations": None,
    "wayland-decoration-client": None,
    "wayland-graphics-integration-client": None,
    "wayland-shell-integration": None,
    "styles": None,  # Windows 11 / Vista styles
}
#: Qt's own translation loaded by `ui.translations`
QT_TRANSLATIONS = re.compile(r"^qtbase_zh_CN\.qm$")

_T = TypeVar("_T", bound=tuple)


#: PyInstaller's run-time hooks the program does without, each run before ``main`` on every start:
#: pyi_rth_pyside6 imports PySide6.QtCore (loading Qt for `--help` and `check` too) only to give Qt a
#: ``qt.conf`` and a plugin path, which PySide6's own import already does for the folder it lies
#: in, and it sets QT_PLUGIN_PATH for every program the window starts (a system PDF reader would
#: load our plugins); pyi_rth_inspect (14 ms: inspect, ast, zipfile) lets ``inspect.getsource``
#: read frozen modules and pyi_rth_pkgutil lets ``pkgutil.iter_modules`` list them: neither the
#: product nor its libraries call these; pyi_rth_multiprocessing is replaced by a lazy one (`rth_desk`)
DROPPED_RUNTIME_HOOKS = {"pyi_rth_pyside6", "pyi_rth_inspect", "pyi_rth_pkgutil", "pyi_rth_multiprocessing"}


def without_eager_hooks(scripts: Iterable[_T]) -> list[_T]:
    return [s for s in scripts if s[0] not in DROPPED_RUNTIME_HOOKS]


def datas(root: Path) -> list[tuple[str, str]]:
    """The product's resources, collected as ``resources`` beside the modules that find them."""
    return [(str(root / "resources"), "resources")]


def _parts(dest: str) -> list[str]:
    return dest.replace("\\", "/").split("/")


def wanted(dest: str) -> bool:
    """Whether a collected file (its path inside the folder) is kept."""
    parts = _parts(dest)
    if "plugins" in parts:
        i = parts.index("plugins")
        if len(parts) < i + 3:  # not inside a plugin folder
            return True
        kind, name = parts[i + 1], parts[i + 2]
        if kind not in QT_PLUGINS:
            return False
        allowed = QT_PLUGINS[kind]
        stem = re.sub(r"^lib", "", name.split(".", 1)[0])
        return allowed is None or stem in allowed
    if "translations" in parts and parts[-1].endswith(".qm"):
        return bool(QT_TRANSLATIONS.match(parts[-1]))
    return True


def keep(toc: Iterable[_T]) -> list[_T]:
    """A PyInstaller table of contents (``(dest, source, kind)`` entries) without what is dropped."""
    return [entry for entry in toc if wanted(str(entry[0]))]


def system_library(dest: str, source: str, python_prefix: str) -> bool:
    """A library PyInstaller found on the system (not in a wheel, not Python's) and that the desktop
    provides: left out of the folder. Only Linux: Windows has no such libraries to share."""
    if "/" in dest.replace("\\", "/") or not source.startswith("/"):
        return False  # inside a package's folder, or a link to a file of the folder
    if "site-packages" in source or source.startswith(python_prefix.rstrip("/") + "/"):
        return False
    return not PYTHON_RUNTIME_LIBS.match(dest)


def without_system_libraries(toc: Iterable[_T], python_prefix: str) -> list[_T]:
    return [e for e in toc if not (e[2] == "BINARY" and system_library(str(e[0]), str(e[1]), python_prefix))]
