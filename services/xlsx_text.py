"""Text written to Excel is a value, never a formula (单元格文本不执行).

A department's name, a coded row's name, a roster name or a file name comes from a machine the
bureau does not control; written as it is, ``=HYPERLINK(…)`` or ``=cmd|' /C calc'!A0`` becomes a
live formula in the bureau's Excel. Every text cell of an export goes through `put`/`append`:
control characters Excel refuses are removed, and a text that Excel would read as a formula
(leading ``=``, ``+``, ``-``, ``@``) is stored as a string with Excel's own quote prefix — what a
clerk gets typing ``'=1+1`` — so it shows as typed and stays text when the cell is edited.
"""

from __future__ import annotations

import re
from typing import Any

#: What Excel (and LibreOffice, and a CSV opened in either) takes as the start of a formula.
FORMULA_LEAD = ("=", "+", "-", "@")
#: Characters an .xlsx cannot hold (openpyxl's ILLEGAL_CHARACTERS_RE, without importing openpyxl)
_ILLEGAL = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]|[\x7f-\x9f]|[\u202a-\u202e\u2066-\u2069\ufffe\uffff]")


def clean(text: str) -> str:
    """The text without characters an .xlsx cannot hold or that reorder what is shown (bidi)."""
    return _ILLEGAL.sub("", text)


def is_formula_like(text: str) -> bool:
    return text.lstrip().startswith(FORMULA_LEAD)


def _as_text(cell: Any) -> None:
    value = cell.value
    if isinstance(value, str):
        value = clean(value)
        cell.value = value  # openpyxl types a leading '=' as a formula: make it a string again
        if is_formula_like(value):
            cell.data_type = "s"
            cell.quotePrefix = True


def put(ws: Any, row: int, column: int, value: object) -> Any:
    """``ws.cell(row, column, value)``, a text stored as a value."""
    cell = ws.cell(row, column)
    cell.value = clean(value) if isinstance(value, str) else value
    _as_text(cell)
    return cell


def append(ws: Any, values: list[object]) -> None:
    """``ws.append(values)``, every text stored as a value."""
    ws.append([clean(v) if isinstance(v, str) else v for v in values])
    if values:
        for cell in ws[ws.max_row]:
            _as_text(cell)
