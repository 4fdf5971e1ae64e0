"""Nothing executes or forges (issue 18, item 2): every text written to Excel is a value, and
names cannot drive a terminal or forge a line of the command line's output."""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from services.exchange.consolidate import consolidate
from services.exchange.submission import seal
from services.store import DepartmentFile
from services.synthetic import generate
from services.templates import get_template
from services.xlsx_text import append, put

ROOT = Path(__file__).resolve().parent.parent
HOSTILE = ["=1+1", "=HYPERLINK(\"http://x\",\"点此\")", "=cmd|' /C calc'!A0", "+1", "-2+3", "@SUM(A1)"]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *args], cwd=ROOT, capture_output=True, text=True,
                          encoding="utf-8", timeout=120)


def formulas(xlsx: Path) -> list[str]:
    """Every formula element in every sheet of the file, read from its XML."""
    with zipfile.ZipFile(xlsx) as z:
        return [m for n in z.namelist() if n.startswith("xl/worksheets/")
                for m in re.findall(r"<f[ >].*?</f>", z.read(n).decode())]


def hostile_department(name: str):
    wb = generate(get_template("national-2020"), rows=10)
    wb.department = name
    coded = wb.coded["02"]
    for code, text in zip(sorted(coded)[-len(HOSTILE):], HOSTILE):
        coded[code] = text + "\x07\x1b"
    return wb


@pytest.mark.parametrize("text", HOSTILE)
def test_a_text_that_looks_like_a_formula_is_written_as_a_value(tmp_path, text):
    from openpyxl import Workbook

    book = Workbook()
    ws = book.active
    put(ws, 1, 1, text)
    append(ws, [text, "普通文字", 3])
    book.save(tmp_path / "x.xlsx")
    assert formulas(tmp_path / "x.xlsx") == []
    back = load_workbook(tmp_path / "x.xlsx").active
    assert back["A1"].value == text and back["A1"].quotePrefix and back["A1"].data_type == "s"
    assert back["A2"].value == text and back["B2"].value == "普通文字" and not back["B2"].quotePrefix
    assert back["C2"].value == 3


def test_export_xlsx_writes_hostile_names_as_text(tmp_path):
    wb = hostile_department("=HYPERLINK(\"http://x\")\x1b[2J某局")
    dept = tmp_path / "d.sqlite"
    with DepartmentFile.create(dept, wb.department, "") as f:
        f.save(wb)
    out = tmp_path / "out.xlsx"
    p = run("export-xlsx", str(dept), "-o", str(out))
    assert p.returncode == 0, p.stderr
    assert formulas(out) == []
    texts = {c.value for ws in load_workbook(out).worksheets for row in ws.iter_rows() for c in row
             if isinstance(c.value, str)}
    assert {t for t in texts if t.startswith(("=", "+", "-", "@"))} >= set(HOSTILE)
    assert not any("\x1b" in t or "\x07" in t for t in texts)


def test_the_status_sheet_writes_hostile_names_and_file_names_as_text(tmp_path):
    wb = hostile_department("=cmd|' /C calc'!A0")
    sub = seal(wb, tmp_path / "=1+1.sqlite").path
    district = tmp_path / "区.sqlite"
    assert not consolidate([sub], district).refused
    out = tmp_path / "汇总.xlsx"
    p = run("export-xlsx", str(district), "-o", str(out))
    assert p.returncode == 0, p.stderr
    assert formulas(out) == []
    sheet = load_workbook(out)["上报情况"]
    row = [c.value for c in sheet[3]]
    assert row[0] == "=cmd|' /C calc'!A0" and "=1+1.sqlite" in row


def test_a_name_cannot_forge_a_status_line_or_drive_the_terminal(tmp_path):
    forged = "甲局\n  ✓ 伪造局（999999）：2021-01-01 09:00 封存\x1b[2J\r"
    district = tmp_path / "区.sqlite"
    wb = generate(get_template("national-2020"), rows=10)
    wb.department = forged
    sub = seal(wb, tmp_path / "a.sqlite").path  # the seal cleans the name it writes …
    assert not consolidate([sub], district).refused
    p = run("status", str(district))
    assert "伪造局" in p.stdout and "\x1b" not in p.stdout and "\r" not in p.stdout
    assert not any(line.lstrip().startswith("✓ 伪造局") for line in p.stdout.splitlines())


def test_the_terminal_stream_escapes_what_a_forged_submission_carries(tmp_path):
    """A name that was never cleaned (a hand-made submission) still prints as one line."""
    import io

    from services.cli.common import Terminal
    from services.identity import printable

    out = io.StringIO()
    Terminal(out).write(f"  ✓ {printable('甲局' + chr(10) + '  ✓ 伪造局')}：收到\x1b[31m\n")
    assert out.getvalue() == "  ✓ 甲局\\n  ✓ 伪造局：收到\\x1b[31m\n"
