"""The district's roster (应报部门名单): which departments must report, read from the bureau's list.

The bureau keeps its list of departments in Excel or as CSV, one department a row with its code
(部门代码) and name (部门名称). `read_roster` finds the two columns by their headers in the first
rows; `set_roster` makes it the district's roster, all or nothing (the district file is rebuilt
beside itself and moved into place, as a consolidation is). The status
(`services.exchange.status`) then names the departments on the roster with no submission for a
year (未报送). A department on the roster counts as submitted when a submission carries its code,
or, for an entry without a code, its name.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, delete, insert, select

from models.district import DistrictRosterEntry
from services.exchange import district_store
from services.exchange.district_file import DEFAULT_NAME
from services.exchange.target import Target

ROSTER = DistrictRosterEntry.__table__
#: How far down a sheet the header row may be (a title and a note may come first).
_HEADER_ROWS = 10
MAX_NAME_CHARS = 200


@dataclass(frozen=True)
class RosterEntry:
    """A department on the roster (应报部门)."""

    code: str
    name: str

    @property
    def key(self) -> str:
        """The same key as the department's submissions (`Manifest.department_key`)."""
        return self.code or f"名称:{self.name}"


class RosterError(Exception):
    """The roster file cannot be used; ``str()`` says what and where, in Chinese."""


# ── reading the bureau's list ──────────────────────────────────────────────
#: A roster is a list of a district's departments (a few hundred): beyond these it is not one.
MAX_BYTES = 8 * 2**20
MAX_ROWS = 20_000
#: Columns read from each row (the code and name columns are among the first few).
_MAX_COLS = 100
_Rows = list[tuple[int, list[str]]]  # (the row number a clerk sees, its cells)


def _cells_csv(path: Path) -> _Rows:
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):  # Excel on a Chinese Windows saves CSV as GBK
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        out: _Rows = []
        reader = csv.reader(io.StringIO(text, newline=""))
        try:
            for row in reader:
                if len(out) >= MAX_ROWS:
                    raise RosterError(f"名单超过 {MAX_ROWS:,} 行，不是一个区的部门名单")
                out.append((reader.line_num, row[:_MAX_COLS]))
        except csv.Error:  # a field longer than csv's limit (128 KB), a NUL …
            raise RosterError(f"第 {reader.line_num} 行无法读取（单元格过长或含有无效字符）") from None
        return out
    raise RosterError("文件的文字编码无法识别（请另存为 UTF-8 或 GBK 编码的 CSV，或 Excel 文件）")


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():  # a code typed as a number: 101001.0
        return str(int(value))
    return str(value).strip()


def _cells_xlsx(path: Path) -> _Rows:
    """The first sheet's rows, streamed (`xlsx_guard`): measured first, never padded to the
    sheet's declared ``<dimension>`` (which may be stale and hide rows, or claim a million)."""
    from services.xlsx_guard import WorkbookTooLarge, sheet_rows

    out: _Rows = []
    try:
        for r, cells in sheet_rows(path):
            if len(out) >= MAX_ROWS:
                raise RosterError(f"名单超过 {MAX_ROWS:,} 行，不是一个区的部门名单")
            width = min(max(cells), _MAX_COLS)
            out.append((r, [_text(cells.get(c)) for c in range(1, width + 1)]))
    except WorkbookTooLarge as e:
        raise RosterError(f"无法作为 Excel 文件读取：{e}") from None
    return out


def _header(rows: _Rows) -> tuple[int, int, int]:
    """(header row index, code column, name column), found by the headers' words."""
    for i, (_, row) in enumerate(rows[:_HEADER_ROWS]):
        code = next((j for j, v in enumerate(row) if "代码" in v or "编码" in v), None)
        name = next((j for j, v in enumerate(row) if j != code and ("名称" in v or v in ("部门", "单位"))), None)
        if code is not None and name is not None:
            return i, code, name
    raise RosterError("找不到表头：前几行中应有“部门代码”和“部门名称”两列")


def read_roster(path: Path) -> list[RosterEntry]:
    """The departments listed in a CSV or Excel file, in order; `RosterError` says what is wrong."""
    from services.identity import CodeError, department_code, department_name

    path = Path(path)
    if not path.is_file():
        raise RosterError(f"找不到名单文件：{path}" if not path.exists() else f"不是普通文件：{path}")
    if path.stat().st_size > MAX_BYTES:
        raise RosterError(f"名单文件过大（上限 {MAX_BYTES // 2**20} MB），不是一个区的部门名单")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        rows = _cells_csv(path)
    elif suffix in (".xlsx", ".xlsm"):
        rows = _cells_xlsx(path)
    else:
        raise RosterError("名单文件应为 Excel（.xlsx）或 CSV（.csv）文件")
    rows = [(n, [_text(v) for v in row]) for n, row in rows]
    head, code_col, name_col = _header(rows)
    out: list[RosterEntry] = []
    seen: dict[str, int] = {}
    for n, row in rows[head + 1:]:  # n: the row number a clerk sees
        raw_code = row[code_col] if code_col < len(row) else ""
        name = department_name(row[name_col] if name_col < len(row) else "")
        if not raw_code.strip() and not name:
            continue
        try:
            code = department_code(raw_code)
        except CodeError as e:
            raise RosterError(f"第 {n} 行的部门代码{e}") from None
        if not name:
            raise RosterError(f"第 {n} 行有部门代码“{code[:30]}”但没有部门名称")
        if len(name) > MAX_NAME_CHARS:
            raise RosterError(f"第 {n} 行的部门名称过长")
        entry = RosterEntry(code, name)
        if entry.key in seen:
            raise RosterError(f"第 {n} 行的“{name}”与第 {seen[entry.key]} 行重复")
        seen[entry.key] = n
        out.append(entry)
    if not out:
        raise RosterError("名单中没有部门")
    return out


# ── the district's roster ─────────────────────────────────────────────────
def replace(c: Connection, entries: list[RosterEntry]) -> None:
    c.execute(delete(ROSTER))
    c.execute(insert(ROSTER), [{"seq": i, "key": e.key, "code": e.code, "name": e.name}
                               for i, e in enumerate(entries, 1)])


def entries(c: Connection) -> list[RosterEntry]:
    return [RosterEntry(code, name) for code, name in c.execute(select(ROSTER.c.code, ROSTER.c.name).order_by(ROSTER.c.seq))]


def set_roster(district: Target, new: list[RosterEntry], *, name: str | None = None) -> None:
    """Make ``new`` the district's roster (creating the district if there is none), or change
    nothing: one transaction, as a consolidation."""
    with district_store.writing(district, name or DEFAULT_NAME) as tx:
        replace(tx.conn, new)
