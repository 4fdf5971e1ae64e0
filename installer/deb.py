"""The Debian package (``.deb``) for 统信UOS, 银河麒麟 and other Debian-based desktops.

It installs the frozen folder in ``/opt/disclosure-desk``, the command ``/usr/bin/disclosure-desk``,
a desktop entry with the product's Chinese name and icon, and the file type of department files
(``*.jsgk``, a SQLite file, also opened when it is called ``.sqlite``). The system's own triggers
(desktop-file-utils, shared-mime-info, the icon cache) register the entry and the type; removing
the package removes exactly its files: the clerk's department files and the user data folder
(``~/.local/share/DisclosureDesk``: the sample, logs; ``~/.config/DisclosureDesk``: last file)
were never the package's and stay. The texts are made here (and tested), the package by ``dpkg-deb``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path

from installer import bundle

PREFIX = Path("/opt") / bundle.PACKAGE
COMMAND = Path("/usr/bin") / bundle.PACKAGE
#: the SQLite types a department file also is (shared-mime-info's current and older name)
SQLITE_TYPES = ("application/vnd.sqlite3", "application/x-sqlite3")
#: libraries Qt opens itself at run time (ldd cannot see them): D-Bus (portal file dialogs, input
#: methods), EGL/GL (the window's drawing), Wayland
RUNTIME_PACKAGES = ("libdbus-1-3", "libegl1", "libgl1", "libwayland-client0", "libwayland-cursor0", "libwayland-egl1")
#: the packages of libraries Qt's Wayland window links, which a build machine without a desktop may lack
#: (the xcb ones are in `ui.system_libs`)
WAYLAND_LIBRARIES = {"libwayland-client.so.0": "libwayland-client0", "libwayland-cursor.so.0": "libwayland-cursor0",
                     "libwayland-egl.so.1": "libwayland-egl1"}
#: of the C library itself (ldd lists them for every file)
LIBC = "libc6"


def desktop_entry() -> str:
    """``/usr/share/applications/disclosure-desk.desktop`` (freedesktop Desktop Entry 1.4)."""
    mime = ";".join([bundle.MIME_TYPE, *SQLITE_TYPES]) + ";"
    return "\n".join([
        "[Desktop Entry]",
        "Type=Application",
        "Version=1.4",  # the newest desktop-file-validate of Debian 12 knows
        f"Name={bundle.NAME}",
        "Name[en]=Disclosure Desk",
        "GenericName=部门决算公开",
        "GenericName[en]=Final accounts disclosure",
        "Comment=部门决算公开表的录入、审核、打印与上报",
        "Comment[en]=Enter, check, print and submit a department's final accounts disclosure",
        f"Exec={COMMAND} %f",
        f"Icon={bundle.PACKAGE}",
        "Terminal=false",
        "Categories=Office;Finance;",
        "Keywords=决算;公开;部门决算;财政;预算;",
        f"MimeType={mime}",
        "StartupNotify=true",
        "",
    ])


def mime_package() -> str:
    """``/usr/share/mime/packages/disclosure-desk.xml``: ``*.jsgk`` is a department file, a kind of SQLite."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<mime-info xmlns="http://www.freedesktop.org/standards/shared-mime-info">
  <mime-type type="{bundle.MIME_TYPE}">
    <comment>Disclosure Desk department file</comment>
    <comment xml:lang="zh_CN">{bundle.NAME}部门数据文件</comment>
    <sub-class-of type="{SQLITE_TYPES[0]}"/>
    <icon name="{bundle.PACKAGE}"/>
    <glob pattern="*{bundle.EXTENSION}"/>
  </mime-type>
