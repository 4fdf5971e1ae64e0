"""What the installers are made of (installer/): the selection of Qt and system files, the Debian
control file, desktop entry and file type, the NSIS script's values (compiled when makensis is
here), the run-time hook, the icon, and the department-file extension from the command line.

Building and running the frozen program takes a minute and lives in ``installer/smoke.py``; these
tests check the parts that decide what goes in, on the real PySide6 and system of this machine.
"""

from __future__ import annotations

import configparser
import email.parser
import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from installer import bundle, deb, nsis
from services import product
from tests.paths import FIXTURES

ROOT = Path(__file__).resolve().parent.parent
PYSIDE = Path(__import__("PySide6").__file__).parent


# ── what the frozen folder keeps ───────────────────────────────────────────
def _plugins() -> list[str]:
    """Every Qt plugin of the installed PySide6, as PyInstaller names it in the folder."""
    base = PYSIDE / "Qt" / "plugins" if (PYSIDE / "Qt" / "plugins").is_dir() else PYSIDE / "plugins"
    return [f"PySide6/Qt/plugins/{p.relative_to(base).as_posix()}" for p in base.rglob("*") if p.is_file()]


def test_the_plugins_the_window_needs_are_kept_and_the_rest_dropped():
    plugins = _plugins()
    assert plugins, "PySide6 ships its plugins"
    kept = {Path(p).name.split(".")[0].removeprefix("lib") for p in plugins if bundle.wanted(p)}
    dropped = [p for p in plugins if not bundle.wanted(p)]
    if sys.platform.startswith("linux"):
        assert {"qxcb", "qoffscreen", "qwayland", "ibusplatforminputcontextplugin"} <= kept
        assert not any(k in kept for k in ("qvnc", "qlinuxfb", "qeglfs", "qgtk3"))
    assert not any("/imageformats/" in p or "/tls/" in p or "/networkinformation/" in p for p in plugins if bundle.wanted(p))
    assert dropped  # there is something the product never loads


def test_windows_paths_are_judged_alike():
    assert bundle.wanted(r"PySide6\plugins\platforms\qwindows.dll")
    assert bundle.wanted(r"PySide6\plugins\styles\qmodernwindowsstyle.dll")
    assert not bundle.wanted(r"PySide6\plugins\platforms\qdirect2d.dll")
    assert not bundle.wanted(r"PySide6\plugins\imageformats\qjpeg.dll")
    assert bundle.wanted(r"PySide6\translations\qtbase_zh_CN.qm")
    assert not bundle.wanted(r"PySide6\translations\qtbase_de.qm")


def test_only_chinese_of_qts_translations_is_kept():
    folder = PYSIDE / "Qt" / "translations"
    if not folder.is_dir():
        folder = PYSIDE / "translations"
    names = [p.name for p in folder.glob("*.qm")]
    kept = [n for n in names if bundle.wanted(f"PySide6/Qt/translations/{n}")]
    assert kept == ["qtbase_zh_CN.qm"]  # the one `ui.translations` loads
    assert bundle.wanted("resources/texts/narrative.toml") and bundle.wanted("resources/fonts/uming.ttc")


def test_system_libraries_are_the_desktops_and_pythons_own_are_kept():
    prefix = "/root/.pyenv/versions/3.11.7"
    assert bundle.system_library("libX11.so.6", "/lib/x86_64-linux-gnu/libX11.so.6", prefix)
    assert bundle.system_library("libstdc++.so.6", "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", prefix)
    for name in ("libssl.so.3", "libcrypto.so.3", "libffi.so.8", "libsqlite3.so.0", "libz.so.1", "libpython3.11.so.1.0"):
        assert not bundle.system_library(name, f"/lib/x86_64-linux-gnu/{name}", prefix), name
    assert not bundle.system_library("libpython3.11.so.1.0", f"{prefix}/lib/libpython3.11.so.1.0", prefix)
    site = "/b/venv/lib/python3.11/site-packages/PySide6/Qt/lib/libQt6Gui.so.6"
    assert not bundle.system_library("PySide6/Qt/lib/libQt6Gui.so.6", site, prefix)  # from a wheel
    assert not bundle.system_library("libQt6Gui.so.6", "PySide6/Qt/lib/libQt6Gui.so.6", prefix)  # a link in the folder
    toc = [("libX11.so.6", "/lib/x86_64-linux-gnu/libX11.so.6", "BINARY"), ("libz.so.1", "/lib/x86_64-linux-gnu/libz.so.1", "BINARY"),
           ("libX11.so.6", "/lib/x86_64-linux-gnu/libX11.so.6", "DATA")]
    assert bundle.without_system_libraries(toc, prefix) == toc[1:]


