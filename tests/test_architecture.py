"""The design card, checked: the core never imports Qt; start-up imports only what it needs."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _modules_after(code: str) -> set[str]:
    out = subprocess.run([sys.executable, "-c", code + "\nimport sys; print('\\n'.join(sys.modules))"], cwd=ROOT, capture_output=True, text=True, check=True)
    return set(out.stdout.split())


def _core_modules() -> list[str]:
    """Every module of services/ and models/, subpackages included (services.exchange.gate …)."""
    out = []
    for top in ("services", "models"):
        for p in sorted((ROOT / top).rglob("*.py")):
            parts = p.relative_to(ROOT).with_suffix("").parts
            out.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return out


def test_core_never_imports_qt():
    core = _core_modules()
    assert "services.exchange.gate" in core and "services.pdf.tables" in core and "services.performance.checks" in core
    mods = _modules_after("\n".join(f"import {m}" for m in core))
    assert not any(m.startswith("PySide6") for m in mods)


def test_checking_needs_no_database_or_spreadsheet_library():
    mods = _modules_after("import main\nimport services.engine, services.synthetic, services.forms")
    for heavy in ("sqlalchemy", "openpyxl", "reportlab", "PySide6", "pdfplumber", "pdfminer", "docx", "lxml"):
        assert heavy not in mods, heavy


def test_reading_published_documents_loads_its_libraries_only_when_used():
    """pdfplumber (with pdfminer) and python-docx are imported by the reading itself, not by the
    audit that checks the texts read, nor by the window."""
    mods = _modules_after("import services.published.importer, services.text_rules, services.audit, ui.main_window")
    assert not {"pdfplumber", "pdfminer", "docx", "lxml"} & {m.split(".")[0] for m in mods}


def test_no_float_arithmetic_on_money_in_the_core():
    offenders = []
    for p in list((ROOT / "services").rglob("*.py")) + list((ROOT / "models").rglob("*.py")):
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1):
            if "float(" in line and "float-ok" not in line:
                offenders.append(f"{p.name}:{n}: {line.strip()}")
    assert offenders == []


def test_the_disclosure_text_is_drafted_without_the_typesetter():
    """The text model (services.disclosure) is read by the checks and the window: no ReportLab,
    and nothing of services.pdf, which only typesets it."""
    mods = _modules_after("import services.disclosure.narrative, services.narrative_check")
    assert not any(m.startswith(("reportlab", "services.pdf", "PySide6")) for m in mods)


def test_every_narrative_section_has_its_writer_and_every_writer_its_section():
    from services.disclosure.sections import WRITERS
    from services.disclosure.texts import narrative_spec

    ids = [s["id"] for s in narrative_spec()["narrative"]["section"]]
    assert sorted(ids) == sorted(WRITERS) and len(ids) == len(set(ids))


def test_the_command_line_is_one_package():
    """Every command is parsed and run by services.cli; no other module defines one."""
    from services.cli import COMMANDS, parser

    outside = [f"{p.relative_to(ROOT)}:{n}" for p in list((ROOT / "services").rglob("*.py")) + list((ROOT / "ui").rglob("*.py"))
               if "cli" not in p.parts for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
               if line.startswith("def cmd_")]
    assert outside == []
    sub = next(a for a in parser()._actions if a.dest == "command")
    assert set(sub.choices) == COMMANDS  # type: ignore[attr-defined]


def test_the_window_starts_without_the_database_library():
    """SQLAlchemy costs ~0.4 s: the window imports it only when a department file or a district is opened."""
    mods = _modules_after("import ui.main_window, ui.app")
    assert "sqlalchemy" not in mods and "services.exchange.status" not in mods
