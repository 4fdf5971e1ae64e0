"""Reading one table block (the rows under a title) against the template's table.

Under the title come meta lines, the header rows (1–3 rows, cells merged or split, text broken
by line breaks), an optional 栏次 row "1 2 3 …", data rows and notes. Columns are recognised by
the 栏次 number first, then by header text against the template's label, group and aliases.
Sections split a row into independent parts: the income and expenditure halves of 01/04 and the
three side-by-side groups of 06; `xlsx_rows` then matches each section row to a template row.

Nothing here changes a `Workbook`: `read_table` returns what it found (`TableRead`) so that the
caller can choose between two copies of a table and apply one result as a whole.
"""

from __future__ import annotations

from services.printed import column_path
from services.templates import ColumnSpec, TableSpec
from services.xlsx_cells import (
    ELLIPSIS,
    SheetGrid,
    as_code,
    as_int,
    col_letter,
    header_key,
    is_number,
    label_key,
    norm,
    ref,
    squeeze,
)
from services.xlsx_layout import Block, is_meta_row, is_note_row
from services.xlsx_rows import RowRead, Section, TableRead, Unplaced, place_coded, place_fixed

__all__ = ["read_table"]

MAX_HEADER_ROWS = 6
#: Scale from the printed unit to 万元, as a power of ten (exact with Decimal.scaleb).
UNIT_EXPONENT = {"万元": 0, "": 0, "千元": -1, "元": -4}


def read_table(block: Block, spec: TableSpec, unit: str = "") -> TableRead:
    """The codes and figures of one block read as table ``spec``; ``unit`` is the printed unit."""
    out = TableRead(spec.no, block)
    grid = block.grid
    hs = _header_start(block)
    if hs is None:
        return out
    out.body = True
    header_rows, lanci_row, data_start = _header_rows(block, spec, hs)
    left, right = _extent(grid, hs, block.end_row)
    paths, lanci = _header_paths(grid, header_rows, lanci_row, left, right)
    amap = _match_columns(spec, paths, lanci, out)
    out.columns = len(set(amap.values()))
    out.missing = [n for n in spec.column_nos if n not in amap.values()]
    if not amap and _has_data(grid, data_start, block.end_row):
        out.notes.append(f"{out.where} 公开{spec.no}表：没有认出表头中的金额栏，这张表的数字未导入")
    roles = {c: _role(p) for c, p in paths.items()}
    sections = _sections(spec, amap, left, right)
    recs = _records(block, spec, data_start, sections, roles, out)
    _line_columns_by_values(recs)
    scale = UNIT_EXPONENT.get(unit, 0)
    if spec.coded:
        place_coded(spec, recs, out, scale)
    else:
        place_fixed(spec, recs, out, scale)
    return out


# ── rows of the block ──────────────────────────────────────────────────────
def _header_start(block: Block) -> int | None:
    for r in range(block.title_row + 1, block.end_row):
        row = block.grid.row(r)
        if row and not is_meta_row(row, block.title):
            return r
    return None


_CODE_PARTS = ("类", "款", "项")


def _is_lanci_row(row: dict[int, object]) -> bool:
    """The 栏次 row: "栏次" and/or the numbers 1, 2, 3 … left to right."""
    texts = [norm(v) for v in row.values() if as_int(v) is None]
    if "栏次" in texts:
        return True
    nums = [n for _, v in sorted(row.items()) if (n := as_int(v)) is not None]
    # 1, 2, 3 … in any order: a template may print its 栏次 out of order (上海 三公: 1 7 2 8 …)
    return len(nums) >= 2 and sorted(nums) == list(range(1, len(nums) + 1)) and all(t in _CODE_PARTS for t in texts)


def _looks_like_data(row: dict[int, object], spec: TableSpec) -> bool:
    if any(is_number(v) or as_code(v) for v in row.values()):
        return True
    first = row[min(row)]
    if not isinstance(first, str):
        return False
    key = label_key(first)
    if key != norm(first) or ELLIPSIS.match(norm(first)):  # "一、…" and "七、……" are row labels
        return True
    return any(key == label_key(r.label) for r in spec.rows + spec.total_rows if r.label)