def test_the_eager_runtime_hooks_are_dropped():
    scripts = [("pyi_rth_pyside6", "/x/pyi_rth_pyside6.py", "PYSOURCE"), ("rth_desk", "/x/rth_desk.py", "PYSOURCE"),
               ("main", "/x/main.py", "PYSOURCE"), ("pyi_rth_inspect", "/x/i.py", "PYSOURCE")]
    assert [s[0] for s in bundle.without_eager_hooks(scripts)] == ["rth_desk", "main"]


def test_the_resources_are_collected_where_the_modules_look_for_them():
    (source, dest), = bundle.datas(ROOT)
    assert dest == "resources" and Path(source) == ROOT / "resources"
    # every module finds resources/ two or three levels above itself, as from source
    from services.catalog import CATALOG_DIR
    from services.disclosure.texts import TEXT_DIR
    from services.pdf.fonts import FONT_DIR
    from services.templates import TEMPLATE_DIR

    for folder in (CATALOG_DIR, TEXT_DIR, FONT_DIR, TEMPLATE_DIR):
        assert folder.parent == ROOT / dest


# ── run-time hook ──────────────────────────────────────────────────────────
_HOOK_PROBE = """
import os, runpy, sys, json
runpy.run_path(sys.argv[1])
print(json.dumps({k: os.environ.get(k) for k in ("LD_LIBRARY_PATH", "LD_LIBRARY_PATH_ORIG")}))
print("multiprocessing" in sys.modules)  # not imported for the clerk's start
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="LD_LIBRARY_PATH is Linux's")
@pytest.mark.parametrize(("before", "after"), [
    ({"LD_LIBRARY_PATH": "/opt/d/_internal:/usr/local/lib", "LD_LIBRARY_PATH_ORIG": "/usr/local/lib"}, "/usr/local/lib"),
    ({"LD_LIBRARY_PATH": "/opt/d/_internal"}, None),
])
def test_programs_the_window_starts_get_the_desktops_library_path(before, after):
    env = {k: v for k, v in os.environ.items() if not k.startswith("LD_LIBRARY_PATH")} | before
    out = subprocess.run([sys.executable, "-c", _HOOK_PROBE, str(ROOT / "installer" / "rth_desk.py")], env=env,
                         capture_output=True, text=True, check=True).stdout.splitlines()
    assert json.loads(out[0]) == {"LD_LIBRARY_PATH": after, "LD_LIBRARY_PATH_ORIG": None}
    assert out[1] == "False"


def test_a_process_started_as_multiprocessing_helper_gets_freeze_support_that_runs_it():
    probe = ("import runpy, sys; sys.argv[1:] = ['-c', 'print(1)']; runpy.run_path(%r); "
             "import multiprocessing; print(multiprocessing.freeze_support.__module__, multiprocessing.process.ORIGINAL_DIR); "
             "multiprocessing.freeze_support(); print('returned')") % str(ROOT / "installer" / "rth_desk.py")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.split()
    # patched; and a -c that is not multiprocessing's own helper is not run: freeze_support returns
    assert out == ["<run_path>", "None", "returned"]


# ── the Debian package's texts ─────────────────────────────────────────────
def test_desktop_entry_names_the_product_in_chinese_and_opens_department_files():
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read_string(deb.desktop_entry())
    entry = parser["Desktop Entry"]
    assert entry["Type"] == "Application" and entry["Name"] == product.NAME == "决算公开助手"
    assert entry["Exec"] == f"/usr/bin/{product.DESKTOP_ID} %f" and entry["Icon"] == product.DESKTOP_ID
    assert entry["Terminal"] == "false" and "Office" in entry["Categories"].split(";")
    assert entry["MimeType"].split(";") == [bundle.MIME_TYPE, "application/vnd.sqlite3", "application/x-sqlite3", ""]


@pytest.mark.skipif(not shutil.which("desktop-file-validate"), reason="desktop-file-utils is not installed here")
def test_desktop_entry_passes_desktop_file_validate(tmp_path):
    path = tmp_path / f"{product.DESKTOP_ID}.desktop"
    path.write_text(deb.desktop_entry(), encoding="utf-8")
    done = subprocess.run(["desktop-file-validate", str(path)], capture_output=True, text=True)
    assert done.returncode == 0 and not done.stdout.strip(), done.stdout


def test_mime_type_is_the_products_extension_and_a_kind_of_sqlite():
    ns = {"m": "http://www.freedesktop.org/standards/shared-mime-info"}
    root = ET.fromstring(deb.mime_package())
    (kind,) = root.findall("m:mime-type", ns)
    assert kind.get("type") == bundle.MIME_TYPE
    assert [g.get("pattern") for g in kind.findall("m:glob", ns)] == ["*.jsgk"]
    assert kind.find("m:sub-class-of", ns).get("type") == "application/vnd.sqlite3"  # type: ignore[union-attr]
    zh = [c.text for c in kind.findall("m:comment", ns) if c.get("{http://www.w3.org/XML/1998/namespace}lang") == "zh_CN"]
    assert zh == ["决算公开助手部门数据文件"]


def test_control_file_fields():
    text = deb.control("0.2.0", "amd64", ["libxcb1", "libc6", "libxcb1", "libfontconfig1"], 180000)
    fields = email.parser.Parser().parsestr(text)
    assert fields["Package"] == "disclosure-desk" and fields["Version"] == "0.2.0" and fields["Architecture"] == "amd64"
    assert fields["Depends"] == "libc6, libfontconfig1, libxcb1"  # sorted, once each
    assert fields["Installed-Size"] == "180000"
    synopsis, *body = fields["Description"].splitlines()
    assert "决算公开助手" in synopsis and len(body) >= 2
    assert all(line.startswith(" ") for line in text.split("Description:", 1)[1].splitlines()[1:])
    assert text.endswith("\n")


def test_ldd_output_is_read():
    found, missing = deb.parse_ldd(
        "\tlinux-vdso.so.1 (0x00007ffd)\n"
        "\tlibxcb-icccm.so.4 => not found\n"
        "\tlibGL.so.1 => /lib/x86_64-linux-gnu/libGL.so.1 (0x00007f6b)\n"
        "\t/lib64/ld-linux-x86-64.so.2 (0x00007f6b)\n")
    assert found == {"/lib/x86_64-linux-gnu/libGL.so.1", "/lib64/ld-linux-x86-64.so.2"}
    assert missing == {"libxcb-icccm.so.4"}


@pytest.mark.skipif(not (shutil.which("dpkg") and shutil.which("ldd")), reason="not a Debian system")
def test_the_packages_of_the_libraries_a_program_loads(tmp_path):
    folder = tmp_path / "DisclosureDesk"
    (folder / "_internal").mkdir(parents=True)
    shutil.copy2(Path(sys.executable).resolve(), folder / "_internal" / "python")  # a real ELF program
    libs, missing = deb.system_libraries(folder)
    assert any(Path(p).name.startswith("libc.so") for p in libs) and not missing
    packages, unowned = deb.packages_of(p for p in libs if Path(p).name.startswith("libc.so"))
    assert packages == {"libc6"} and not unowned


# ── the Windows installer ──────────────────────────────────────────────────
def test_nsis_values_name_every_define_the_script_uses(tmp_path):
    values = nsis.defines(tmp_path / "DisclosureDesk", tmp_path / "i.ico", tmp_path / "setup.exe", check_only=True)
    assert values["VERSION"] == product.VERSION and values["EXTENSION"] == ".jsgk"
    assert values["PROGRAM"] == bundle.PROGRAM and values["CLI_PROGRAM"] == bundle.CLI_PROGRAM
    assert values["PRODUCT"] == product.NAME == "决算公开助手"
    assert all(Path(str(values[k])).is_absolute() for k in ("SOURCE_DIR", "OUT_FILE", "ICON"))
    script = nsis.SCRIPT.read_text(encoding="utf-8")
    for key in values:
        assert "${" + key + "}" in script or f"ifdef {key}" in script, key
    assert "RequestExecutionLevel user" in script and r"$LOCALAPPDATA\Programs\DisclosureDesk" in script
    args = nsis.command("makensis", values)
    assert args[-1] == str(nsis.SCRIPT) and any(a.endswith("DCHECK_ONLY") for a in args)
    assert nsis.setup_name("1.2.3") == "DisclosureDesk-1.2.3-setup.exe"


def test_a_version_windows_cannot_number_is_refused(tmp_path):
    with pytest.raises(ValueError, match="X.Y.Z"):
        nsis.defines(tmp_path, tmp_path / "i.ico", tmp_path / "s.exe", version="0.2")


def _placeholder(folder: Path) -> None:
    """A folder of the frozen program's layout (two programs and _internal)."""
    (folder / "_internal" / "resources").mkdir(parents=True)
    for name in (f"{bundle.PROGRAM}.exe", f"{bundle.CLI_PROGRAM}.exe", "_internal/python311.dll",
                 "_internal/resources/说明.txt"):
        (folder / name).write_bytes(b"MZ placeholder")


