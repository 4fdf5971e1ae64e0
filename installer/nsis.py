"""The Windows installer (``setup.exe``) compiled by NSIS's ``makensis`` from ``installer/windows/disclosure-desk.nsi``.

The script is fixed text; what differs per build (version, folders, names) is passed as
``/D`` defines, made here (and tested). On Windows the folder is the frozen Windows program; on
Linux ``makensis`` (Debian's ``nsis``) compiles the same script against the frozen Linux folder,
which checks the script (syntax, pages, Chinese strings, every define) but ships nothing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from installer import bundle

SCRIPT = Path(__file__).resolve().parent / "windows" / "disclosure-desk.nsi"
#: where the NSIS installer puts makensis when it is not on PATH
WINDOWS_MAKENSIS = (Path(os.environ.get("ProgramFiles(x86)", r"C:\Program Files (x86)")) / "NSIS" / "makensis.exe",
                    Path(os.environ.get("ProgramFiles", r"C:\Program Files")) / "NSIS" / "makensis.exe")


def setup_name(version: str = bundle.VERSION) -> str:
    return f"{bundle.FOLDER}-{version}-setup.exe"


def defines(folder: Path, icon: Path, out_file: Path, *, version: str = bundle.VERSION,
            check_only: bool = False) -> dict[str, str | None]:
    """The ``/D`` values the script requires (`SCRIPT` stops with an error when one is missing)."""
    if version.count(".") != 2 or not all(part.isdigit() for part in version.split(".")):
        raise ValueError(f"版本号应为 X.Y.Z（收到“{version}”）：Windows 的文件版本要求四段数字")
    values: dict[str, str | None] = {
        "VERSION": version,
        "SOURCE_DIR": str(folder.resolve()),  # makensis reads relative paths from the script's folder
        "OUT_FILE": str(out_file.resolve()),
        "ICON": str(icon.resolve()),
        "PROGRAM": bundle.PROGRAM,
        "CLI_PROGRAM": bundle.CLI_PROGRAM,
        "EXTENSION": bundle.EXTENSION,
        "PRODUCT": bundle.NAME,
        "PUBLISHER": bundle.PUBLISHER,
    }
    if check_only:
        values["CHECK_ONLY"] = None
    return values


def command(makensis: str, values: dict[str, str | None], target: str | None = None) -> list[str]:
    """``target``: NSIS's ``Target`` other than the script's (32-bit x86-unicode, which the
    official NSIS ships and every Windows runs); ``amd64-unicode`` makes a 64-bit setup.exe
    that Wine's 64-bit part alone can run (Debian's nsis has those stubs)."""
    flag = "/" if os.name == "nt" else "-"  # makensis takes - on Linux, / on Windows (both there)
    args = [makensis, f"{flag}INPUTCHARSET", "UTF8", f"{flag}V2"]
    if target is not None:
        args.append(f"{flag}XTarget {target}")
    args += [f"{flag}D{k}" if v is None else f"{flag}D{k}={v}" for k, v in values.items()]
    return [*args, str(SCRIPT)]


def find_makensis() -> str | None:
    found = shutil.which("makensis")
    if found:
        return found
    return next((str(p) for p in WINDOWS_MAKENSIS if p.exists()), None)


def compile_nsis(folder: Path, icon: Path, out_dir: Path, *, check_only: bool = False,
                 target: str | None = None) -> Path:
    makensis = find_makensis()
    if makensis is None:
        raise SystemExit("没有找到 makensis：Debian 上 apt-get install nsis，Windows 上安装 NSIS 3")
    out_dir.mkdir(parents=True, exist_ok=True)
    out = out_dir / setup_name()
    # the defines hold Chinese: on Linux makensis decodes its arguments by the locale
    env = os.environ if os.name == "nt" else {**os.environ, "LC_ALL": "C.UTF-8"}
    subprocess.run(command(makensis, defines(folder, icon, out, check_only=check_only), target), check=True, env=env)
    return out
