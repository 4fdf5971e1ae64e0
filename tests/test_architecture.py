"""The design card, checked: the core never imports Qt; start-up imports only what it needs."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _modules_after(code: str) -> set[str]:
    out = subprocess.run([sys.executable, "-c", code + "\nimport sys; print('\\n'.join(sys.modules))"], cwd=ROOT, capture_output=True, text=True, check=True)
    return set(out.stdout.split())


def test_core_never_imports_qt():
    core = sorted(p.stem for p in (ROOT / "services").glob("*.py") if p.stem != "__init__")
    models = sorted(p.stem for p in (ROOT / "models").glob("*.py") if p.stem != "__init__")
    code = "\n".join([f"import services.{m}" for m in core] + [f"import models.{m}" for m in models])
    mods = _modules_after(code)
    assert not any(m.startswith("PySide6") for m in mods)


def test_checking_needs_no_database_or_spreadsheet_library():
    mods = _modules_after("import main\nimport services.engine, services.synthetic, services.forms")
    for heavy in ("sqlalchemy", "openpyxl", "reportlab", "PySide6"):
        assert heavy not in mods, heavy


def test_no_float_arithmetic_on_money_in_the_core():
    offenders = []
    for p in list((ROOT / "services").glob("*.py")) + list((ROOT / "models").glob("*.py")):
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1):
            if "float(" in line and "float-ok" not in line:
                offenders.append(f"{p.name}:{n}: {line.strip()}")
    assert offenders == []