@pytest.mark.skipif(nsis.find_makensis() is None, reason="makensis (Debian: nsis) is not installed here")
def test_the_nsis_script_compiles_against_a_folder_of_the_same_layout(tmp_path):
    from installer.icon import write

    folder = tmp_path / "DisclosureDesk"
    _placeholder(folder)
    _png, ico = write(tmp_path / "icon")
    setup = nsis.compile_nsis(folder, ico, tmp_path / "out", check_only=True)
    data = setup.read_bytes()
    assert data[:2] == b"MZ" and setup.stat().st_size > 30_000
    # uncompressed (a check): the Chinese name and the uninstaller's promise are in it, intact
    assert "决算公开助手".encode("utf-16-le") in data and "用户数据文件夹".encode("utf-16-le") in data
    values = nsis.defines(folder, ico, tmp_path / "x.exe")
    del values["VERSION"]
    done = subprocess.run(nsis.command(str(nsis.find_makensis()), values), capture_output=True, text=True)
    assert done.returncode != 0 and "passes VERSION" in done.stdout + done.stderr


def _wine() -> str | None:
    return shutil.which("wine64") or next((str(p) for p in (Path("/usr/lib/wine/wine64"),) if p.exists()), None)


@pytest.mark.skipif(nsis.find_makensis() is None or _wine() is None,
                    reason="makensis (Debian: nsis) or Wine (Debian: wine64) is not installed here")
