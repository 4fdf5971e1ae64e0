"""A hostile corpus (恶意与畸形输入), generated: workbooks, rosters and submissions built to crash,
hang or exhaust the program, each small on disk (the bombs are compressed).

Each builder writes one file and returns its path; `tests/test_hostile.py` runs every class
against the program and `benchmarks/bench_hostile.py` measures time and peak memory.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from xml.sax.saxutils import escape

_CT = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
       '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
       '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
       '<Default Extension="xml" ContentType="application/xml"/>'
       '<Override PartName="/xl/workbook.xml" '
       'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
       '<Override PartName="/xl/worksheets/sheet1.xml" '
       'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
       '</Types>')
_RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
         '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
         '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
         'officeDocument" Target="xl/workbook.xml"/></Relationships>')
_WB = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
       '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
       'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
       '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>')
_WB_RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
_SHEET_HEAD = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
               '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')


def _cell(ref: str, value: object) -> str:
    if value is None:
        return f'<c r="{ref}"/>'
    if isinstance(value, (int, float)):
        return f'<c r="{ref}"><v>{value}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>'


def rows_xml(rows: Iterable[tuple[int, Iterable[tuple[str, object]]]]) -> Iterator[str]:
    for r, cells in rows:
        yield f'<row r="{r}">' + "".join(_cell(ref, v) for ref, v in cells) + "</row>"


def write_xlsx(path: Path, rows: Iterable[str], *, dimension: str | None = None, merges: Iterable[str] = (),
               doctype: str = "") -> Path:
    """A one-sheet workbook whose sheet XML is streamed from ``rows`` (row elements), compressed."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", _CT)
        z.writestr("_rels/.rels", _RELS)
        z.writestr("xl/workbook.xml", _WB)
        z.writestr("xl/_rels/workbook.xml.rels", _WB_RELS)
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as f:
            head = _SHEET_HEAD if not doctype else _SHEET_HEAD.replace("?>", "?>" + doctype, 1)
            f.write(head.encode())
            if dimension:
                f.write(f'<dimension ref="{dimension}"/>'.encode())
            f.write(b"<sheetData>")
            buf: list[str] = []
            for row in rows:
                buf.append(row)
                if len(buf) >= 2000:
                    f.write("".join(buf).encode())
                    buf.clear()
            f.write("".join(buf).encode())
            f.write(b"</sheetData>")
            merges = list(merges)
            if merges:
                f.write(f'<mergeCells count="{len(merges)}">'.encode())
                f.write("".join(f'<mergeCell ref="{m}"/>' for m in merges).encode())
                f.write(b"</mergeCells>")
            f.write(b"</worksheet>")
    return path


_TITLE = [(1, [("A1", "收入支出决算总表")]), (2, [("A2", "部门：某某局"), ("D2", "单位：万元")])]


def far_cell(path: Path) -> Path:
    """One cell at the last cell of a sheet (XFD1048576): openpyxl walks the whole rectangle."""
    return write_xlsx(path, rows_xml([*_TITLE, (1048576, [("XFD1048576", 1)])]))


def whole_sheet_merge(path: Path) -> Path:
    """One merge over the whole sheet: openpyxl makes an object for every covered cell."""
    return write_xlsx(path, rows_xml(_TITLE), merges=["A3:XFD1048576"])


def many_merges(path: Path, n: int = 60_000) -> Path:
    """Many small merges (2 cells each), beyond any real table's header."""
    return write_xlsx(path, rows_xml(_TITLE), merges=[f"A{r}:B{r}" for r in range(10, 10 + n)])


def empty_cells(path: Path, n: int = 20_000_000) -> Path:
    """``n`` empty cells (``<c r=".."/>``), 16,000 a row: a small zip that loads as a huge sheet."""
    per_row = 16000

    def gen() -> Iterator[str]:
        yield from rows_xml(_TITLE)
        cells = "<c/>" * per_row  # positions implied, as Excel allows
        for r in range(3, 3 + n // per_row):
            yield f'<row r="{r}">{cells}</row>'
    return write_xlsx(path, gen())


def stale_dimension(path: Path, rows: list[tuple[str, str]]) -> Path:
    """A roster whose ``<dimension>`` says A1:B2 while it holds more rows."""
    body = [(1, [("A1", "部门代码"), ("B1", "部门名称")])]
    body += [(i, [(f"A{i}", code), (f"B{i}", name)]) for i, (code, name) in enumerate(rows, start=2)]
    return write_xlsx(path, rows_xml(body), dimension="A1:B2")


def roster_far_cell(path: Path) -> Path:
    """A roster of one department and one stray cell at XFD1048576."""
    body = [(1, [("A1", "部门代码"), ("B1", "部门名称")]), (2, [("A2", "101001"), ("B2", "某某局")]),
            (1048576, [("XFD1048576", "x")])]
    return write_xlsx(path, rows_xml(body), dimension="A1:XFD1048576")


def entity_bomb(path: Path) -> Path:
    """Billion laughs in the sheet XML (Office never writes a DTD)."""
    ents = '<!ENTITY a0 "lol">' + "".join(f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">' for i in range(1, 10))
    doctype = f"<!DOCTYPE worksheet [{ents}]>"
    body = [(1, [("A1", "部门代码"), ("B1", "部门名称")])]
    rows = list(rows_xml(body)) + ['<row r="2"><c r="A2" t="inlineStr"><is><t>&a9;</t></is></c></row>']
    return write_xlsx(path, rows, doctype=doctype)


def zip_bomb_entry(path: Path, size: int = 400 * 2**20) -> Path:
    """A workbook with one extra part of ``size`` zero bytes (a few hundred KB compressed)."""
    write_xlsx(path, rows_xml(_TITLE))
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        with z.open("xl/media/pad.bin", "w", force_zip64=True) as f:
            chunk = bytes(2**20)
            for _ in range(size // 2**20):
                f.write(chunk)
    return path


def long_csv_field(path: Path, size: int = 200_000) -> Path:
    path.write_text(f"部门代码,部门名称\n101001,{'某' * size}\n", encoding="utf-8")
    return path


def forged_submission(path: Path, cells: int = 1_000_000, per_row: int | None = None) -> Path:
    """A sealed submission (强制上报) holding ``cells`` figures in made-up coded rows: its digest is
    right, so only a limit on what a template can hold refuses it."""
    from decimal import Decimal

    from services.exchange.submission import seal
    from services.synthetic import generate
    from services.templates import get_template
    from services.workbook import Cell

    wb = generate(get_template("national-2020"), rows=30)
    spec = wb.table("05")
    cols = spec.column_nos[:per_row]
    rows = wb.coded.setdefault("05", {})
    i = 0
    while len(wb.values) < cells:
        code = f"{201 + i // 9000}{10 + i // 90 % 90:02d}{10 + i % 90:02d}"
        i += 1
        rows[code] = "伪造科目"
        for c in cols:
            wb.values[Cell("05", code, c)] = Decimal(1)
    from unittest import mock

    # The seal opens what it wrote through the gate, which now refuses it: forge past it.
    with mock.patch("services.exchange.submission.open_submission"):
        seal(wb, path, allow_errors=True)
    return path
