"""A published PDF's tables as grids and its other text as lines (读取公开 PDF).

A text-based 部门决算 PDF draws each table with ruling lines; pdfplumber finds those lines and the
cells they bound. Each cell becomes a cell of one `SheetGrid` for the whole table part, in page
order, a cell spanning several columns or rows a merge, and the lines printed outside the tables
(the title, 单位：万元, a 本表无数据 note) rows of their own between them. A table continued on the
next page simply goes on below, as in a long worksheet. That grid is what the workbook import reads
(`services.xlsx_import.import_grids`), so a PDF's tables are read by the same rules as a workbook's.
The text outside the tables, page by page, is what `services.published.sections` splits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from services.xlsx_cells import SheetGrid

#: limits on untrusted input: a real 部门决算 PDF has 20–60 pages and a few MB
MAX_PAGES = 400
MAX_BYTES = 64 * 1024 * 1024
#: a page of a dense 决算 table holds about 1,000 characters and 400 ruling lines
MAX_PAGE_CHARS = 50_000
MAX_PAGE_RULES = 20_000
_FIGURE = re.compile(r"^-?\d{1,3}(?:,\d{3})*\.\d{2}$|^-?\d+\.\d{2}$")
_PAGE_NUMBER = re.compile(r"^[-—－\s]*(?:第\s*)?\d{1,3}(?:\s*页)?[-—－\s]*$|^\d{1,3}\s*/\s*\d{1,3}$")


class PdfReadError(ValueError):
    """The file cannot be read as a PDF; `str()` is one line in Chinese."""


@dataclass
class PdfText:
    """What a PDF holds: its tables as one grid, its other text as lines, page by page."""

    grid: SheetGrid
    #: the text outside the tables, line by line, in reading order (page numbers left out)
    lines: list[str] = field(default_factory=list)
    pages: int = 0
    #: pages that hold ruled tables
    table_pages: list[int] = field(default_factory=list)
    #: the lines printed above the table now being read, and its first page's rows (to recognise
    #: a continued page that reprints them)
    heading: set[str] = field(default_factory=set)
    #: lines of figures on pages without ruling since the last page of tables (see `_page`)
    stray: list[list[str]] = field(default_factory=list)
    #: pages of the tables' part printed as pictures: (the grid row where they fall, page number)
    pictures: list[tuple[int, int]] = field(default_factory=list)
    header: list[tuple[str, ...]] = field(default_factory=list)


def read_pdf(path: Path) -> PdfText:
    """The tables and text of a PDF; `PdfReadError` when it is not a readable PDF."""
    _guard(path)
    import pdfplumber  # lazy: pdfminer is 0.3 s that start-up must not pay
    from pdfminer.pdfparser import PDFSyntaxError

    try:
        pdf = pdfplumber.open(path)
    except (PDFSyntaxError, ValueError, TypeError, KeyError, OSError) as e:
        raise PdfReadError(f"“{path.name}”已损坏或不是有效的 PDF 文件，无法读取（{type(e).__name__}）") from None
    except Exception as e:  # a damaged or encrypted file fails deep inside pdfminer in many ways
        raise PdfReadError(f"“{path.name}”无法作为 PDF 读取（{type(e).__name__}）") from None
    with pdf:
        if len(pdf.pages) > MAX_PAGES:
            raise PdfReadError(f"“{path.name}”有 {len(pdf.pages)} 页，超过部门决算公开文件的上限 {MAX_PAGES} 页，未读取")
        out = PdfText(SheetGrid(path.stem), pages=len(pdf.pages))
        row = 1
        try:
            for no, page in enumerate(pdf.pages, start=1):
                row = _page(page, no, out, row)
        except PdfReadError as e:
            raise PdfReadError(f"“{path.name}”{e}") from None
        except Exception as e:  # noqa: BLE001 - a broken content stream; say so in one line
            raise PdfReadError(f"“{path.name}”第 {no} 页无法读取（{type(e).__name__}）") from None
    if not any(line.strip() for line in out.lines) and not out.grid.rows:
        raise PdfReadError(f"“{path.name}”中没有文字（可能是扫描件），无法读取；请使用带文字的 PDF")
    return out


def _guard(path: Path) -> None:
    if path.is_dir():
        raise PdfReadError(f"“{path.name}”是一个文件夹，不是 PDF 文件")
    if path.exists() and not path.is_file():
        raise PdfReadError(f"“{path.name}”不是普通文件（可能是管道或设备），无法读取")
    if not path.is_file():
        raise PdfReadError(f"找不到文件“{path.name}”")
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise PdfReadError(f"“{path.name}”有 {size // (1024 * 1024)} MB，超过部门决算公开文件的上限 {MAX_BYTES // (1024 * 1024)} MB，未读取")
    with path.open("rb") as f:
        if b"%PDF" not in f.read(1024):
            raise PdfReadError(f"“{path.name}”不是 PDF 文件，无法读取")


def _page(page, no: int, out: PdfText, row: int) -> int:  # noqa: ANN001 - pdfplumber's Page
    """One page into `out`: its tables and the lines around them into the grid (from ``row``),
    the lines outside the tables into the text; the next free grid row."""
    if len(page.chars) > MAX_PAGE_CHARS or len(page.lines) + len(page.rects) > MAX_PAGE_RULES:
        raise PdfReadError(f"第 {no} 页的文字或线条多得不像部门决算公开文件（{len(page.chars)} 个字、"
                           f"{len(page.lines) + len(page.rects)} 条线），未读取")
    tables = [t for t in page.find_tables() if len(t.rows) >= 1 and len(t.rows[0].cells) >= 2]
    boxes = [t.bbox for t in tables]

    def outside(obj: dict) -> bool:
        cx, cy = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
        return not any(x0 <= cx <= x1 and top <= cy <= bottom for x0, top, x1, bottom in boxes)

    lines = [(top, text) for top, text in text_lines([c for c in page.chars if outside(c)])
             if not _PAGE_NUMBER.match(text)]
    out.lines += [text for _, text in lines]
    if not tables:
        if out.table_pages and not page.chars and page.images:  # a page of the tables printed as a picture
            out.pictures.append((row, no))
        elif out.table_pages:  # figures on a page without ruling: kept, in case more tables follow
            out.stray += [text.split() for _, text in lines if any(_FIGURE.match(w) for w in text.split())]
        return row
    # a page between two pages of tables whose figures no ruling holds (a table pdfplumber did not
    # find): its figures go into cells, which the import places or reports unplaced, so that the
    # table is read in part rather than silently short
    for words in out.stray:
        out.grid.rows[row] = dict(enumerate(words, start=1))
        row += 1
    out.stray = []
    out.table_pages.append(no)
    items: list[tuple[float, object]] = list(lines)
    items += [(t.bbox[1], t) for t in tables]
    items.sort(key=lambda x: x[0])
    first = next(i for i, (_, item) in enumerate(items) if not isinstance(item, str))
    repeat = _repeated_heading([str(item) for _, item in items[:first]], out)
    lines_before: list[str] = []  # the lines written since the last table: a new table's heading
    for _, item in items:
        if isinstance(item, str):
            if _heading_key(item) in repeat:  # the same table again, its title, 部门 and 单位 reprinted
                continue
            words = item.split()
            # a line of figures outside the ruling (a table whose lines pdfplumber did not find):
            # its figures go into cells, where the import either places them or reports them
            # unplaced, so that the table is read in part rather than silently short
            if any(_FIGURE.match(w) for w in words):
                out.grid.rows[row] = dict(enumerate(words, start=1))
            else:
                out.grid.rows[row] = {1: item.strip()}
                lines_before.append(item)
            row += 1
        else:
            if lines_before:  # another table begins
                out.heading = {k for k in map(_heading_key, lines_before) if k}
                out.header = []
                lines_before = []
            row = _table(item, out, row)
    return row


_CONTINUED = re.compile(r"[（(]?续表?[）)]?$|[（(]续[）)]")
_META_LINE = re.compile(r"^(?:(?:编制|填报)?(?:部门|单位)(?:名称)?[:：]|(?:金额)?单位[:：]|公开\s*\d+\s*表$|(?:19|20)\d{2}\s*年度?$)")


def _heading_key(line: str) -> str:
    """A line above a table as a continued page reprints it: without spaces and 续表."""
    return _CONTINUED.sub("", re.sub(r"\s+", "", line))


def _repeated_heading(above: list[str], out: PdfText) -> set[str]:
    """The lines above this page's table when they reprint the previous table's title (with or
    without 续表): the table continues. An empty set when the page starts another table, or when
    no title is printed (a bare continuation needs nothing dropped)."""
    if not above or not out.heading:
        return set()
    keys = {_heading_key(line) for line in above}
    titles = {k for k in out.heading if not _META_LINE.match(k)}
    if titles and titles & keys and all(k in out.heading or _META_LINE.match(k) or not k for k in keys):
        return keys
    return set()


def text_lines(chars: list[dict]) -> list[tuple[float, str]]:
    """Characters into printed lines (top, text), top to bottom.

    A line is the characters whose height overlaps, by at least half, the band of the line's first
    character: published documents set figures in another font (Times New Roman beside 仿宋) whose
    box sits lower by a third of the size, which a fixed tolerance of a few points splits off into a
    line of bare numbers. A gap wider than a character becomes one space."""
    bands: list[tuple[float, float, list[dict]]] = []
    for ch in sorted(chars, key=lambda c: (c["top"], c["x0"])):
        if not ch["text"].strip():
            continue
        top, bottom = ch["top"], ch["bottom"]
        for b_top, b_bottom, members in reversed(bands[-3:]):
            overlap = min(bottom, b_bottom) - max(top, b_top)
            if overlap >= 0.5 * min(bottom - top, b_bottom - b_top):
                members.append(ch)
                break
        else:
            bands.append((top, bottom, [ch]))
    out: list[tuple[float, str]] = []
    for top, _, members in bands:
        members.sort(key=lambda c: c["x0"])
        text, last = "", None
        for ch in members:
            if last is not None and ch["x0"] - last["x1"] > max(ch["size"], last["size"]):
                text += " "
            text += ch["text"]
            last = ch
        out.append((top, text.strip()))
    return out


def _table(table, out: PdfText, row: int) -> int:  # noqa: ANN001 - pdfplumber's Table
    """A ruled table's cells into the grid from ``row``; a cell that spans columns or rows (by its
    box against the table's column and row edges) is a merge, as Excel would hold it. The header
    rows a continued page reprints (those equal to the table's first page's) are left out."""
    grid = out.grid
    texts = table.extract()
    shown = [tuple((t or "").strip() for t in r) for r in texts]
    if out.header:
        skip = 0
        while skip < min(len(shown), len(out.header)) and shown[skip] == out.header[skip] and any(shown[skip]):
            skip += 1
        if skip:
            return _table_rows(table, texts, grid, row, skip)
    else:
        out.header = shown
    return _table_rows(table, texts, grid, row, 0)


def _table_rows(table, texts: list, grid: SheetGrid, row: int, skip: int) -> int:  # noqa: ANN001
    """The table's rows from ``skip`` on into ``grid`` from ``row``; the next free row."""
    xs = sorted({round(c[0], 1) for c in table.cells} | {round(c[2], 1) for c in table.cells})
    ys = sorted({round(c[1], 1) for c in table.cells} | {round(c[3], 1) for c in table.cells})

    def index(edges: list[float], v: float) -> int:
        return min(range(len(edges)), key=lambda i: abs(edges[i] - v))

    ys = ys[skip:] if skip < len(ys) else ys[-1:]  # the rows left out no longer take grid rows
    for cells in table.rows[skip:]:
        for box in cells.cells:
            if box is None:
                continue
            c0, c1 = index(xs, box[0]), index(xs, box[2])
            r0, r1 = index(ys, box[1]), index(ys, box[3])
            top = (row + r0, 1 + c0)
            for r in range(r0, max(r1, r0 + 1)):
                for c in range(c0, max(c1, c0 + 1)):
                    if (row + r, 1 + c) != top:
                        grid.merged[(row + r, 1 + c)] = top
    for i, cells in enumerate(table.rows):
        if i < skip:
            continue
        for j, box in enumerate(cells.cells):
            if box is None:
                continue
            text = (texts[i][j] or "").strip() if i < len(texts) and j < len(texts[i]) else ""
            if text:
                r, c = index(ys, box[1]), index(xs, box[0])
                grid.rows.setdefault(row + r, {})[1 + c] = text
    return row + len(ys) - 1
