"""Blocks of cells as Excel and WPS put them on the clipboard: tab-separated lines.

Excel writes a block as lines of tab-separated cells ending in CRLF, quoting a cell that holds a
tab, a newline or a quote (``"a""b"``); amounts arrive as shown (``1,717.31``, ``-3.00``, blank).
No Qt here: the view reads and writes the clipboard's text, these functions only shape it.
"""

from __future__ import annotations

import csv
import io


def parse_tsv(text: str) -> list[list[str]]:
    """A pasted block as rows of cell texts; the line end Excel adds after the last row is dropped."""
    if not text:
        return []
    if '"' not in text:
        lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        return [line.split("\t") for line in lines]
    rows = list(csv.reader(io.StringIO(text, newline=""), dialect="excel-tab"))
    return [r if r else [""] for r in rows]


def to_tsv(grid: list[list[str]]) -> str:
    """A block for Excel: tab-separated, CRLF line ends, cells with tabs/newlines/quotes quoted."""
    def cell(s: str) -> str:
        return '"' + s.replace('"', '""') + '"' if any(ch in s for ch in '\t\n\r"') else s

    return "".join("\t".join(cell(s) for s in row) + "\r\n" for row in grid)
