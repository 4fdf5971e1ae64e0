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


def _header_rows(t: Printed) -> int:
    """How many of a table's first rows are header (no figure in them)."""
    n = 0
    for row in t.rows:
        if any(_AMOUNT.match(c.strip()) for c in row) or (row and row[0].strip() in ("合计", "总计")):
            break
        n += 1
    return n


def _merge_header(ws, top: int, t: Printed) -> None:  # noqa: ANN001
    """Merge each header text over the blank cells to its right (as Excel users lay headers
    out), never into a column that has a header text of its own in a row above."""
    def texted(i: int, c: int) -> bool:
        return any(c < len(t.rows[k]) and t.rows[k][c].strip() for k in range(i))

    for i in range(_header_rows(t)):
        row = t.rows[i]
        c = 0
        while c < len(row):
            if not row[c].strip():
                c += 1
                continue
            end = c
            while end + 1 < len(row) and not row[end + 1].strip() and not texted(i, end + 1):
                end += 1
            if end > c:
                ws.merge_cells(start_row=top + i, start_column=c + 1, end_row=top + i, end_column=end + 1)
            c = end + 1


def build(src: Path, dest: Path, *, labels: bool = True, one_sheet: bool = False, text_amounts: bool = False,
          merged: bool = False, long_titles: bool = False, codes_as_numbers: bool = False) -> Path:
    """``merged``: header texts merged over the blank cells beside them; ``long_titles``: the
    title printed as "<部门>2024年度收入决算表" with no 部门 line; ``codes_as_numbers``: codes and
    their 款/项 parts stored as numbers (06 → 6), as Excel makes of them when typed."""
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
        ws.cell(r, 1, f"{d.department}{d.year}年度{t.title}" if long_titles else t.title)
        if labels:
            r += 1
            ws.cell(r, width, t.label)
        r += 1
        if not long_titles:
            ws.cell(r, 1, f"部门：{d.department}")
        ws.cell(r, max(width, 2), "单位：万元")
        top = r + 1
        for row in t.rows:
            r += 1
            for c, text in enumerate(row, start=1):
                if text.strip():
                    v = _value(text.strip(), text_amounts)
                    if codes_as_numbers and isinstance(v, str) and v.isdigit() and len(v) in (2, 3, 5, 7):
                        v = int(v)
                    ws.cell(r, c, v)
        if merged:
            _merge_header(ws, top, t)
        for note in t.notes:
            r += 1
            ws.cell(r, 1, note)
        r += 1  # a blank row between tables on one sheet
    book.save(dest)
    return dest
