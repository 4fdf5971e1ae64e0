"""Build the installers (打包): ``python3 tasks.py installer [--no-deb] [--no-smoke] [--nsis]``.

Run by ``tasks.py`` in ``build/venv`` (the runtime requirements and ``installer/requirements.txt``):

1. draws the icon (``build/icon``);
2. freezes the program with PyInstaller (``installer/disclosure_desk.spec``) into
   ``dist/DisclosureDesk/`` — Python, Qt, the fonts, templates, catalogs, texts and the sample;
3. on Debian (``dpkg-deb`` present) packs it as ``dist/disclosure-desk_VERSION_ARCH.deb``;
4. with ``--nsis`` (and ``makensis`` present) compiles the Windows installer script against the
   folder: on Windows the real ``dist/DisclosureDesk-VERSION-setup.exe``, elsewhere a check of the
   script only (``build/nsis-check/``, uncompressed; a Linux folder inside is no Windows program);
5. runs the smoke tests of the frozen program (`installer/smoke.py`).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from installer import bundle  # noqa: E402

DIST = ROOT / "dist"
WORK = ROOT / "build"
WINDOWS = sys.platform.startswith("win")


def folder_size(path: Path) -> int:
    return sum(p.lstat().st_size for p in path.rglob("*") if not p.is_dir())


def mb(n: int) -> str:
    return f"{n / 1_000_000:.1f} MB"


def freeze() -> Path:
    # Modules stored uncompressed in the archive: a start imports ~200 of them, and inflating each
    # cost ~8 ms of a 50 ms `--help`; the .deb and setup.exe compress them anyway.
    os.environ["PYINSTALLER_ZLIB_COMPRESSION_LEVEL"] = "0"
    import PyInstaller.__main__

    PyInstaller.__main__.run([
        str(ROOT / "installer" / "disclosure_desk.spec"), "--noconfirm", "--clean", "--log-level", "WARN",
        "--distpath", str(DIST), "--workpath", str(WORK / "pyinstaller"),
    ])
    return DIST / bundle.FOLDER


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(description="决算公开助手：打包")
    p.add_argument("--no-deb", action="store_true", help="不生成 .deb")
    p.add_argument("--no-smoke", action="store_true", help="不运行冒烟测试")
    p.add_argument("--nsis", action="store_true", help="用 makensis 编译 Windows 安装脚本")
    args = p.parse_args(argv)
    started = time.perf_counter()
    from installer.icon import write as write_icon

    _png, ico = write_icon(WORK / "icon")
    print("冻结程序（PyInstaller）…", flush=True)
    folder = freeze()
    print(f"程序文件夹：{folder.relative_to(ROOT)}  {mb(folder_size(folder))}", flush=True)
    made = [folder]
    if not args.no_deb and not WINDOWS and shutil.which("dpkg-deb"):
        from installer.deb import build_deb

        deb = build_deb(folder, ROOT / "resources" / "icons" / f"{bundle.PACKAGE}.png", DIST, WORK)
        print(f"Debian 软件包：{deb.relative_to(ROOT)}  {mb(deb.stat().st_size)}", flush=True)
        made.append(deb)
    if args.nsis:
        from installer.nsis import compile_nsis

        setup = compile_nsis(folder, ico, DIST if WINDOWS else WORK / "nsis-check", check_only=not WINDOWS)
        print(f"Windows 安装程序{'' if WINDOWS else '（仅检查脚本）'}：{setup}  {mb(setup.stat().st_size)}", flush=True)
        made.append(setup)
    if not args.no_smoke:
        from installer.smoke import default_program

        code = subprocess.call([sys.executable, str(ROOT / "installer" / "smoke.py"), str(default_program())])
        if code:
            return code
    print(f"完成（{time.perf_counter() - started:.0f} 秒）", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