</mime-info>
"""


def control(version: str, architecture: str, depends: Iterable[str], installed_kb: int) -> str:
    """``DEBIAN/control`` (Debian Policy 5.3)."""
    return "\n".join([
        f"Package: {bundle.PACKAGE}",
        f"Version: {version}",
        f"Architecture: {architecture}",
        f"Maintainer: {bundle.PUBLISHER} <disclosure-desk@example.invalid>",  # no address yet
        f"Installed-Size: {installed_kb}",
        f"Depends: {', '.join(sorted(set(depends)))}",
        "Recommends: desktop-file-utils, shared-mime-info",
        "Section: misc",
        "Priority: optional",
        f"Description: {bundle.NAME}：部门决算公开表的录入、审核与打印",
        " Disclosure Desk: the nine 部门决算公开 tables entered with live checks, one",
        " department file per department (*.jsgk or *.sqlite), the publication PDF, and",
        " sealed submissions consolidated by the district finance bureau. Runs offline;",
        " Python, Qt and the fonts are inside /opt/disclosure-desk.",
        "",
    ])


def copyright_file(root: Path) -> str:
    """``/usr/share/doc/disclosure-desk/copyright``: the bundled fonts' licences are in the folder."""
    fonts = sorted(p.name for p in (root / "resources" / "fonts").glob("*.txt"))
    return "\n".join([
        "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/",
        f"Upstream-Name: {bundle.NAME}",
        "",
        "Files: opt/disclosure-desk/_internal/resources/fonts/*",
        "Comment: WenQuanYi Micro Hei (Apache-2.0 or GPL-3+ with font exception), AR PL UMing and",
        " AR PL UKai (cut down to GB 2312; Arphic Public License);",
        f" their texts: {', '.join(fonts)} in that folder.",
        "",
        "Files: opt/disclosure-desk/_internal/*",
        "Comment: Python, Qt for Python (LGPL-3), SQLAlchemy, openpyxl, reportlab, psycopg and the",
        " libraries they bring, each under its own licence, as installed from their wheels.",
        "",
    ])


# ── what the folder needs from the system ──────────────────────────────────
def _elf_files(folder: Path) -> list[Path]:
    out = []
    for p in sorted(folder.rglob("*")):
        if p.is_file() and not p.is_symlink():
            with p.open("rb") as f:
                if f.read(4) == b"\x7fELF":
                    out.append(p)
    return out


def parse_ldd(text: str) -> tuple[set[str], set[str]]:
    """(resolved paths, sonames not found) from ``ldd``'s output."""
    found: set[str] = set()
    missing: set[str] = set()
    for line in text.splitlines():
        m = re.match(r"\s*(\S+) => (not found|(/\S+))", line)
        if m:
            (missing.add(m.group(1)) if m.group(2) == "not found" else found.add(m.group(3)))
        elif (m := re.match(r"\s*(/\S+) \(0x", line)):
            found.add(m.group(1))
    return found, missing


def system_libraries(folder: Path) -> tuple[set[str], set[str]]:
    """The system libraries the folder's programs and libraries load (as the bootloader starts
    them: its ``_internal`` first on LD_LIBRARY_PATH), and the sonames no library was found for."""
    internal = folder / "_internal"
    env = {**os.environ, "LD_LIBRARY_PATH": f"{internal}:{internal / 'PySide6' / 'Qt' / 'lib'}"}
    found: set[str] = set()
    missing: set[str] = set()
    files = _elf_files(folder)
    for i in range(0, len(files), 50):
        out = subprocess.run(["ldd", *map(str, files[i:i + 50])], capture_output=True, text=True, env=env).stdout
        f, m = parse_ldd(out)
        found |= f
        missing |= m
    inside = str(folder.resolve()) + os.sep
    return {p for p in found if not os.path.realpath(p).startswith(inside) and not p.startswith(inside)}, missing


def _path_variants(path: str) -> list[str]:
    """dpkg knows a file by the path its package installed (``/lib/…`` or ``/usr/lib/…``)."""
    real = os.path.realpath(path)
    out = [path, real]
    for p in (path, real):
        out.append(p[4:] if p.startswith("/usr/") else "/usr" + p)
    return list(dict.fromkeys(out))


