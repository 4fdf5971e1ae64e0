"""The nine tables as printed (决算表): the printed-table model as grids, then ReportLab tables.

`table_grid` turns one table's `PrintedTable` (the layout the entry form and the Excel export
also use) into a grid of text cells with spans: the header cells, then the body lines with their
codes, names, 行次 and figures. It knows nothing of ReportLab, so tests can read it.

`table_flowables` turns a grid into the title block, the table (header rows repeated on every
page, long names wrapped inside their cell, column widths measured so that no figure overflows)
and the notes; `orientation` says whether it needs a landscape page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from services.money import format_wan
from services.pdf import headwords
from services.printed import PrintedTable
from services.templates import TableSpec
from services.workbook import Cell, Workbook

# cell kinds: head (header), label (wrapped name), code, line (行次), num, blank
HEAD, LABEL, CODE, LINE, NUM, BLANK = "head", "label", "code", "line", "num", "blank"


@dataclass
class Grid:
    """One table as printed: rows of (text, kind), spans (c0, r0, c1, r1), header row count."""

    spec: TableSpec
    rows: list[list[tuple[str, str]]]
    col_kinds: list[str]
    header_rows: int
    spans: list[tuple[int, int, int, int]] = field(default_factory=list)
    empty: bool = False


def _money(wb: Workbook, cell: Cell) -> str:
    v: Decimal | None = wb.get(cell)
    return format_wan(v if v is not None else Decimal(0))


_KINDS = {"label": LABEL, "line": LINE, "code": CODE, "amount": NUM}


def table_grid(wb: Workbook, table: str) -> Grid:
    """One table of the workbook as printed: the printed-table model (`services.printed`) as a
    grid of texts with spans; a blank figure prints 0.00."""
    p = PrintedTable(wb, table)
    lines, cells = p.header_cells(lanci=p.prints_lanci)
    width = p.column_count()
    rows: list[list[tuple[str, str]]] = [[("", BLANK)] * width for _ in range(lines)]
    spans: list[tuple[int, int, int, int]] = []
    for h in cells:
        rows[h.row][h.column] = (h.text, HEAD)
        if h.rows > 1 or h.columns > 1:
            spans.append((h.column, h.row, h.column + h.columns - 1, h.row + h.rows - 1))
    for c0 in range(width):  # header cells no HeaderCell covers stay header-grey, not body
        for r0 in range(lines):
            if rows[r0][c0][1] == BLANK:
                rows[r0][c0] = ("", HEAD)
    indent = not p.spec.coded  # fixed rows print their template indent; codes show their level
    for r in range(p.row_count()):
        line: list[tuple[str, str]] = [("", BLANK)] * width
        for j in range(p.column_count()):
            cell = p.cell(r, j)  # None for lead columns and blank places
            if cell is not None:
                line[j] = (_money(wb, cell), NUM)
        at = len(rows)
        for j, span, kind, row in p.lead_cells(r):
            if kind == "label":
                line[j] = ("\u3000" * row.level * indent + row.label, LABEL)
            elif kind == "line":
                line[j] = (str(row.line) if row.line else "", LINE)
            else:
                line[j] = (row.code, CODE)
            if span > 1:
                spans.append((j, at, j + span - 1, at))
        rows.append(line)
    grid = Grid(p.spec, rows, [_KINDS[c.kind] for c in p.columns], lines, spans)
    grid.empty = bool(p.spec.empty_note) and wb.is_empty(table)
    return grid


# ── ReportLab ──────────────────────────────────────────────────────────────
PAD = 3.0  # cell padding, points


#: cell text size and leading: normal, and compact for a table that then fits on one page
NORMAL = (9.0, 11.0, 2.0)
COMPACT = (8.0, 9.2, 0.8)


@dataclass
class Sized:
    """A grid with its column widths, the page orientation it needs and its text size."""

    grid: Grid
    widths: list[float]
    landscape: bool
    size: float = NORMAL[0]
    leading: float = NORMAL[1]
    vpad: float = NORMAL[2]


def _natural(grid: Grid, size: float, font_num: str, font_text: str) -> tuple[list[float], list[float]]:
    """Per column: the minimum width (nothing may be narrower) and the natural one (no wrapping)."""
    from services.pdf.fonts import width as sw

    ncols = len(grid.col_kinds)
    mins, nats = [0.0] * ncols, [0.0] * ncols
    body = grid.rows[grid.header_rows:]
    spanned = {(c, r) for c0, r0, c1, r1 in grid.spans for c in range(c0, c1 + 1) for r in range(r0, r1 + 1) if c1 > c0}
    for j, kind in enumerate(grid.col_kinds):
        texts = [row[j][0] for i, row in enumerate(body, grid.header_rows) if (j, i) not in spanned and row[j][0]]
        if kind == NUM:
            w = max([sw(t, font_num, size) for t in texts] + [sw("0,000.00", font_num, size), 4 * size])
            mins[j] = nats[j] = w + 2 * PAD + 1
        elif kind in (CODE, LINE):
            w = max([sw(t, font_num, size) for t in texts] + [2 * size])
            mins[j] = nats[j] = w + 2 * PAD + 1
        else:
            longest = max([sw(t, font_text, size) for t in texts] + [4 * size])
            nats[j] = min(longest, 22 * size) + 2 * PAD + 1
            mins[j] = min(nats[j], 7 * size + 2 * PAD)
    # a header is broken between words only (headwords): its column is at least as wide as its widest word
    for r0 in range(grid.header_rows):
        for j, (text, kind) in enumerate(grid.rows[r0]):
            if kind == HEAD and text and (j, r0) not in spanned:
                need = headwords.min_width(text, font_text, size) + 2 * PAD + 1
                mins[j], nats[j] = max(mins[j], need), max(nats[j], need)
    return mins, nats


def size_grid(grid: Grid, portrait_width: float, landscape_width: float, metrics: tuple = NORMAL,
              landscape: bool | None = None) -> Sized:
    """Column widths filling the page; landscape when the natural widths do not fit a portrait page."""
    from services.pdf.fonts import HEI, SONG

    mins, nats = _natural(grid, metrics[0], SONG, HEI)
    if landscape is None:
        landscape = sum(nats) > portrait_width
    avail = landscape_width if landscape else portrait_width
    widths = list(nats)
    labels = [j for j, k in enumerate(grid.col_kinds) if k == LABEL]
    if sum(widths) > avail and labels:  # narrow the name columns (they wrap), never the figures
        excess = sum(widths) - avail
        room = sum(widths[j] - mins[j] for j in labels)
        for j in labels:
            widths[j] -= excess * (widths[j] - mins[j]) / room if room else 0
    if sum(widths) > avail:  # still too wide (a template with very many columns): scale everything
        widths = [w * avail / sum(widths) for w in widths]
    spare = avail - sum(widths)
    if spare > 0:  # share the rest: names take twice the part of a figure column
        weights = [2.0 if k == LABEL else 1.0 for k in grid.col_kinds]
        total = sum(weights)
        widths = [w + spare * wt / total for w, wt in zip(widths, weights)]
    return Sized(grid, widths, landscape, *metrics)


_NOTE_SPLIT = re.compile(r"(?<=。)\s*(?=\d+\.)|\s+(?=\d+\.\s)")


#: rows above the header inside the table: the title, and 表号 / 部门 · 年度 · 单位 (repeated with 续表)
TITLE_ROWS = 2


def continued_table_class():  # noqa: ANN201 (a ReportLab class, made when ReportLab is loaded)
    """A table whose parts after a page break print its title with 续表 (the title block is in its
    repeated rows), and whose first part carries its 目录 entry."""
    from reportlab.platypus import Table

    class ContinuedTable(Table):
        toc: tuple[int, str] | None = None
        continued = None  # the title cell of the parts after the first

        def split(self, availWidth, availHeight):  # noqa: ANN001, ANN202, N803 (ReportLab's signature)
            parts = super().split(availWidth, availHeight)
            if len(parts) > 1:
                parts[0].toc, parts[0].continued = self.toc, self.continued
                for part in parts[1:]:
                    part.toc, part.continued = None, self.continued
                    if self.continued is not None:  # a new row: the repeated rows are shared with the whole table
                        part._cellvalues[0] = [self.continued] + list(part._cellvalues[0][1:])
            return parts

    return ContinuedTable


def table_flowables(sized: Sized, wb: Workbook, styles, words: dict[str, str], toc_text: str) -> list:
    """The table with its title block, and its notes, ready for a frame of the sized width. The title,
    表号, 部门, 年度 and 单位 are the table's first rows, repeated (with 续表) on every page it runs over."""
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

    from services.pdf import fonts
    from services.pdf.fonts import HEI, SONG
    from services.pdf.textflow import esc

    grid, t = sized.grid, sized.grid.spec
    size, vpad = sized.size, sized.vpad
    cell = ParagraphStyle("单元格", parent=styles.cell, fontSize=size, leading=sized.leading)
    head = ParagraphStyle("表头格", parent=styles.cell_head, fontSize=size, leading=sized.leading)
    total = sum(sized.widths)
    title = Paragraph(esc(t.title), styles.table_title)
    continued = Paragraph(esc(words["continued"].format(标题=t.title)), styles.table_title)
    number = Paragraph(esc(words["table_number"].format(表号=t.no)), styles.table_info_right)
    info = Table(
        [["", "", number],
         [Paragraph(esc(words["department"]), styles.table_info_left), Paragraph(esc(words["year"]), styles.table_info_center),
          Paragraph(esc(words["unit"]), styles.table_info_right)]],
        colWidths=[total * 0.45, total * 0.2, total * 0.35],
        style=TableStyle([("FONT", (0, 0), (-1, -1), SONG, 10.5), ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                          ("TOPPADDING", (0, 0), (-1, -1), 1), ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                          ("VALIGN", (0, 0), (-1, -1), "BOTTOM")]),
    )
    width = len(sized.widths)
    span_end = {(c0, r0): c1 for c0, r0, c1, _ in grid.spans}
    data: list[list] = [[title] + [""] * (width - 1), [info] + [""] * (width - 1)]
    for r, row in enumerate(grid.rows):
        out = []
        for j, (text, kind) in enumerate(row):
            # a text that fits its cell is drawn as a string: a paragraph per cell (wrapped on every
            # page and pass) was most of the time a long table took; only what must wrap is one
            room = sum(sized.widths[j:span_end.get((j, r), j) + 1]) - 2 * PAD
            if kind == HEAD:
                lines = headwords.lines(text, room, HEI, size)
                if len(lines) > 1:
                    out.append(Paragraph("<br/>".join(esc(x) for x in lines), head))
                else:
                    out.append(text)
            elif kind == LABEL:
                out.append(text if fonts.width(text, SONG, size) <= room - 0.5 else Paragraph(esc(text), cell))
            else:
                out.append(text)
        data.append(out)
    top, heads = TITLE_ROWS, TITLE_ROWS + grid.header_rows
    style = [
        ("FONT", (0, 0), (-1, -1), SONG, size),
        ("SPAN", (0, 0), (-1, 0)),
        ("SPAN", (0, 1), (-1, 1)),
        ("LEFTPADDING", (0, 0), (-1, top - 1), 0),
        ("RIGHTPADDING", (0, 0), (-1, top - 1), 0),
        ("TOPPADDING", (0, 0), (-1, top - 1), 0),
        ("BOTTOMPADDING", (0, 0), (-1, 0), 4),
        ("BOTTOMPADDING", (0, 1), (-1, 1), 0),
        ("GRID", (0, top), (-1, -1), 0.5, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, top), (-1, -1), PAD),
        ("RIGHTPADDING", (0, top), (-1, -1), PAD),
        ("TOPPADDING", (0, top), (-1, -1), vpad),
        ("BOTTOMPADDING", (0, top), (-1, -1), vpad + 0.5),
        ("BACKGROUND", (0, top), (-1, heads - 1), colors.HexColor("#EFEFEF")),
        ("FONT", (0, top), (-1, heads - 1), HEI, size),
        ("ALIGN", (0, top), (-1, heads - 1), "CENTER"),
    ]
    for j, kind in enumerate(grid.col_kinds):
        if kind == NUM:
            style.append(("ALIGN", (j, heads), (j, -1), "RIGHT"))
        elif kind == LINE:
            style.append(("ALIGN", (j, heads), (j, -1), "CENTER"))
    for c0, r0, c1, r1 in grid.spans:
        style.append(("SPAN", (c0, r0 + top), (c1, r1 + top)))
    table = continued_table_class()(data, colWidths=sized.widths, repeatRows=heads, style=TableStyle(style), hAlign="CENTER",
                                       splitInRow=1)  # a row taller than a page (a very long 科目名称) continues on the next one
    table.toc, table.continued = (1, toc_text), continued
    out = [table]
    for part in _NOTE_SPLIT.split(t.note) if t.note else []:
        out.append(Paragraph(esc(part), styles.note))
    if grid.empty:
        out.append(Spacer(1, 4))
        out.append(Paragraph(esc(words["empty_prefix"] + t.empty_note), styles.note))
    return out