def test_setup_exe_under_wine_installs_for_the_user_and_uninstalls_leaving_the_data(tmp_path):
    """The compiled setup.exe run under Wine (the nearest to Windows this machine has): a silent
    per-user install into %LOCALAPPDATA%\\Programs with its Start-menu entries, file type and
    uninstall entry in HKCU; an upgrade over it; then the uninstaller, which removes the program
    and its registry entries and leaves the user data folder and the clerk's files."""
    from installer.icon import write

    folder = tmp_path / "DisclosureDesk"
    _placeholder(folder)
    _png, ico = write(tmp_path / "icon")
    # the script as shipped, built 64-bit: this machine's Wine has no 32-bit part (the same
    # script's official 32-bit build is what the Windows workflow installs and tests)
    setup = nsis.compile_nsis(folder, ico, tmp_path / "out", target="amd64-unicode")
    assert setup.read_bytes()[:2] == b"MZ"
    prefix = tmp_path / "prefix"
    env = {**os.environ, "WINEPREFIX": str(prefix), "WINEDEBUG": "-all", "WINEDLLOVERRIDES": "mscoree,mshtml=",
           "PATH": f"/usr/lib/wine:{os.environ.get('PATH', '')}"}
    wine = str(_wine())
    server = shutil.which("wineserver64", path=env["PATH"]) or shutil.which("wineserver", path=env["PATH"])

    def run(*args: str) -> None:
        subprocess.run([wine, *args], env=env, check=True, timeout=300, capture_output=True)
        subprocess.run([str(server), "-w"], env=env, timeout=120)  # the registry reaches user.reg

    run("wineboot", "-i")
    user = next(p for p in (prefix / "drive_c" / "users").iterdir() if p.name != "Public")
    installed = user / "AppData" / "Local" / "Programs" / "DisclosureDesk"
    menu = user / "AppData" / "Roaming" / "Microsoft" / "Windows" / "Start Menu" / "Programs" / bundle.NAME
    data = user / "AppData" / "Local" / "DisclosureDesk"
    run(str(setup), "/S")
    assert (installed / f"{bundle.PROGRAM}.exe").exists() and (installed / "uninstall.exe").exists()
    assert sorted(p.name for p in menu.iterdir()) == sorted([f"{bundle.NAME}.lnk", f"卸载{bundle.NAME}.lnk"])
    reg = (prefix / "user.reg").read_text(encoding="utf-8", errors="replace")
    assert f'[Software\\\\Classes\\\\{bundle.EXTENSION}]' in reg and '@="DisclosureDesk.DepartmentFile"' in reg
    assert "[Software\\\\Microsoft\\\\Windows\\\\CurrentVersion\\\\Uninstall\\\\DisclosureDesk]" in reg
    # the clerk's data, and an upgrade over the installed version
    data.mkdir(parents=True)
    (data / "kept.txt").write_text("the clerk's", encoding="utf-8")
    (installed / "_internal" / "old-module.pyd").write_bytes(b"old")
    run(str(setup), "/S")
    assert not (installed / "_internal" / "old-module.pyd").exists()  # nothing of the old version outlives it
    assert (data / "kept.txt").read_text(encoding="utf-8") == "the clerk's"
    # _?= runs the uninstaller in place and waits for it
    run(str(installed / "uninstall.exe"), "/S", f"_?={'C:' + chr(92) + str(installed.relative_to(prefix / 'drive_c')).replace('/', chr(92))}")
    assert not (installed / "_internal").exists() and not (installed / f"{bundle.PROGRAM}.exe").exists()
    assert not menu.exists()
    assert (data / "kept.txt").read_text(encoding="utf-8") == "the clerk's"
    reg = (prefix / "user.reg").read_text(encoding="utf-8", errors="replace")
    assert "DisclosureDesk.DepartmentFile" not in reg and "Uninstall\\\\DisclosureDesk]" not in reg