def _is_code_parts_row(row: dict[int, object]) -> bool:
    """The header line naming the code columns 类 | 款 | 项 (or 类 | 款 in table 06)."""
    return sum(1 for v in row.values() if isinstance(v, str) and norm(v) in _CODE_PARTS) >= 2


def _column_words(spec: TableSpec) -> set[str]:
    return {w for col in spec.columns for w in (*_names(col), *_parts(col))}


def _headers_beside_data(row: dict[int, object], spec: TableSpec) -> bool:
    """A line that is both: figures, and two or more column headers to their right (上海 08/09
    print "合计 … 105.00 | 合计 | 基本支出 | 项目支出", the sub-headers of 本年支出 on the 合计 row)."""
    nums = [c for c, v in row.items() if is_number(v)]
    if not nums:
        return False
    words = _column_words(spec)
    heads = [c for c, v in row.items() if isinstance(v, str) and not is_number(v) and header_key(v) in words and c > min(row)]
    return len(heads) >= 2


def _header_rows(block: Block, spec: TableSpec, hs: int) -> tuple[list[int], int | None, int]:
    """Header rows, the 栏次 row (if printed) and the first data row.

    The line that names 类 | 款 | 项 is the last header row; Shanghai prints the 合计 row on it
    ("类 款 项 合计 2,946.25 …"), so that line is then also the first data row.
    """
    rows: list[int] = []
    r = hs
    while r < block.end_row and len(rows) < MAX_HEADER_ROWS:
        row = block.grid.row(r)
        if row:
            if _is_lanci_row(row):
                return rows, r, r + 1
            if _headers_beside_data(row, spec):
                rows.append(r)
                return rows, None, r
            if _is_code_parts_row(row):
                rows.append(r)
                carries = any(is_number(v) for v in row.values()) or any(
                    isinstance(v, str) and norm(v) not in _CODE_PARTS for v in row.values()
                )
                return (rows, None, r) if carries else (rows, None, r + 1)
            if _looks_like_data(row, spec) or is_note_row(row):
                return rows, None, r
            rows.append(r)
        r += 1
    return rows, None, r


def _extent(grid: SheetGrid, start: int, end: int) -> tuple[int, int]:
    cols = [c for r in range(start, end) for c in grid.row(r)]
    return (min(cols), max(cols)) if cols else (1, 1)


def _has_data(grid: SheetGrid, start: int, end: int) -> bool:
    return any(is_number(v) for r in range(start, end) for v in grid.row(r).values())


# ── columns ────────────────────────────────────────────────────────────────
def _header_paths(
    grid: SheetGrid, rows: list[int], lanci_row: int | None, left: int, right: int
) -> tuple[dict[int, list[str]], dict[int, int]]:
    """Each column's header texts top to bottom, and its 栏次 number.

    A group header ("本年支出", "收入") is printed once, in its first column, merged or not; it
    belongs to the columns to its right up to the next header cell, but never beyond the span of
    the group above it (so "公务接待费" does not inherit "公务用车运行费").
    """
    above: dict[int, tuple[str, ...]] = {c: () for c in range(left, right + 1)}
    for r in rows:
        cur: dict[int, str] = {}
        for c in range(left, right + 1):
            v = grid.shown(r, c)
            # a figure on a header line (the 合计 row printed on the 类|款|项 line) is no header
            text = header_key(v) if v is not None and not is_number(v) else ""
            if text:
                cur[c] = text
            elif c - 1 in cur and above[c] == above[c - 1]:
                cur[c] = cur[c - 1]
        for c in above:
            above[c] = above[c] + (cur.get(c, ""),)
    paths: dict[int, list[str]] = {}
    for c, texts in above.items():
        path: list[str] = []
        for t in texts:
            if t and (not path or path[-1] != t):
                path.append(t)
        paths[c] = path
    lanci: dict[int, int] = {}
    if lanci_row is not None:
        for c, v in grid.row(lanci_row).items():
            n = as_int(v)
            if n is not None:
                lanci[c] = n
            elif left <= c <= right and norm(v) != "栏次":
                paths[c] = paths[c] + [norm(v)]  # 类 / 款 / 项 printed in the 栏次 row
    return paths, lanci


