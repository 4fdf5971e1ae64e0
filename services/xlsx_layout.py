"""Where the tables are in a workbook, found by their titles, and what is printed around them.

Clerks' workbooks put the nine tables on sheets named anything, in any order, several on one
sheet, moved down or right. What does not change is the printed title ("2020 年度收入支出决算总表
（表 1）"), so a table is found by its title: the block of rows from a title to the next title is
that table. A table number cell (公开01表, 表1) is a fallback for a sheet without a title and a
tie-breaker between templates. The lines around a title give the department, year and unit.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from services.templates import Template
from services.xlsx_cells import SheetGrid, is_number, norm, squeeze

_YEAR_IN_TEXT = re.compile(r"((?:19|20)\d{2})年")
_YEAR_ONLY = re.compile(r"^((?:19|20)\d{2})年度?$")
_YEAR_CAPTION = re.compile(r"((?:19|20)\d{2})年度")  # "2020年度部门决算"; not a date "2021年3月"
_YEAR_PREFIX = re.compile(r"^.*?(?:19|20)\d{2}年度?")
#: a department named before the year in a title: at least four characters, ending like one
_DEPT_IN_TITLE = re.compile(r"^(.{4,40}?(?:局|委员会|委|办公室|办|处|中心|部|院|所|馆|站|队|会|厅|街道办事处|政府|法院|检察院|学校|党校))(?:19|20)\d{2}年")
_ORDINAL = re.compile(r"^(?:[一二三四五六七八九十]+[、.]|\d{1,2}[、.])")
_NO_SUFFIX = re.compile(r"(?:\((?:公开)?表?0?(\d{1,2})表?\)|(?:公开)0?(\d{1,2})表|\(续表?\)|续表)$")
_TABLE_NO = re.compile(r"^\(?(?:公开)?(?:0?(\d{1,2})表|表0?(\d{1,2}))\)?$")
_UNIT = re.compile(r"^(?:金额)?单位:(万元|元|千元)$")
_DEPT = re.compile(r"^\s*(?:编制|填报)?(?:部门|单位)(?:名称)?\s*[:：]\s*(.*)$", re.S)
_DEPT_TAIL = re.compile(r"(?:金额)?单位\s*[:：].*$|(?:19|20)\d{2}\s*年.*$", re.S)
_NOTE = re.compile(r"^(?:注|说明|备注|附注|\(说明|\(注)")
_FORMULA_NOTE = re.compile(r"\d+(?:行|栏)(?:各行)?(?:=|＝)")
#: Endings of a title's prefix that mean the cell is a *different* table ("项目支出决算表" is
#: not 支出决算表); a department name never ends like this.
_TITLE_WORDS = ("项目", "财政拨款", "预算", "经费", "基本", "收入", "支出", "明细", "基金", "经营", "三公", "资金")
MAX_TITLE_PREFIX = 40


def clean_title(text: str) -> tuple[str, int | None]:
    """A title cell without ordinal, year prefix and "（表 1）" suffix, and the number if any."""
    s = _ORDINAL.sub("", norm(text))
    s = _YEAR_PREFIX.sub("", s)
    number = None
    m = _NO_SUFFIX.search(s)
    while m:
        if number is None and (m.group(1) or m.group(2)):
            number = int(m.group(1) or m.group(2))
        s = s[: m.start()]
        m = _NO_SUFFIX.search(s)
    return s, number


def table_number(value: object) -> int | None:
    """The number in a table number cell: 公开01表, 公开 01 表, 表1, （表 1）."""
    if not isinstance(value, str):
        return None
    m = _TABLE_NO.match(norm(value))
    return int(m.group(1) or m.group(2)) if m else None


@dataclass(frozen=True)
class TitleMatch:
    no: str  # the table number in the template
    length: int  # how much of the title matched: longer is more specific
    primary: bool  # the template's own title, not an alias


def match_title(text: str, template: Template) -> TitleMatch | None:
    """The table of ``template`` whose title (or alias) the cleaned title text ends with.

    The longest title wins: 财政拨款收入支出决算总表 also ends with 收入支出决算总表.
    """
    best: TitleMatch | None = None
    for spec in template.tables.values():
        for i, name in enumerate([spec.title, *spec.aliases]):
            n = norm(name)
            if text != n:
                if not text.endswith(n) or len(text) - len(n) > MAX_TITLE_PREFIX:
                    continue
                if text[: -len(n)].endswith(_TITLE_WORDS):
                    continue
            m = TitleMatch(spec.no, len(n), i == 0)
            if best is None or (m.length, m.primary) > (best.length, best.primary):
                best = m
    return best


@dataclass
class Block:
    """The rows of one sheet that hold one table: from its title row to the next title."""

    grid: SheetGrid
    title_row: int
    end_row: int  # exclusive
    title: str  # cleaned title text ('' when found by its number only)
    title_col: int = 1
    number: int | None = None  # a printed table number (公开07表) near the title
    #: found by its sheet's first line, not by a known title: maybe no 公开 table at all
    untitled: bool = False

    @property
    def sheet(self) -> str:
        return self.grid.name


def _title_like(value: object, templates: Iterable[Template]) -> tuple[str, int | None] | None:
    if not isinstance(value, str) or len(value) > 120:
        return None
    text, number = clean_title(value)
    if not text.endswith("表"):  # every title ends with 表: a cheap first filter
        return None
    if any(match_title(text, t) for t in templates):
        return text, number
    return None


def find_blocks(grids: list[SheetGrid], templates: list[Template]) -> list[Block]:
    """Every titled table block in the workbook, and sheets recognised by a number only."""
    blocks: list[Block] = []
    for grid in grids:
        anchors: list[tuple[int, int, str, int | None]] = []
        for r, row in sorted(grid.rows.items()):
            for c, v in sorted(row.items()):
                found = _title_like(v, templates)
                if found:
                    anchors.append((r, c, *found))
                    break  # one title per row: tables side by side are not supported
        anchors = _merge_repeated(grid, anchors)
        for i, (r, c, text, number) in enumerate(anchors):
            end = anchors[i + 1][0] if i + 1 < len(anchors) else grid.max_row + 1
            blocks.append(Block(grid, r, end, text, c, number or _number_near(grid, r)))
        if not anchors:
            block = _numbered_block(grid) or _untitled_block(grid)
            if block is not None:
                blocks.append(block)
    return blocks


def _numbered_block(grid: SheetGrid) -> Block | None:
    for r in sorted(grid.rows)[:8]:
        numbers = [n for v in grid.row(r).values() if (n := table_number(v))]
        if numbers:
            return Block(grid, r, grid.max_row + 1, "", 1, numbers[0])
    return None


def _untitled_block(grid: SheetGrid) -> Block | None:
    """A sheet of figures whose title names no known table ("表二 …情况表"): one block under its
    first line of text, for the importer to identify by its columns."""
    if not _has_numbers(grid, 1, grid.max_row + 1):
        return None
    for r in sorted(grid.rows)[:5]:
        texts = grid.text_cells(r)
        if len(texts) == 1 and len(grid.row(r)) == 1 and meta_kind(texts[0][1]) is None:
            c, text = texts[0]
            return Block(grid, r, grid.max_row + 1, clean_title(text)[0], c, None, untitled=True)
    return None


def _merge_repeated(grid: SheetGrid, anchors: list) -> list:
    """A heading "一、收入支出决算总表" right above the title itself is one table, not two."""
    out: list = []
    for a in anchors:
        if out and out[-1][2] == a[2] and not _has_numbers(grid, out[-1][0] + 1, a[0]):
            number = a[3] or out[-1][3]
            out[-1] = (a[0], a[1], a[2], number)
        else:
            out.append(a)
    return out


def _has_numbers(grid: SheetGrid, start: int, end: int) -> bool:
    return any(is_number(v) for r in range(start, end) for v in grid.row(r).values())


def _number_near(grid: SheetGrid, title_row: int) -> int | None:
    for r in range(max(1, title_row - 2), title_row + 5):
        for v in grid.row(r).values():
            n = table_number(v)
            if n:
                return n
    return None


# ── what is printed around a title ─────────────────────────────────────────
@dataclass
class Meta:
    """Department, years and unit printed around one table's title."""

    departments: list[str] = field(default_factory=list)
    years: list[int] = field(default_factory=list)
    unit: str = ""  # 万元 | 元 | 千元 | '' (not printed)


