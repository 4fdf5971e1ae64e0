"""The nine tables as printed (决算表): grids from the template, then ReportLab tables.

`table_grid` lays out one 公开 table of a workbook as a grid of text cells with spans, following
the template: header rows from the columns' ``group`` paths (预算数/公务用车购置及运行维护费/小计),
the 栏次 row, then the rows — fixed rows with 行次, the two sides of 01/04 side by side (rows
paired by position), 合计 + classification rows for coded tables, table 06's three
(编码, 名称, 决算数) groups. It knows nothing of ReportLab, so tests can read it.

`table_flowables` turns a grid into the title block, the table (header rows repeated on every
page, long names wrapped inside their cell, column widths measured so that no figure overflows)
and the notes; `orientation` says whether it needs a landscape page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import zip_longest

from services.money import format_wan
from services.templates import ColumnSpec, RowSpec, TableSpec
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


def _money(wb: Workbook, table: str, row: str, col: int) -> str:
    v: Decimal | None = wb.get(Cell(table, row, col))
    return format_wan(v if v is not None else Decimal(0))


def _header(paths: list[list[str]], depth: int, c0: int, rows: list[list[tuple[str, str]]], spans: list) -> None:
    """Header cells for data columns with group paths, over ``depth`` rows, starting at column c0."""
    for level in range(depth):
        j = 0
        while j < len(paths):
            path = paths[j]
            if level < len(path) - 1:  # a group cell: merge the neighbours sharing this prefix
                k = j
                while k + 1 < len(paths) and len(paths[k + 1]) - 1 > level and paths[k + 1][: level + 1] == path[: level + 1]:
                    k += 1
                rows[level][c0 + j] = (path[level], HEAD)
                if k > j:
                    spans.append((c0 + j, level, c0 + k, level))
                j = k + 1
                continue
            if level == len(path) - 1:  # the column's own label, down to the last header row
                rows[level][c0 + j] = (path[level], HEAD)
                if depth - 1 > level:
                    spans.append((c0 + j, level, c0 + j, depth - 1))
            j += 1


def _blank_rows(n: int, width: int) -> list[list[tuple[str, str]]]:
    return [[("", BLANK)] * width for _ in range(n)]


def _paths(cols: list[ColumnSpec]) -> list[list[str]]:
    return [([g for g in c.group.split("/") if g] if c.group else []) + [c.label] for c in cols]


def _coded(wb: Workbook, t: TableSpec) -> Grid:
    paths = _paths(t.columns)
    depth = max(2, max(len(p) for p in paths))
    width = 2 + len(t.columns)
    rows = _blank_rows(depth + 1, width)
    spans: list = []
    rows[0][0] = ("项目", HEAD)
    if depth > 1:
        spans.append((0, 0, 1, depth - 2))
    rows[depth - 1][0], rows[depth - 1][1] = ("科目代码", HEAD), ("科目名称", HEAD)
    _header(paths, depth, 2, rows, spans)
    rows[depth] = [("栏次", HEAD), ("", HEAD)] + [(str(c.no), HEAD) for c in t.columns]
    spans.append((0, depth, 1, depth))
    for r in t.total_rows:
        rows.append([(r.label, LABEL), ("", BLANK)] + [(_money(wb, t.no, r.key or "", c.no), NUM) for c in t.columns])
        spans.append((0, len(rows) - 1, 1, len(rows) - 1))
    for code in wb.codes(t.no):
        name = wb.row_label(t.no, code)
        rows.append([(code, CODE), (name, LABEL)] + [(_money(wb, t.no, code, c.no), NUM) for c in t.columns])
    return Grid(t, rows, [CODE, LABEL] + [NUM] * len(t.columns), depth + 1, spans)


def _label(r: RowSpec) -> str:
    return "\u3000" * r.indent + r.label


def _two_sides(wb: Workbook, t: TableSpec) -> Grid:
    sides = sorted({c.side for c in t.columns if c.side}, key=lambda s: [c.side for c in t.columns].index(s))
    cols = {s: [c for c in t.columns if c.side == s] for s in sides}
    rows_by = {s: [r for r in t.rows if r.side == s] for s in sides}
    width = sum(2 + len(cols[s]) for s in sides)
    rows = _blank_rows(3, width)
    spans: list = []
    kinds: list[str] = []
    c0 = 0
    for s in sides:
        n = 2 + len(cols[s])
        rows[0][c0] = (s, HEAD)
        spans.append((c0, 0, c0 + n - 1, 0))
        rows[1][c0], rows[1][c0 + 1] = ("项目", HEAD), ("行次", HEAD)
        rows[2][c0], rows[2][c0 + 1] = ("栏次", HEAD), ("", HEAD)
        for j, c in enumerate(cols[s]):
            rows[1][c0 + 2 + j] = (c.label, HEAD)
            rows[2][c0 + 2 + j] = (str(c.no), HEAD)
        kinds += [LABEL, LINE] + [NUM] * len(cols[s])
        c0 += n
    for pair in zip_longest(*(rows_by[s] for s in sides)):
        line: list[tuple[str, str]] = []
        for s, r in zip(sides, pair):
            if r is None:
                line += [("", BLANK)] * (2 + len(cols[s]))
                continue
            line += [(_label(r), LABEL), (str(r.line) if r.line else "", LINE)]
            for c in cols[s]:
                line.append((_money(wb, t.no, r.key, c.no), NUM) if r.key else ("", BLANK))
        rows.append(line)
    return Grid(t, rows, kinds, 3, spans)


def _fixed(wb: Workbook, t: TableSpec) -> Grid:
    paths = _paths(t.columns)
    depth = max(len(p) for p in paths)
    lead = 0 if len(t.rows) == 1 and t.rows[0].line is None else 2
    width = lead + len(t.columns)
    rows = _blank_rows(depth + 1, width)
    spans: list = []
    if lead:
        rows[0][0], rows[0][1] = ("项目", HEAD), ("行次", HEAD)
        if depth > 1:
            spans += [(0, 0, 0, depth - 1), (1, 0, 1, depth - 1)]
        rows[depth][0], rows[depth][1] = ("栏次", HEAD), ("", HEAD)
    _header(paths, depth, lead, rows, spans)
    for j, c in enumerate(t.columns):
        rows[depth][lead + j] = (str(c.no), HEAD)
    for r in t.rows:
        head = [(_label(r), LABEL), (str(r.line) if r.line else "", LINE)] if lead else []
        cells = [(_money(wb, t.no, r.key, c.no), NUM) if r.key else ("", BLANK) for c in t.columns]
        rows.append(head + cells)
    return Grid(t, rows, ([LABEL, LINE] if lead else []) + [NUM] * len(t.columns), depth + 1, spans)


def _three_groups(wb: Workbook, t: TableSpec) -> Grid:
    groups = t.groups
    titles = t.group_titles or [""] * len(groups)
    width = 3 * len(groups)
    rows = _blank_rows(2, width)
    spans: list = []
    # group titles: neighbours with the same title share one header cell (人员经费 | 公用经费)
    runs: list[tuple[str, int, int]] = []
    for g, title in enumerate(titles):
        if runs and runs[-1][0] == title:
            runs[-1] = (title, runs[-1][1], g)
        else:
            runs.append((title, g, g))
    for title, g0, g1 in runs:
        rows[0][3 * g0] = (title, HEAD)
        spans.append((3 * g0, 0, 3 * g1 + 2, 0))
    for g in range(len(groups)):
        rows[1][3 * g: 3 * g + 3] = [("科目代码", HEAD), ("科目名称", HEAD), ("决算数", HEAD)]
    codes = wb.codes(t.no)
    columns = [[c for c in codes if c[:3] in group] for group in groups]
    col = t.columns[0].no
    for line in zip_longest(*columns):
        row: list[tuple[str, str]] = []
        for code in line:
            if code is None:
                row += [("", BLANK)] * 3
            else:
                row += [(code, CODE), (wb.row_label(t.no, code), LABEL), (_money(wb, t.no, code, col), NUM)]
        rows.append(row)
    # totals: one per title run (人员经费合计 under 人员经费, 公用经费合计 under 公用经费)
    total = [("", BLANK)] * width
    r = len(rows)
    for (title, g0, g1), spec in zip(runs, t.total_rows):
        total[3 * g0] = (spec.label, LABEL)
        total[3 * g1 + 2] = (_money(wb, t.no, spec.key or "", col), NUM)
        spans.append((3 * g0, r, 3 * g1 + 1, r))
    rows.append(total)
    return Grid(t, rows, [CODE, LABEL, NUM] * len(groups), 2, spans)


def table_grid(wb: Workbook, table: str) -> Grid:
    """One table of the workbook as printed."""
    t = wb.table(table)
    if t.layout == "three_groups":
        grid = _three_groups(wb, t)
    elif t.layout == "two_sides":
        grid = _two_sides(wb, t)
    elif t.coded:
        grid = _coded(wb, t)
    else:
        grid = _fixed(wb, t)
    grid.empty = bool(t.empty_note) and wb.is_empty(table)
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


def table_flowables(sized: Sized, wb: Workbook, styles, words: dict[str, str], toc_text: str) -> list:
    """Title block, table and notes of one table, ready for a frame of the sized width."""
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

    from services.pdf.fonts import HEI, SONG
    from services.pdf.textflow import TocParagraph, esc

    grid, t = sized.grid, sized.grid.spec
    size, vpad = sized.size, sized.vpad
    cell = ParagraphStyle("单元格", parent=styles.cell, fontSize=size, leading=sized.leading)
    head = ParagraphStyle("表头格", parent=styles.cell_head, fontSize=size, leading=sized.leading)
    total = sum(sized.widths)
    title = TocParagraph(esc(t.title), styles.table_title, toc=(1, toc_text))
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
    data = []
    for i, row in enumerate(grid.rows):
        out = []
        for j, (text, kind) in enumerate(row):
            if kind == HEAD:
                out.append(Paragraph(esc(text), head) if text else "")
            elif kind == LABEL:
                out.append(Paragraph(esc(text), cell))
            else:
                out.append(text)
        data.append(out)
    style = [
        ("FONT", (0, 0), (-1, -1), SONG, size),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), PAD),
        ("RIGHTPADDING", (0, 0), (-1, -1), PAD),
        ("TOPPADDING", (0, 0), (-1, -1), vpad),
        ("BOTTOMPADDING", (0, 0), (-1, -1), vpad + 0.5),
        ("BACKGROUND", (0, 0), (-1, grid.header_rows - 1), colors.HexColor("#EFEFEF")),
        ("FONT", (0, 0), (-1, grid.header_rows - 1), HEI, size),
        ("ALIGN", (0, 0), (-1, grid.header_rows - 1), "CENTER"),
    ]
    for j, kind in enumerate(grid.col_kinds):
        if kind == NUM:
            style.append(("ALIGN", (j, grid.header_rows), (j, -1), "RIGHT"))
        elif kind == LINE:
            style.append(("ALIGN", (j, grid.header_rows), (j, -1), "CENTER"))
    for c0, r0, c1, r1 in grid.spans:
        style.append(("SPAN", (c0, r0), (c1, r1)))
    table = Table(data, colWidths=sized.widths, repeatRows=grid.header_rows, style=TableStyle(style), hAlign="CENTER")
    out = [title, info, table]
    for part in _NOTE_SPLIT.split(t.note) if t.note else []:
        out.append(Paragraph(esc(part), styles.note))
    if grid.empty:
        out.append(Spacer(1, 4))
        out.append(Paragraph(esc(words["empty_prefix"] + t.empty_note), styles.note))
    return out
