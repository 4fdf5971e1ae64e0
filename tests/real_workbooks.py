"""Workbooks made from the real disclosures transcribed cell by cell (`tests/data/real/*.tsv`,
`shared/samples/putuo_czj_2024.tsv`), laid out as clerks keep them.

A transcription holds each table as printed: header rows, data rows, notes. `build` writes it as
an .xlsx the way a clerk's own workbook has it — title row, department and unit line, the rows —
with amounts stored as numbers (or as text, ``text_amounts``), codes as text, one sheet per table
or all on one sheet (``one_sheet``), with or without the 公开0N表 labels (``labels``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from tests.paths import SHARED

REAL = Path(__file__).resolve().parent / "data" / "real"
_AMOUNT = re.compile(r"^-?[\d,]*\d\.\d{2}$")


@dataclass
class Printed:
    label: str  # 公开01表
    title: str
    rows: list[list[str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class Disclosure:
    department: str
    year: int
    tables: list[Printed]


def read_tsv(path: Path) -> Disclosure:
    dept, year, tables = "", 0, []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#dataset "):
            dept, y = line[len("#dataset "):].rsplit(" ", 1)
            year = int(y)
        elif line.startswith("#sheet "):
            label, title = line[len("#sheet "):].split("|", 1)
            tables.append(Printed(label, title))
        elif line.startswith("#note "):
            tables[-1].notes.append(line[len("#note "):])
        elif line.strip():
            tables[-1].rows.append(line.split("\t"))
    return Disclosure(dept, year, tables)


def sources() -> dict[str, Path]:
    """Every real transcription, by name: the sample's and the four in tests/data/real."""
    out = {p.stem: p for p in sorted(REAL.glob("*.tsv"))}
    out["putuo_czj_2024"] = SHARED / "samples" / "putuo_czj_2024.tsv"
    return out


def _value(text: str, text_amounts: bool) -> object:
    if _AMOUNT.match(text) and not text_amounts:
        return float(text.replace(",", ""))
    return text


def build(src: Path, dest: Path, *, labels: bool = True, one_sheet: bool = False, text_amounts: bool = False) -> Path:
    from openpyxl import Workbook

    d = read_tsv(src)
    book = Workbook()
    book.remove(book.active)
    ws = book.create_sheet("决算公开表") if one_sheet else None
    r = 0
    for t in d.tables:
        if not one_sheet:
            ws = book.create_sheet(t.label if labels else t.title[:31])
            r = 0
        assert ws is not None
        width = max((len(row) for row in t.rows), default=1)
        r += 1
        ws.cell(r, 1, t.title)
        if labels:
            r += 1
            ws.cell(r, width, t.label)
        r += 1
        ws.cell(r, 1, f"部门：{d.department}")
        ws.cell(r, max(width, 2), "单位：万元")
        for row in t.rows:
            r += 1
            for c, text in enumerate(row, start=1):
                if text.strip():
                    ws.cell(r, c, _value(text.strip(), text_amounts))
        for note in t.notes:
            r += 1
            ws.cell(r, 1, note)
        r += 1  # a blank row between tables on one sheet
    book.save(dest)
    return dest
