"""Set up and run: ``python tasks.py run`` (the application) or ``python tasks.py test`` (the tests).

The same two commands work on Windows and Debian with only Python 3.11+ installed: they create
``.venv`` next to this file, install the pinned requirements when they changed, and run.
Other tasks: ``lint`` (ruff and mypy, as CI runs them), ``bench`` (the benchmarks), ``cli ARGS``
(the command line in the venv), ``installer`` (the self-contained program in ``dist/`` and, on
Debian, its ``.deb``; built in its own environment ``build/venv`` from ``installer/requirements.txt``).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")


def _ensure(requirements: str, where: Path = VENV, *more: str) -> Path:
    """The Python of the environment ``where`` with ``requirements`` (and ``more``) installed."""
    py = where / ("Scripts" if os.name == "nt" else "bin") / ("python.exe" if os.name == "nt" else "python")
    files = [requirements, *more]
    text = "".join((ROOT / r).read_text(encoding="utf-8") for r in files)
    if "-r requirements.txt" in text:
        text += (ROOT / "requirements.txt").read_text(encoding="utf-8")
    digest = hashlib.sha256(text.encode()).hexdigest()
    stamp = where / f".installed-{requirements}"
    if py.exists() and stamp.exists() and stamp.read_text() == digest:
        return py
    if not py.exists():
        print(f"正在创建运行环境 {where.relative_to(ROOT)} …", flush=True)
        venv.EnvBuilder(with_pip=True).create(where)
    print(f"正在安装依赖（{'、'.join(files)}）…", flush=True)
    args = [a for r in files for a in ("-r", str(ROOT / r))]
    subprocess.check_call([str(py), "-m", "pip", "install", "-q", "--disable-pip-version-check", *args], cwd=ROOT)
    stamp.write_text(digest)
    return py


def main(argv: list[str]) -> int:
    if sys.version_info < (3, 11):
        print("需要 Python 3.11 或更新版本（当前 %d.%d）。" % sys.version_info[:2])
        return 2
    task = argv[0] if argv else "run"
    rest = argv[1:]
    env = dict(os.environ)
    if task == "run":
        _ensure("requirements.txt")
        return subprocess.call([str(PY), str(ROOT / "main.py"), *rest], cwd=ROOT)
    if task == "cli":
        _ensure("requirements.txt")
        return subprocess.call([str(PY), str(ROOT / "main.py"), *rest], cwd=ROOT)
    if task == "test":
        _ensure("requirements-dev.txt")
        env.setdefault("QT_QPA_PLATFORM", "offscreen")
        return subprocess.call([str(PY), "-m", "pytest", *rest], cwd=ROOT, env=env)
    if task == "lint":  # ruff (ruff.toml) and mypy (mypy.ini), as CI runs them
        _ensure("requirements-dev.txt")
        code = subprocess.call([str(PY), "-m", "ruff", "check", "."], cwd=ROOT)
        return code | subprocess.call([str(PY), "-m", "mypy"], cwd=ROOT)
    if task == "bench":
        _ensure("requirements-dev.txt")
        env.setdefault("QT_QPA_PLATFORM", "offscreen")
        code = 0
        for script in sorted((ROOT / "benchmarks").glob("bench_*.py")):
            print(f"== {script.name}", flush=True)
            code |= subprocess.call([str(PY), str(script)], cwd=ROOT, env=env)
        return code
    if task == "installer":  # its own environment: PyInstaller never enters .venv
        build_py = _ensure("requirements.txt", ROOT / "build" / "venv", "installer/requirements.txt")
        return subprocess.call([str(build_py), str(ROOT / "installer" / "build.py"), *rest], cwd=ROOT)
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
