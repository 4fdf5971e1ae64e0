"""What a spreadsheet cell says, read the way the published tables write it.

Real workbooks write the same thing many ways: "本年收 入合计" with a line break, "公开 01 表",
"（表 1）", “三公” with curly or straight quotes, codes stored as 2010301.0, 行次 as text. The
importer compares *normalised* text (`norm`) and asks small questions of a value (`as_code`,
`as_int`, `as_amount`) so that layout code never deals with spelling. `SheetGrid` holds one sheet's
non-empty cells (openpyxl's own objects are slow to walk) and knows which cells a merge covers.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

from services.money import AmountError, parse_amount

_WS = re.compile(r"\s+")
_QUOTES = str.maketrans("", "", "“”‘’\"'「」『』")
_ORDINAL = re.compile(r"^(?:[一二三四五六七八九十百零〇]+[、.]|\([一二三四五六七八九十\d]+\)|\d{1,2}[、.](?!\d))")
_KIND_SUFFIX = re.compile(r"\((?:类|款|项)\)$")
_UNIT_SUFFIX = re.compile(r"\((?:万元|元|千元)\)$")
_CODE_TEXT = re.compile(r"^(\d{3}|\d{5}|\d{7})(?:\.0+)?(?:\s+|(?=[^\d.,．，])|$)(.*)$", re.S)
_INT_TEXT = re.compile(r"^\d{1,3}(?:\.0+)?$")  # a 行次 typed or stored as text: "9", "9.00"
ELLIPSIS = re.compile(r"^(?:[一二三四五六七八九十]+、)?(?:\.{2,}|…+|⋯+)$")


@lru_cache(maxsize=8192, typed=True)  # the same labels and headers recur in every table and file
def norm(value: object) -> str:
    """Text for comparison: NFKC (full-width → ASCII), no whitespace at all, no quotes."""
    if value is None:
        return ""
    s = unicodedata.normalize("NFKC", str(value))
    return _WS.sub("", s).translate(_QUOTES)


@lru_cache(maxsize=4096, typed=True)
def label_key(value: object) -> str:
    """A row label for comparison: normalised, without "十九、" or "（类）"."""
    s = _ORDINAL.sub("", norm(value))
    return _KIND_SUFFIX.sub("", s)


def header_key(value: object) -> str:
    """A column header for comparison: normalised, without a "（万元）" suffix."""
    return _UNIT_SUFFIX.sub("", norm(value))


def squeeze(text: str) -> str:
    """A name as printed, with the line breaks and spaces of a narrow cell removed."""
    return _WS.sub("", text)


def as_code(value: object) -> tuple[str, str] | None:
    """A classification code (3/5/7 digits) and any name after it ("2010308 信访事务")."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        s = str(value)
        return (s, "") if len(s) in (3, 5, 7) and value > 0 else None
    if isinstance(value, float):
        if not value.is_integer() or value <= 0:
            return None
        s = str(int(value))
        return (s, "") if len(s) in (3, 5, 7) else None
    if isinstance(value, str):
        m = _CODE_TEXT.match(value.strip())  # \d also matches full-width digits
        if m:  # the name keeps its printed characters (（室）, not (室))
            from services.identity import ascii_digits  # ٢٠١ is the code 201, as １２３ is 123

            return ascii_digits(unicodedata.normalize("NFKC", m.group(1))), squeeze(m.group(2))
    return None


def as_int(value: object) -> int | None:
    """A small whole number such as a 行次 or 栏次 (stored as 7, 7.0 or "7")."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        s = norm(value)
        if _INT_TEXT.match(s):
            return int(s.split(".")[0])
    return None


def as_amount(value: object) -> Decimal | None:
    """The amount a cell holds, or None when it is blank or not an amount at all."""
    try:
        return parse_amount(value)
    except AmountError:
        return None


def is_number(value: object) -> bool:
    """Whether a cell holds a figure (a number, or text that reads as one)."""
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float, Decimal)):
        return True
    return isinstance(value, str) and as_amount(value) is not None


@dataclass
class SheetGrid:
    """One worksheet's non-empty cells by (row, column), 1-based like Excel."""

    name: str
    rows: dict[int, dict[int, object]] = field(default_factory=dict)
    #: cell covered by a merge → the merge's top-left cell
    merged: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict)

    @classmethod
    def from_worksheet(cls, ws) -> SheetGrid:  # ws: openpyxl Worksheet (imported lazily)
        grid = cls(ws.title)
        # The cells the file holds, not the rectangle up to the farthest one: iter_rows would
        # walk 17 billion positions for one stray cell at XFD1048576 (openpyxl keeps the cells
        # it read in ``_cells``; ``iter_rows`` is the fallback should that ever change).
        cells = getattr(ws, "_cells", None)
        if isinstance(cells, dict):
            for (r, c), cell in sorted(cells.items()):
                v = cell.value
                if v is None or (isinstance(v, str) and not v.strip()):
                    continue
                grid.rows.setdefault(r, {})[c] = v
        else:
            for r, values in enumerate(ws.iter_rows(values_only=True), start=1):
                row = {c: v for c, v in enumerate(values, start=1)
                       if not (v is None or (isinstance(v, str) and not v.strip()))}
                if row:
                    grid.rows[r] = row
        for rng in ws.merged_cells.ranges:
            # A merge as wide as a whole column would be millions of cells; such merges are
            # formatting, not headers, and are left alone.
            if (rng.max_row - rng.min_row + 1) * (rng.max_col - rng.min_col + 1) > 5000:
                continue
            top = (rng.min_row, rng.min_col)
            for r in range(rng.min_row, rng.max_row + 1):
                for c in range(rng.min_col, rng.max_col + 1):
                    if (r, c) != top:
                        grid.merged[(r, c)] = top
        return grid

    @property
    def max_row(self) -> int:
        return max(self.rows, default=0)

    def value(self, r: int, c: int) -> object:
        """What the cell itself holds (a cell covered by a merge holds nothing)."""
        return self.rows.get(r, {}).get(c)

    def shown(self, r: int, c: int) -> object:
        """What the cell shows: a cell covered by a merge shows the merge's value."""
        v = self.value(r, c)
        if v is None and (r, c) in self.merged:
            tr, tc = self.merged[(r, c)]
            v = self.value(tr, tc)
        return v

    def row(self, r: int) -> dict[int, object]:
        return self.rows.get(r, {})

    def text_cells(self, r: int) -> list[tuple[int, str]]:
        return [(c, v) for c, v in sorted(self.row(r).items()) if isinstance(v, str)]


def col_letter(c: int) -> str:
    """3 → "C" (openpyxl's get_column_letter, without importing openpyxl at start-up)."""
    s = ""
    while c:
        c, rem = divmod(c - 1, 26)
        s = chr(65 + rem) + s
    return s


def ref(r: int, c: int) -> str:
    return f"{col_letter(c)}{r}"