def packages_of(paths: Iterable[str]) -> tuple[set[str], set[str]]:
    """The Debian packages holding ``paths`` (``dpkg -S``), and the paths no package holds."""
    packages: set[str] = set()
    unowned: set[str] = set()
    for path in sorted(paths):
        for variant in _path_variants(path):
            done = subprocess.run(["dpkg", "-S", variant], capture_output=True, text=True)
            if done.returncode == 0:
                packages |= {line.split(":", 1)[0].strip() for line in done.stdout.splitlines()
                             if line.split(": ", 1)[-1].strip() == variant and "diversion" not in line}
                break
        else:
            unowned.add(path)
    return packages, unowned


def depends(folder: Path) -> list[str]:
    """The ``Depends`` of the package: what ldd finds on this (Debian) build machine, the xcb
    libraries Qt's X11 window needs (`ui.system_libs`, some may be missing here), what Qt opens
    itself. A library found nowhere, outside that list, stops the build."""
    from ui.system_libs import XCB_LIBRARIES

    known = {**XCB_LIBRARIES, **WAYLAND_LIBRARIES}
    libs, missing = system_libraries(folder)
    packages, unowned = packages_of(libs)
    unknown = sorted(m for m in missing if m not in known)
    if unknown or unowned:
        raise SystemExit(f"打包中止：找不到这些系统库 {unknown + sorted(unowned)} 所属的软件包")
    return sorted(packages | set(known.values()) | set(RUNTIME_PACKAGES) | {LIBC})


# ── the package ────────────────────────────────────────────────────────────
def _write(path: Path, text: str, mode: int = 0o644) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    path.chmod(mode)


def _normalise_modes(tree: Path) -> None:
    """Directories 755, files 644 or 755 (executable): what a clean checkout's umask made does not matter."""
    for p in [tree, *tree.rglob("*")]:
        if p.is_symlink():
            continue
        if p.is_dir():
            p.chmod(0o755)
        else:
            p.chmod(0o755 if p.stat().st_mode & 0o111 else 0o644)


def _size_kb(tree: Path) -> int:
    return sum(p.lstat().st_size for p in tree.rglob("*") if not p.is_dir()) // 1024 + 1


def architecture() -> str:
    return subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True, check=True).stdout.strip()


def build_deb(folder: Path, icon_png: Path, out_dir: Path, work: Path) -> Path:
    """``dist/disclosure-desk_VERSION_ARCH.deb`` from the frozen ``folder``."""
    tree = work / "deb"
    if tree.exists():
        shutil.rmtree(tree)
    shutil.copytree(folder, tree / PREFIX.relative_to("/"), symlinks=True)
    (tree / COMMAND.relative_to("/")).parent.mkdir(parents=True)
    (tree / COMMAND.relative_to("/")).symlink_to(PREFIX / bundle.PROGRAM)
    share = tree / "usr" / "share"
    _write(share / "applications" / f"{bundle.PACKAGE}.desktop", desktop_entry())
    _write(share / "mime" / "packages" / f"{bundle.PACKAGE}.xml", mime_package())
    (share / "icons" / "hicolor" / "256x256" / "apps").mkdir(parents=True)
    shutil.copy2(icon_png, share / "icons" / "hicolor" / "256x256" / "apps" / f"{bundle.PACKAGE}.png")
    _write(share / "doc" / bundle.PACKAGE / "copyright", copyright_file(tree / PREFIX.relative_to("/") / "_internal"))
    _normalise_modes(tree)
    arch = architecture()
    _write(tree / "DEBIAN" / "control", control(bundle.VERSION, arch, depends(folder), _size_kb(tree)))
    out_dir.mkdir(parents=True, exist_ok=True)
    deb = out_dir / f"{bundle.PACKAGE}_{bundle.VERSION}_{arch}.deb"
    subprocess.run(["dpkg-deb", "--root-owner-group", "--build", str(tree), str(deb)], check=True,
                   stdout=subprocess.DEVNULL)
    return deb
