"""Measuring a workbook before anything loads it (工作簿体量检查).

openpyxl builds an object for every cell it reads and for every cell a merge covers, and walks
the whole rectangle up to the farthest cell; a 17 KB file can so ask for gigabytes. `measure`
reads the zip's directory and streams every XML part once through expat (flat memory, stopping
at the first limit passed), counting what loading would build — cells, rows, merged cells,
elements — without trusting the ``<dimension>`` a sheet declares; `check` refuses beyond what a
real department's workbook holds (`LIMITS`, stated in the README), with one line of Chinese.
An XML part that declares a DTD is refused too: Office never writes one, and entities are how
an XML bomb or an external fetch is built.

`sheet_rows` streams the cells of one sheet the same way, for readers that need only values
(the bureau's roster): rows as they are, never padded to a declared size.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from os import PathLike
from pathlib import Path
from xml.parsers import expat

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"


@dataclass(frozen=True)
class Limits:
    """What a department's workbook may hold. A real 决算公开 workbook has a dozen sheets and a
    few thousand cells (a 600-项 department about 30,000); the limits leave a wide margin and
    stay far below what costs an office PC (4–8 GB) real memory or a second of time."""

    parts: int = 2_000  # files inside the zip
    part_bytes: int = 64 * 2**20  # one part, uncompressed
    total_bytes: int = 256 * 2**20  # all parts, uncompressed
    cells: int = 300_000  # <c> elements in all sheets
    rows: int = 200_000  # <row> elements in all sheets
    merges: int = 20_000  # <mergeCell> elements
    merged_cells: int = 300_000  # cells covered by merges (openpyxl makes one object each)
    elements: int = 3_000_000  # XML elements in all parts (styles, strings, drawings …)


LIMITS = Limits()


class WorkbookTooLarge(ValueError):
    """The workbook passes a limit or is built to harm; ``str()`` is one line of Chinese."""


@dataclass
class Measure:
    cells: int = 0
    rows: int = 0
    merges: int = 0
    merged_cells: int = 0
    elements: int = 0
    uncompressed: int = 0
    #: formula cells saved without their result (part, cell), the first 20: data_only reads
    #: them as blank, so the import lists them instead of dropping them silently
    uncached: list[tuple[str, str]] = field(default_factory=list)
    #: worksheet part → sheet name
    sheets: dict[str, str] = field(default_factory=dict)


_REF = re.compile(r"([A-Za-z]{1,3})?(\d{1,7})?")


def _col(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def _area(ref: str) -> int:
    """Cells covered by a merge "A1:C3" (a malformed one counts as a whole sheet)."""
    a, _, b = ref.partition(":")
    m1, m2 = _REF.fullmatch(a.strip()), _REF.fullmatch((b or a).strip())
    if not m1 or not m2:
        return 1 << 34
    c1, r1 = _col(m1.group(1) or "A"), int(m1.group(2) or 1)
    c2, r2 = _col(m2.group(1) or "XFD"), int(m2.group(2) or 1048576)
    return (abs(c2 - c1) + 1) * (abs(r2 - r1) + 1)


#: How a damaged zip fails inside zipfile and zlib (a bad CRC, a bad block, a missing part …).
_DAMAGED = (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, NotImplementedError, KeyError,
            RuntimeError)  # RuntimeError: an encrypted part


def _parser(on_start=None, on_end=None, on_text=None) -> expat.XMLParserType:  # noqa: ANN001
    p = expat.ParserCreate(namespace_separator=" ")

    def doctype(*_: object) -> None:
        raise WorkbookTooLarge("文件中含有 XML 文档类型定义（DTD），不是 Excel 保存的文件，可能有害，未读取")

    p.StartDoctypeDeclHandler = doctype
    p.EntityDeclHandler = doctype
    if on_start:
        p.StartElementHandler = on_start
    if on_end:
        p.EndElementHandler = on_end
    if on_text:
        p.CharacterDataHandler = on_text
    p.buffer_text = True
    return p


def _feed(z: zipfile.ZipFile, info: zipfile.ZipInfo, parser: expat.XMLParserType) -> None:
    with z.open(info) as f:
        while chunk := f.read(1 << 16):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)


def _open_zip(path: Path) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except _DAMAGED as e:  # a damaged directory fails as any of them ("zip file version 6.4")
        raise WorkbookTooLarge(f"不是有效的 Excel（.xlsx）文件，或文件已损坏（{type(e).__name__}）") from None


def measure(path: str | PathLike[str], limits: Limits = LIMITS) -> Measure:
    """What loading the workbook would build; `WorkbookTooLarge` at the first limit passed."""
    with _open_zip(Path(path)) as z:
        return _measure(z, limits)


def _measure(z: zipfile.ZipFile, limits: Limits) -> Measure:
    infos = z.infolist()
    if len(infos) > limits.parts:
        raise WorkbookTooLarge(f"文件内含 {len(infos):,} 个部件，超过上限 {limits.parts:,}，不是正常的决算公开表")
    m = Measure()
    for info in infos:
        # zipfile never returns more than the declared size (it fails the CRC instead), so
        # the declared sizes bound what openpyxl can be made to read.
        if info.file_size > limits.part_bytes:
            raise WorkbookTooLarge(f"文件中的“{info.filename[:60]}”解压后有 {info.file_size / 2**20:,.0f} MB，"
                                   f"超过上限 {limits.part_bytes // 2**20} MB，不是正常的决算公开表")
        m.uncompressed += info.file_size
    if m.uncompressed > limits.total_bytes:
        raise WorkbookTooLarge(f"文件解压后共 {m.uncompressed / 2**20:,.0f} MB，超过上限 {limits.total_bytes // 2**20} MB，"
                               "不是正常的决算公开表")
    for info in infos:
        name = info.filename.lower()
        if info.is_dir() or not name.endswith((".xml", ".rels", ".vml")):
            continue
        _measure_part(z, info, m, limits)
    if m.uncached:
        try:
            m.sheets = _sheet_names(z)
        except (*_DAMAGED, expat.ExpatError, WorkbookTooLarge):
            pass
    return m


def _measure_part(z: zipfile.ZipFile, info: zipfile.ZipInfo, m: Measure, limits: Limits) -> None:
    cell, row, merge = f"{_MAIN} c", f"{_MAIN} row", f"{_MAIN} mergeCell"
    formula, value = f"{_MAIN} f", f"{_MAIN} v"
    # the cell being read: its ref, whether it has a formula, whether it has a cached value
    now: dict[str, object] = {"ref": "", "f": False, "v": False, "in_v": False}

    def end(tag: str) -> None:
        if tag == value:
            now["in_v"] = False
        elif tag == cell and now["f"] and not now["v"] and len(m.uncached) < 20:
            m.uncached.append((info.filename, str(now["ref"])))

    def text(data: str) -> None:
        if now["in_v"] and data.strip():  # openpyxl writes <v/> for a formula it never computed
            now["v"] = True

    def start(tag: str, attrs: dict[str, str]) -> None:
        m.elements += 1
        if tag == formula:
            now["f"] = True
        elif tag == value:
            now["in_v"] = True
        elif tag == cell:
            now.update(ref=attrs.get("r", ""), f=False, v=False, in_v=False)
            m.cells += 1
            if m.cells > limits.cells:
                raise WorkbookTooLarge(f"工作表中的单元格超过 {limits.cells:,} 个（含空单元格），远多于一份决算公开表，"
                                       "未读取；请删去多余的行列后再试")
        elif tag == row:
            m.rows += 1
            if m.rows > limits.rows:
                raise WorkbookTooLarge(f"工作表的行数超过 {limits.rows:,} 行，远多于一份决算公开表，未读取")
        elif tag == merge:
            m.merges += 1
            ref = attrs.get("ref", "")
            m.merged_cells += _area(ref)
            if m.merges > limits.merges:
                raise WorkbookTooLarge(f"合并单元格超过 {limits.merges:,} 处，远多于一份决算公开表，未读取")
            if m.merged_cells > limits.merged_cells:
                raise WorkbookTooLarge(f"合并单元格“{ref[:30]}”等覆盖了超过 {limits.merged_cells:,} 个单元格"
                                       "（如整张表合并），未读取；请在 Excel 中取消这样的合并后再试")
        if m.elements > limits.elements:
            raise WorkbookTooLarge(f"文件内容过于庞大（超过 {limits.elements:,} 个元素），不是正常的决算公开表，未读取")

    try:
        _feed(z, info, _parser(start, end, text))
    except expat.ExpatError:
        # malformed XML: the reader proper says so (it names the file as damaged)
        return
    except WorkbookTooLarge:
        raise
    except _DAMAGED as e:
        raise WorkbookTooLarge(f"文件已损坏，无法解压（{type(e).__name__}）") from None


# ── streaming the values of one sheet ──────────────────────────────────────
def _shared_strings(z: zipfile.ZipFile, target: str | None) -> list[str]:
    names = {i.filename: i for i in z.infolist()}
    info = names.get(target or "xl/sharedStrings.xml")
    if info is None:
        return []
    out: list[str] = []
    parts: list[str] = []
    depth = {"t": 0, "rph": 0}
    si, t, rph = f"{_MAIN} si", f"{_MAIN} t", f"{_MAIN} rPh"

    def start(tag: str, attrs: dict[str, str]) -> None:
        if tag == t:
            depth["t"] += 1
        elif tag == rph:  # phonetic runs are not the text
            depth["rph"] += 1

    def end(tag: str) -> None:
        if tag == t:
            depth["t"] -= 1
        elif tag == rph:
            depth["rph"] -= 1
        elif tag == si:
            out.append("".join(parts))
            parts.clear()

    def text(s: str) -> None:
        if depth["t"] and not depth["rph"]:
            parts.append(s)

    _feed(z, info, _parser(start, end, text))
    return out


def _rels(z: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """Relationship id → (type's last word, target part) of a part."""
    folder, base = posixpath.split(part)
    name = posixpath.join(folder, "_rels", base + ".rels")
    out: dict[str, tuple[str, str]] = {}
    try:
        info = z.getinfo(name)
    except KeyError:
        return out

    def start(tag: str, attrs: dict[str, str]) -> None:
        if tag == f"{_PKG_REL} Relationship":
            target = attrs.get("Target", "")
            full = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
            out[attrs.get("Id", "")] = (attrs.get("Type", "").rsplit("/", 1)[-1], full)

    _feed(z, info, _parser(start))
    return out


def _sheet_names(z: zipfile.ZipFile) -> dict[str, str]:
    """Worksheet part → the sheet's name, from workbook.xml and its rels."""
    book = next((t for k, t in _rels(z, "").values() if k == "officeDocument"), "xl/workbook.xml")
    rels = _rels(z, book)
    out: dict[str, str] = {}

    def start(tag: str, attrs: dict[str, str]) -> None:
        if tag == f"{_MAIN} sheet":
            kind, target = rels.get(attrs.get(f"{_REL} id", ""), ("", ""))
            if kind == "worksheet":
                out[target] = attrs.get("name", "")

    _feed(z, z.getinfo(book), _parser(start))
    return out


def _first_sheet(z: zipfile.ZipFile) -> tuple[str, str | None]:
    """(the first worksheet's part, the shared strings' part) from workbook.xml and its rels."""
    book = "xl/workbook.xml"
    for kind, target in _rels(z, "").values():
        if kind == "officeDocument":
            book = target
    rels = _rels(z, book)
    sheets: list[str] = []

    def start(tag: str, attrs: dict[str, str]) -> None:
        if tag == f"{_MAIN} sheet":
            sheets.append(attrs.get(f"{_REL} id", ""))

    _feed(z, z.getinfo(book), _parser(start))
    strings = next((t for k, t in rels.values() if k == "sharedStrings"), None)
    for rid in sheets:
        kind, target = rels.get(rid, ("", ""))
        if kind == "worksheet":
            return target, strings
    raise WorkbookTooLarge("文件中没有工作表")


def sheet_rows(path: str | PathLike[str], limits: Limits = LIMITS) -> Iterator[tuple[int, dict[int, object]]]:
    """(row number, {column: value}) of the first worksheet's non-empty cells, in file order,
    after `measure`. Values: str, int, Decimal or bool; a formula's cached value; errors as text."""
    with _open_zip(Path(path)) as z:
        _measure(z, limits)
        try:
            part, strings_part = _first_sheet(z)
            strings = _shared_strings(z, strings_part)
            rows: list[tuple[int, dict[int, object]]] = []
            _read_sheet(z, z.getinfo(part), strings, rows)
        except WorkbookTooLarge:
            raise
        except (*_DAMAGED, expat.ExpatError, IndexError) as e:
            raise WorkbookTooLarge(f"文件已损坏或不是有效的 Excel 文件（{type(e).__name__}）") from None
    yield from rows


def _read_sheet(z: zipfile.ZipFile, info: zipfile.ZipInfo, strings: list[str],
                rows: list[tuple[int, dict[int, object]]]) -> None:
    c_tag, v_tag, t_tag, row_tag = f"{_MAIN} c", f"{_MAIN} v", f"{_MAIN} t", f"{_MAIN} row"
    state: dict[str, object] = {"r": 0, "c": 0, "type": "", "text": None}
    cur: dict[int, object] = {}
    buf: list[str] = []

    def start(tag: str, attrs: dict[str, str]) -> None:
        if tag == row_tag:
            r = attrs.get("r", "")
            state["r"] = int(r) if r.isascii() and r.isdigit() else int(state["r"]) + 1  # type: ignore[call-overload]
            state["c"] = 0
        elif tag == c_tag:
            ref = attrs.get("r", "")
            mm = _REF.fullmatch(ref) if ref else None
            state["c"] = _col(mm.group(1)) if mm and mm.group(1) else int(state["c"]) + 1  # type: ignore[call-overload]
            state["type"], state["text"] = attrs.get("t", "n"), None
        elif tag in (v_tag, t_tag):
            buf.clear()

    def end(tag: str) -> None:
        if tag in (v_tag, t_tag):
            state["text"] = (state["text"] or "") + "".join(buf)  # type: ignore[operator]
            buf.clear()
        elif tag == c_tag:
            value = _value(str(state["type"]), state["text"], strings)  # type: ignore[arg-type]
            if value is not None and value != "":
                cur[int(state["c"])] = value  # type: ignore[call-overload]
        elif tag == row_tag:
            if cur:
                rows.append((int(state["r"]), dict(cur)))  # type: ignore[call-overload]
                cur.clear()

    _feed(z, info, _parser(start, end, buf.append))


def _value(kind: str, text: str | None, strings: list[str]) -> object:
    if text is None:
        return None
    if kind == "s":
        i = int(text) if text.strip().isdigit() else -1
        return strings[i] if 0 <= i < len(strings) else None
    if kind in ("str", "inlineStr", "e"):
        return text
    if kind == "b":
        return text.strip() == "1"
    try:  # a number as Decimal (exact, as money is); a whole one as int: a code typed as a number
        d = Decimal(text.strip())
    except InvalidOperation:
        return text
    if not d.is_finite():
        return text
    return int(d) if d == d.to_integral_value() and abs(d) < 10**30 else d