def _parts(col: ColumnSpec) -> list[str]:
    """The header texts printed above a column's own label (its side, its groups), as the
    printed-table model prints them."""
    parts = [col.side] if col.side else []
    return parts + [header_key(p) for p in column_path(col)[:-1]]


def _names(col: ColumnSpec) -> set[str]:
    return {header_key(col.label), *(header_key(a) for a in col.aliases)}


_GENERIC_LEAVES = {"决算数", "金额", "本年数", "本年决算数"}


def _match_columns(spec: TableSpec, paths: dict[int, list[str]], lanci: dict[int, int], out: TableRead) -> dict[int, int]:
    """Sheet column → template 栏次: by the 栏次 row, then by header text."""
    repeat = bool(spec.groups) and len(spec.columns) == 1  # 06: 决算数 in each column group
    amap: dict[int, int] = {}
    for c, n in sorted(lanci.items()):
        if n in spec.column_nos and (repeat or n not in amap.values()):
            amap[c] = n
            leaf = paths[c][-1] if paths.get(c) else ""
            col = spec.column(n)
            if leaf and leaf not in _names(col) and any(leaf in _names(o) for o in spec.columns):
                out.notes.append(
                    f"{out.block.sheet} {col_letter(c)}列（公开{spec.no}表）：表头“{leaf}”与栏次{n}"
                    f"（{col.label}）不一致，已按栏次导入"
                )
    vocab = {p for col in spec.columns for p in _parts(col)}
    pairs = []
    for c, path in paths.items():
        if c in amap or c in lanci or not path:
            continue
        # "决算数" printed under every amount header (上海 2025) is a unit of the column, not its
        # name — unless the template names its columns so (01 金额/决算数, 三公 预算数/决算数)
        tries = [path]
        if path[-1] in _GENERIC_LEAVES and len(path) > 1:
            tries.append(path[:-1])
        for k, p in enumerate(tries):
            for col in spec.columns:
                if p[-1] not in _names(col):
                    continue
                mine = set(_parts(col))
                score = 10 - 5 * k + 3 * sum(x in p for x in mine) - 20 * sum(x in p for x in vocab - mine)
                if score > 0:
                    pairs.append((-score, c, col.no))
    for _, c, no in sorted(pairs):
        if c not in amap and (repeat or no not in amap.values()):
            amap[c] = no
    return amap


def _role(path: list[str]) -> str:
    """What a non-amount column holds: code (or its 款/项 parts), name, label or 行次."""
    leaf = path[-1] if path else ""
    if leaf == "款":
        return "kuan"
    if leaf == "项":
        return "xiang"
    if leaf == "类" or any("编码" in p or "代码" in p for p in path):
        return "code"
    if leaf == "行次":
        return "line"
    if any("名称" in p for p in path):
        return "name"
    if leaf in ("项目", "项目名称", "科目"):
        return "label"
    return ""


def _sections(spec: TableSpec, amap: dict[int, int], left: int, right: int) -> list[Section]:
    if spec.layout == "two_sides":
        sides: dict[str, list[int]] = {}
        for c, n in amap.items():
            sides.setdefault(spec.column(n).side, []).append(c)
        inc, exp = sides.get("收入", []), sides.get("支出", [])
        if inc and exp and max(inc) < min(exp):
            cut = max(inc)
            return [
                Section(left, cut, "收入", {c: amap[c] for c in inc}),
                Section(cut + 1, right, "支出", {c: amap[c] for c in exp}),
            ]
    if spec.groups and len(amap) > 1:
        cols = sorted(amap)
        bounds = [left] + [c + 1 for c in cols[:-1]]
        ends = [c for c in cols[:-1]] + [right]
        return [Section(b, e, "", {c: amap[c]}) for b, e, c in zip(bounds, ends, cols)]
    return [Section(left, right, "", dict(amap))]