def meta_kind(value: object) -> tuple[str, object] | None:
    """("unit", "元"), ("dept", name), ("no", 1), ("year", 2020) or None for other text.

    A year is a cell of its own ("2023 年度") or a short caption ("2020年度部门决算").
    """
    if not isinstance(value, str):
        return None
    s = norm(value)
    m = _UNIT.match(s)
    if m:
        return "unit", m.group(1)
    m = _DEPT.match(value)
    if m:
        return "dept", squeeze(_DEPT_TAIL.sub("", m.group(1)))
    n = table_number(value)
    if n:
        return "no", n
    m = _YEAR_ONLY.match(s) or (_YEAR_CAPTION.search(s) if len(s) <= 40 and not _NOTE.match(s) else None)
    if m:
        return "year", int(m.group(1))
    return None


def is_meta_row(row: dict[int, object], title: str = "") -> bool:
    """A row of only table number / department / unit / year cells (or the title again)."""
    kinds = [meta_kind(v) for v in row.values()]
    if any(k and k[0] == "dept" for k in kinds):
        return True  # "部门：" may be followed by the name in the next cell
    for v, k in zip(row.values(), kinds):
        if k is None and not (title and isinstance(v, str) and clean_title(v)[0] == title):
            return False
    return True


def is_note_row(row: dict[int, object]) -> bool:
    """注：…, 说明：…, "故本表无数据", or a printed formula ("27 行 = (1+…+8) 行")."""
    first = row[min(row)]
    if not isinstance(first, str):
        return False
    s = norm(first)
    return bool(_NOTE.match(s)) or "本表无数据" in s or bool(_FORMULA_NOTE.search(s))


def read_meta(block: Block, first_in_sheet: bool) -> Meta:
    """Department, years and unit from the title and the lines around it."""
    meta = Meta()
    title_cell = block.grid.value(block.title_row, block.title_col)
    for y in _YEAR_IN_TEXT.findall(norm(title_cell)) if isinstance(title_cell, str) else ():
        meta.years.append(int(y))
    if isinstance(title_cell, str) and (m := _DEPT_IN_TITLE.match(squeeze(title_cell))):
        meta.departments.append(m.group(1))  # "上海市普陀区财政局2024年度收入决算表"
    start = 1 if first_in_sheet else max(1, block.title_row - 2)
    for r in range(start, min(block.title_row + 8, block.end_row)):
        row = block.grid.row(r)
        cells = sorted(row.items())
        for i, (_, v) in enumerate(cells):
            k = meta_kind(v)
            if k is None:
                continue
            kind, payload = k
            if kind == "dept":
                name = payload or _next_text(cells, i)
                if name:
                    meta.departments.append(str(name))
            elif kind == "year":
                meta.years.append(int(payload))  # type: ignore[call-overload]
            elif kind == "unit" and not meta.unit:
                meta.unit = str(payload)
    return meta


def _next_text(cells: list[tuple[int, object]], i: int) -> str:
    for _, v in cells[i + 1 :]:
        if isinstance(v, str) and meta_kind(v) is None:
            return squeeze(v)
    return ""