# ── icon ───────────────────────────────────────────────────────────────────
def test_the_icon_is_drawn_at_every_size(tmp_path):
    from PIL import Image

    from installer.icon import ICO_SIZES, write

    png, ico = write(tmp_path)
    with Image.open(png) as img:
        assert img.size == (256, 256) and img.mode == "RGBA"
        assert len(img.getcolors(maxcolors=1 << 16) or []) > 10  # drawn: the square and the two characters, antialiased
    with Image.open(ico) as img:
        assert set(img.info["sizes"]) == set(ICO_SIZES)
    with Image.open(ROOT / "resources" / "icons" / f"{product.DESKTOP_ID}.png") as shipped:
        assert shipped.size == (256, 256)


# ── the extension from the command line ────────────────────────────────────
def _cli(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, env={**os.environ, "DISCLOSUREDESK_LOG_DIR": str(cwd / "logs")})


def test_a_jsgk_department_file_is_read_like_a_sqlite_one(tmp_path):
    for name in ("株洲.jsgk", "株洲.sqlite"):
        assert _cli("import-xlsx", FIXTURES / "zhuzhou_2020.xlsx", "-o", name, cwd=tmp_path).returncode == 0
    jsgk, sqlite = (_cli("check", name, "--json", cwd=tmp_path) for name in ("株洲.jsgk", "株洲.sqlite"))
    assert jsgk.returncode == sqlite.returncode == 1
    assert json.loads(jsgk.stdout) == json.loads(sqlite.stdout) and len(json.loads(jsgk.stdout)) >= 4
    sub = _cli("submit", "株洲.jsgk", "--year", "2020", "-o", "上报.sqlite", "--allow-errors", cwd=tmp_path)
    assert sub.returncode == 0, sub.stderr