# ── data rows ──────────────────────────────────────────────────────────────
def _records(
    block: Block, spec: TableSpec, start: int, sections: list[Section], roles: dict[int, str], out: TableRead
) -> list[RowRead]:
    grid = block.grid
    recs: list[RowRead] = []
    words = _column_words(spec)
    lei = ""  # the last 类 printed, for rows that print only 款 / 项 parts
    r = start
    while r < block.end_row:
        row = grid.row(r)
        if not row:
            r += 1
            continue
        if is_note_row(row):
            _after_notes(block, r + 1, spec, out)
            break
        if is_meta_row(row, block.title):
            r += 1
            continue
        for sec in sections:
            cells = {c: v for c, v in row.items() if sec.first <= c <= sec.last}
            if not cells:
                continue
            rec = RowRead(r, sec)
            lei = _read_keys(rec, cells, roles, lei, words)
            recs.append(rec)
        r += 1
    return recs


def _read_keys(rec: RowRead, cells: dict[int, object], roles: dict[int, str], lei: str, words: set[str]) -> str:
    sec = rec.section
    parts: dict[str, str] = {}
    texts: list[str] = []
    for c, v in sorted(cells.items()):
        if c in sec.amounts:
            if isinstance(v, str) and header_key(v) in words and not is_number(v):
                rec.headed.append(c)  # a column header printed on a data line: no figure there
                continue
            rec.amounts[c] = v
            continue
        role = roles.get(c, "")
        if role in ("code", "kuan", "xiang") and isinstance(v, str) and norm(v) in _CODE_PARTS:
            continue  # the words 类 / 款 / 项 of the header line that also carries 合计
        if role in ("kuan", "xiang") and (n := as_int(v)) is not None and n < 100:
            parts[role] = f"{n:02d}"
            continue
        if role == "line" and as_int(v) is not None:
            rec.line = as_int(v)
            continue
        code = as_code(v) if c < sec.key_end and role != "line" else None
        if code and not rec.code:
            rec.code, rest = code
            if rest:
                texts.append(rest)
            continue
        if isinstance(v, str) and not is_number(v):
            if role == "name" and not rec.name:
                rec.name = squeeze(v)
            texts.append(v)
            continue
        if is_number(v) and as_int(v) is not None and c < sec.key_end and rec.line is None and not roles.get(c):
            rec.line = as_int(v)  # an unlabelled 行次 column; checked in _line_columns_by_values
            rec.stray.append((c, v))
            continue
        rec.stray.append((c, v))
    if rec.code and len(rec.code) == 3:
        lei = rec.code
    if parts and len(rec.code) in (0, 3):
        base = rec.code or lei
        if base:
            rec.code = base + parts.get("kuan", "") + (parts.get("xiang", "") if "kuan" in parts else "")
    if texts:
        rec.label = texts[0]
        if not rec.name:
            rec.name = squeeze(texts[0])
    return lei


def _line_columns_by_values(recs: list[RowRead]) -> None:
    """A column without a 行次 header whose cells are all small whole numbers is the 行次."""
    by_col: dict[int, list[RowRead]] = {}
    for rec in recs:
        for c, v in rec.stray:
            if as_int(v) is not None and rec.line == as_int(v):
                by_col.setdefault(c, []).append(rec)
    for c, rs in by_col.items():
        numeric = [v for rec in recs for cc, v in rec.stray if cc == c]
        if all(as_int(v) is not None and 0 < as_int(v) <= 200 for v in numeric):  # type: ignore[operator]
            for rec in rs:
                rec.stray = [(cc, v) for cc, v in rec.stray if cc != c]
        else:
            for rec in rs:
                rec.line = None


def _after_notes(block: Block, start: int, spec: TableSpec, out: TableRead) -> None:
    for r in range(start, block.end_row):
        for c, v in sorted(block.grid.row(r).items()):
            if is_number(v) and not isinstance(v, str):
                out.unplaced.append(
                    Unplaced(block.sheet, ref(r, c), v, f"位于公开{spec.no}表的注释下方，无法确定属于哪一行", spec.no)
                )


