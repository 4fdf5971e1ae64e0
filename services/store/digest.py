"""校验值: a running checksum of each year of a department file, kept with every write.

SQLite's ``integrity_check`` proves the file's structure (B-trees, indexes), not its content: a
figure whose bytes were changed in place, or a page of rows replaced by an older copy of itself,
passes it. So each year's content has a checksum in ``meta`` (key ``校验值:YEAR``): the sum,
modulo 2⁶⁴, of a 64-bit BLAKE2b hash of every row of the year (figures, 上年数, coded rows,
texts, 出错说明, the template), each hash naming what the row is and where it belongs. A sum can be kept
up to date by each edit from the rows it replaces and the rows it writes (no edit reads the
whole year), and `load` recomputes it from what it read: any row changed, moved, lost or added
behind the program's back changes the sum.

A district file keeps none (its 汇总 is written by the consolidation's own statements; its
integrity is the consolidation's). They are part of the format from schema v4: the upgrade gives
an older file's years theirs, and a year of a v4 department file without one is refused.
"""

from __future__ import annotations

from collections.abc import Iterable
from hashlib import blake2b

MASK = (1 << 64) - 1
PREFIX = "校验值:"


#: the department's name and code are the file's, one for all years: their own checksum
DEPARTMENT_KEY = f"{PREFIX}部门"


def key(year: int) -> str:
    return f"{PREFIX}{year}"


def department(name: str, code: str) -> str:
    return as_text(_h("department", name, code))


def _h(*parts: str) -> int:
    data = "\x1f".join(parts).encode("utf-8", "surrogatepass")
    return int.from_bytes(blake2b(data, digest_size=8).digest(), "big")


def value(kind: str, table: str, row: str, col: int, amount: str) -> int:
    """One figure (``kind`` "cell" or "prior"), its amount as stored (canonical text)."""
    return _h(kind, table, row, str(col), amount)


def coded(table: str, code: str, name: str) -> int:
    return _h("row", table, code, name)


def text(text_key: str, body: str) -> int:
    return _h("text", text_key, body)


def note(key: tuple[str, str, str, str], body: str) -> int:
    """An 出错说明, by its finding's key (rule, table, row, column)."""
    return _h("note", *key, body)


def template(template_id: str) -> int:
    return _h("template", template_id)


def total(hashes: Iterable[int]) -> int:
    return sum(hashes) & MASK


def of_rows(template_id: str, cells: Iterable[tuple[str, str, int, str]], priors: Iterable[tuple[str, str, int, str]],
            rows: Iterable[tuple[str, str, str]], texts: Iterable[tuple[str, str]],
            notes: Iterable[tuple[tuple[str, str, str, str], str]] = ()) -> int:
    """The checksum of a year from its rows as stored (amounts as canonical text)."""
    return total([template(template_id),
                  *(value("cell", *c) for c in cells), *(value("prior", *p) for p in priors),
                  *(coded(*r) for r in rows), *(text(*t) for t in texts), *(note(*n) for n in notes)])


def as_text(digest: int) -> str:
    return f"{digest:016x}"
