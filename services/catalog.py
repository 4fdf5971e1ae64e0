"""Classification catalogs (政府收支分类科目): code → name, per classification and year.

Coded tables (02/03/05/08/09 by 功能分类科目, 06 by 部门预算支出经济分类科目) need the official
name of every code and its parent (类/款/项). No machine-readable official catalog exists, so the
product ships its own: plain CSV files ``code,name`` in ``resources/catalogs/``, one per
classification and year range, named ``功能分类_2020.csv`` / ``经济分类_2023.csv``. A file
applies from its year until the next file of the same classification; a province's Excel
catalog can be read with `import_province_catalog` and saved as a new file with `save_catalog`.

Names the clerk typed or imported take precedence over the catalog's: this module only answers
"what is the official name"; the caller (e.g. `Workbook.row_label`) decides which name wins.
openpyxl is imported only inside the importer: start-up must not pay for it.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from services.workbook import code_level, parent_code

CATALOG_DIR = Path(__file__).resolve().parent.parent / "resources" / "catalogs"

#: accepted spellings of the two classifications → canonical short form
_CLASSIFICATIONS = {"功能": "功能", "功能分类": "功能", "经济": "经济", "经济分类": "经济"}
_FILE_RE = re.compile(r"^(功能|经济)分类_(\d{4})\.csv$")
_LEVELS_ALLOWED = {"功能": (3, 5, 7), "经济": (3, 5)}


class CatalogError(ValueError):
    """A catalog that cannot be used at all; the message (Chinese) names the file and why."""


# ── codes ──────────────────────────────────────────────────────────────────
def _is_code(code: str) -> bool:
    return isinstance(code, str) and code.isascii() and code.isdigit() and len(code) in (3, 5, 7)


def level_of(code: str) -> str:
    """类 / 款 / 项 for a 3/5/7-digit code; '' for anything else (letters, 4 digits …)."""
    return code_level(code) if _is_code(code) else ""


def parent_of(code: str) -> str | None:
    """The parent code: 2010308 → 20103 → 201 → None (None for an invalid code)."""
    return parent_code(code) if _is_code(code) else None


def _canonical(classification: str) -> str | None:
    return _CLASSIFICATIONS.get((classification or "").strip())


def _norm_text(text: str) -> str:
    """For comparing and searching: full-width → half-width (NFKC), no whitespace."""
    return "".join(unicodedata.normalize("NFKC", text).split())


# ── entries and catalogs ───────────────────────────────────────────────────
@dataclass(frozen=True)
class CatalogEntry:
    """One 科目: its code and name; the level (类/款/项) follows from the code's length."""

    code: str
    name: str

    @property
    def level(self) -> str:
        return level_of(self.code)

    @property
    def parent_code(self) -> str | None:
        return parent_of(self.code)


class Catalog:
    """One classification (功能 or 经济) as it applies to one range of years (科目表)."""

    def __init__(self, classification: str, year: int, entries: Iterable[CatalogEntry], path: Path | None = None):
        self.classification = classification
        self.year = year  # the first year this catalog applies to
        self.path = path
        self._entries: dict[str, CatalogEntry] = {e.code: e for e in sorted(entries, key=lambda e: e.code)}
        self._search_keys = {c: _norm_text(e.name) for c, e in self._entries.items()}

    def __repr__(self) -> str:
        return f"<Catalog {self.classification}分类 {self.year} ({len(self)} 个科目)>"

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[CatalogEntry]:
        """All entries in code order, which is also tree order (类, its 款, their 项, next 类 …)."""
        return iter(self._entries.values())

    def __contains__(self, code: object) -> bool:
        return code in self._entries

    def get(self, code: str) -> CatalogEntry | None:
        return self._entries.get((code or "").strip())

    def name(self, code: str) -> str | None:
        entry = self.get(code)
        return entry.name if entry else None

    def parent(self, code: str) -> CatalogEntry | None:
        p = parent_of((code or "").strip())
        return self._entries.get(p) if p else None

    def children(self, code: str | None = None) -> list[CatalogEntry]:
        """The direct children of a code (款 of a 类, 项 of a 款); with no code, all 类."""
        if not code:
            return [e for e in self._entries.values() if len(e.code) == 3]
        code = code.strip()
        return [e for e in self._entries.values() if e.code.startswith(code) and len(e.code) == len(code) + 2]

    def lineage(self, code: str) -> list[CatalogEntry]:
        """The chain 类 → 款 → 项 ending at the code (only the parts present in the catalog)."""
        chain: list[CatalogEntry] = []
        c: str | None = (code or "").strip()
        while c:
            if c in self._entries:
                chain.append(self._entries[c])
            c = parent_of(c)
        return chain[::-1]

    def search(self, text: str, limit: int | None = None) -> list[CatalogEntry]:
        """For a searchable picker: each word of ``text`` must match, a number as a code prefix,
        anything else as part of the name (full/half-width and spaces ignored). Code order."""
        words = unicodedata.normalize("NFKC", text or "").split()
        found = []
        for code, entry in self._entries.items():
            key = self._search_keys[code]
            if all(code.startswith(w) if w.isdigit() else w in key for w in words):
                found.append(entry)
                if limit is not None and len(found) >= limit:
                    break
        return found


# ── the bundled files ──────────────────────────────────────────────────────
def catalog_file_name(classification: str, year: int) -> str:
    """The file name a catalog for this classification starting in this year must have."""
    kind = _canonical(classification)
    if kind is None:
        raise CatalogError(f"未知的分类“{classification}”，应为“功能”或“经济”。")
    return f"{kind}分类_{int(year)}.csv"


def catalog_files(classification: str, directory: Path | None = None) -> dict[int, Path]:
    """year → file for one classification, in ``directory`` (default: the bundled catalogs)."""
    kind = _canonical(classification)
    if kind is None:
        raise CatalogError(f"未知的分类“{classification}”，应为“功能”或“经济”。")
    folder = Path(directory) if directory is not None else CATALOG_DIR
    files: dict[int, Path] = {}
    if folder.is_dir():
        for p in folder.iterdir():
            m = _FILE_RE.match(p.name)
            if m and m.group(1) == kind:
                files[int(m.group(2))] = p
    return dict(sorted(files.items()))


def load_catalog_file(path: Path, classification: str | None = None, year: int | None = None) -> Catalog:
    """Read one ``code,name`` CSV (UTF-8, a BOM is tolerated). A broken file raises CatalogError."""
    path = Path(path)
    m = _FILE_RE.match(path.name)
    kind = _canonical(classification) if classification else (m.group(1) if m else "")
    if year is None:
        year = int(m.group(2)) if m else 0
    try:
        with open(path, encoding="utf-8-sig", newline="") as f:
            rows = list(csv.reader(f))
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogError(f"无法读取科目表“{path.name}”：{exc}") from exc
    if not rows or [c.strip().lower() for c in rows[0][:2]] != ["code", "name"]:
        raise CatalogError(f"科目表“{path.name}”的第一行应为表头“code,name”。")
    entries: dict[str, CatalogEntry] = {}
    for line_no, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        code = row[0].strip()
        name = row[1].strip() if len(row) > 1 else ""
        if not _is_code(code) or (kind and len(code) not in _LEVELS_ALLOWED[kind]):
            raise CatalogError(f"科目表“{path.name}”第{line_no}行：编码“{code}”不是有效的科目编码。")
        if not name:
            raise CatalogError(f"科目表“{path.name}”第{line_no}行：编码{code}没有名称。")
        if code in entries and entries[code].name != name:
            raise CatalogError(f"科目表“{path.name}”第{line_no}行：编码{code}重复且名称不同。")
        entries[code] = CatalogEntry(code, name)
    return Catalog(kind, year, entries.values(), path)


@cache
def _catalog_for_file(path: Path, kind: str, year: int) -> Catalog:
    return load_catalog_file(path, kind, year)


def catalog(classification: str, year: int) -> Catalog:
    """The catalog that applies to ``year``: the newest file whose year ≤ ``year`` (for a year
    before every file, the oldest). Raises CatalogError for an unknown classification or when
    no catalog file is installed (an installation problem, not a data problem)."""
    kind = _canonical(classification)
    if kind is None:
        raise CatalogError(f"未知的分类“{classification}”，应为“功能”或“经济”。")
    files = _bundled_files(kind)
    if not files:
        raise CatalogError(f"没有找到{kind}分类的科目表（{CATALOG_DIR}）。")
    chosen = min(files)
    for y in files:
        if y <= year:
            chosen = y
    return _catalog_for_file(files[chosen], kind, chosen)


@cache
def _bundled_files(kind: str) -> dict[int, Path]:
    return catalog_files(kind)


def clear_cache() -> None:
    """Forget loaded catalogs, e.g. after `save_catalog` added a file to ``resources/catalogs``."""
    _bundled_files.cache_clear()
    _catalog_for_file.cache_clear()


def name_for(classification: str, code: str, year: int) -> str | None:
    """The catalog's name for a code in that year, or None (unknown code or classification).
    A name the clerk typed or imported wins over this one; that choice is the caller's."""
    if _canonical(classification) is None or not isinstance(code, str):
        return None
    return catalog(classification, year).name(code)


# ── importing a province's Excel catalog ───────────────────────────────────
@dataclass(frozen=True)
class ImportProblem:
    """Something wrong in an imported file: where (sheet, row) and what, in Chinese."""

    sheet: str
    row: int | None
    message: str

    def __str__(self) -> str:
        where = f"工作表“{self.sheet}”" + (f"第{self.row}行" if self.row else "")
        return f"{where}：{self.message}"


@dataclass
class ImportedCatalog:
    """The result of reading a province catalog: usable entries plus the problems found.

    ``entries`` holds the file's valid codes and, where the file lacks a parent that the bundled
    catalog has, that parent (its code is listed in ``borrowed``), so that saving the entries
    gives a self-contained catalog. Codes whose parent exists nowhere are left out and reported.
    """

    classification: str
    path: Path
    sheets: list[str] = field(default_factory=list)
    entries: list[CatalogEntry] = field(default_factory=list)
    problems: list[ImportProblem] = field(default_factory=list)
    borrowed: list[str] = field(default_factory=list)

    @property
    def messages(self) -> list[str]:
        return [str(p) for p in self.problems]

    def as_catalog(self, year: int) -> Catalog:
        return Catalog(self.classification, year, self.entries, None)


_CODE_HEADERS = ("科目编码", "编码", "代码")
_NAME_HEADERS = ("科目名称", "名称")
_SKIP_NAMES = ("合计", "总计")
_NOTE_PREFIXES = ("注", "说明", "备注")
_HEADER_SCAN_ROWS = 30
_LEADING_JUNK = re.compile(r"^(?:其中[:：]|[一二三四五六七八九十]+、|[-—─├└│|·•]+)+")


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _norm_code(value: object) -> str:
    """201.0 → '201'; ' 201 03 08 ' → '2010308'; full-width digits → ASCII."""
    text = _norm_text(_cell_text(value))
    m = re.fullmatch(r"(\d+)\.0*", text)
    return m.group(1) if m else text


def _norm_name(value: object) -> str:
    """Strip indentation, enumeration (一、) and a leading “其中：”; drop inner spaces."""
    text = "".join(_cell_text(value).split())
    text = _LEADING_JUNK.sub("", text)
    return text


def _find_header(rows: list[tuple]) -> tuple[int, int, int] | None:
    """(header row index, code column, name column) from the header texts, or None."""
    for i, row in enumerate(rows[:_HEADER_SCAN_ROWS]):
        texts = [_norm_text(_cell_text(v)) for v in row]
        code_col = next((j for j, t in enumerate(texts) if t and any(h in t for h in _CODE_HEADERS)), None)
        if code_col is None:
            continue
        name_col = next(
            (j for j, t in enumerate(texts) if j != code_col and t and any(h in t for h in _NAME_HEADERS)), None
        )
        if name_col is not None:
            return i, code_col, name_col
    return None


def _guess_columns(rows: list[tuple]) -> tuple[int, int, int] | None:
    """Without a header: the column holding most 3/5/7-digit codes and the text column beside it."""
    width = max((len(r) for r in rows), default=0)
    best, best_count = None, 0
    for j in range(min(width, 10)):
        count = sum(1 for r in rows if j < len(r) and _is_code(_norm_code(r[j])))
        if count > best_count:
            best, best_count = j, count
    if best is None:
        return None
    code_rows = [r for r in rows if best < len(r) and _is_code(_norm_code(r[best]))]
    candidates = [best + 1, best - 1]
    name_col, name_count = None, 0
    for j in candidates:
        if j < 0 or j >= width:
            continue
        count = sum(1 for r in code_rows if j < len(r) and _norm_name(r[j]) and not _is_code(_norm_code(r[j])))
        if count > name_count:
            name_col, name_count = j, count
    if name_col is None:
        return None
    first = next(i for i, r in enumerate(rows) if best < len(r) and _is_code(_norm_code(r[best])))
    return first - 1, best, name_col


def _pick_sheets(sheets: list[tuple[str, list[tuple]]], kind: str) -> list[list[tuple[str, list[tuple]]]]:
    """Sheets to try, in order: those named after the classification, then every other sheet
    not named after the other classification (used only if the first group has no codes)."""
    other = "经济" if kind == "功能" else "功能"
    named = [s for s in sheets if kind in s[0]]
    rest = [s for s in sheets if kind not in s[0] and other not in s[0]]
    return [named, rest]


def import_province_catalog(path: str | Path, classification: str, year: int | None = None) -> ImportedCatalog:
    """Read a province's catalog from an .xlsx file (the 科目 sheet(s) it contains).

    The code column is found by its header (编码/代码/科目编码 next to 名称/科目名称) or, without
    headers, as the column of 3/5/7-digit codes. Codes may be numbers (201.0) or text with
    spaces; names may carry indentation or a leading “其中：”. Bad rows are reported in
    ``problems`` (sheet, row, what) and never raise; CatalogError only when the file cannot be
    read at all or has no code column. Parents are checked against the file and the bundled
    catalog of ``year`` (default: the newest bundled catalog).
    """
    kind = _canonical(classification)
    if kind is None:
        raise CatalogError(f"未知的分类“{classification}”，应为“功能”或“经济”。")
    path = Path(path)
    if not path.is_file():
        raise CatalogError(f"找不到文件“{path}”。")

    import zipfile

    from openpyxl import load_workbook  # lazy: openpyxl costs 0.17 s at start-up
    from openpyxl.utils.exceptions import InvalidFileException

    from services.xlsx_guard import WorkbookTooLarge, measure

    try:
        if zipfile.is_zipfile(path):  # anything else is refused below, with its own reason
            measure(path)  # before openpyxl reads anything (read-only mode pads rows to <dimension>)
    except WorkbookTooLarge as exc:
        raise CatalogError(f"无法读取“{path.name}”：{exc}。") from None
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        hint = "（旧版 .xls 请先在 Excel 中另存为 .xlsx）" if path.suffix.lower() == ".xls" else ""
        raise CatalogError(f"无法读取“{path.name}”：不是有效的 Excel（.xlsx）文件{hint}。") from exc
    try:
        sheets = [(ws.title, [tuple(r) for r in ws.iter_rows(values_only=True)]) for ws in wb.worksheets]
    except Exception as exc:  # a damaged sheet inside a valid zip
        raise CatalogError(f"无法读取“{path.name}”的内容：{exc}") from exc
    finally:
        wb.close()

    result = ImportedCatalog(kind, path)
    found: dict[str, tuple[CatalogEntry, str, int]] = {}  # code → (entry, sheet, row)
    for group in _pick_sheets(sheets, kind):
        for title, rows in group:
            located = _find_header(rows) or _guess_columns(rows)
            if located is None:
                continue
            header, code_col, name_col = located
            result.sheets.append(title)
            foreign: list[str] = []
            for i in range(header + 1, len(rows)):
                _read_row(rows[i], i + 1, title, code_col, name_col, kind, found, result, foreign)
            if foreign:
                examples = "、".join(foreign[:3])
                result.problems.append(ImportProblem(
                    title, None,
                    f"有{len(foreign)}个编码（如{examples}）不以{_FIRST_DIGIT[kind]}开头，"
                    f"不属于{_KIND_TITLE[kind]}，已跳过。"))
        if result.sheets:
            break
    if not result.sheets:
        raise CatalogError(f"在“{path.name}”中找不到科目编码列（表头应含“编码”和“名称”，或一列3/5/7位数字编码）。")

    _check_parents(found, kind, year, result)
    return result


_FIRST_DIGIT = {"功能": "2", "经济": "3"}
_KIND_TITLE = {"功能": "支出功能分类科目", "经济": "部门预算支出经济分类科目"}


def _read_row(row, row_no, sheet, code_col, name_col, kind, found, result, foreign) -> None:
    raw_code = row[code_col] if code_col < len(row) else None
    raw_name = row[name_col] if name_col < len(row) else None
    code, name = _norm_code(raw_code), _norm_name(raw_name)
    if code.startswith(_NOTE_PREFIXES):  # a footnote (注：…) written in the code column
        return
    if not code:
        if name and not name.startswith(_NOTE_PREFIXES) and name not in _SKIP_NAMES:
            result.problems.append(ImportProblem(sheet, row_no, f"“{name}”没有科目编码，已跳过。"))
        return
    if code.isdigit() and not code.startswith(_FIRST_DIGIT[kind]):
        foreign.append(code)  # 收入分类 (1…, up to 9 digits), 政府预算经济分类 (5…) and the like
        return
    if not (code.isdigit() and len(code) in _LEVELS_ALLOWED[kind]):
        shown = _cell_text(raw_code).strip()
        what = "3/5/7位数字" if kind == "功能" else "3位或5位数字（经济分类只有类、款）"
        result.problems.append(ImportProblem(sheet, row_no, f"编码“{shown}”不是{what}，已跳过。"))
        return
    if not name:
        result.problems.append(ImportProblem(sheet, row_no, f"编码{code}没有科目名称，已跳过。"))
        return
    if code in found:
        first, first_sheet, first_row = found[code]
        if first.name != name:
            where = f"工作表“{first_sheet}”第{first_row}行" if first_sheet != sheet else f"第{first_row}行"
            result.problems.append(
                ImportProblem(sheet, row_no, f"编码{code}重复：{where}为“{first.name}”，此处为“{name}”；保留前者。")
            )
        return
    found[code] = (CatalogEntry(code, name), sheet, row_no)


def _check_parents(found, kind, year, result) -> None:
    bundled: Catalog | None
    try:
        files = _bundled_files(kind)
        bundled = catalog(kind, year if year is not None else max(files)) if files else None
    except CatalogError:
        bundled = None
    kept: dict[str, CatalogEntry] = {}
    for code in sorted(found):  # parents sort before their children
        entry, sheet, row_no = found[code]
        p = parent_of(code)
        if p is not None and p not in kept:
            borrowed = bundled.get(p) if bundled else None
            if borrowed is None:
                result.problems.append(
                    ImportProblem(sheet, row_no, f"编码{code}（{entry.name}）的上级科目{p}在文件和内置科目表中都不存在，已跳过。")
                )
                continue
            # the parent's own parent is a 类 the bundled catalog also has (it is complete at 类 level)
            for anc in bundled.lineage(p):
                if anc.code not in kept:
                    kept[anc.code] = anc
                    result.borrowed.append(anc.code)
        kept[code] = entry
    result.entries = [kept[c] for c in sorted(kept)]


def save_catalog(entries: Iterable[CatalogEntry] | Iterable[tuple[str, str]] | ImportedCatalog | Catalog, path: str | Path) -> Path:
    """Write entries as a ``code,name`` CSV like the bundled ones (UTF-8, code order, LF).
    To make it the catalog for a year on, save it in ``CATALOG_DIR`` under
    `catalog_file_name` and call `clear_cache`."""
    if isinstance(entries, ImportedCatalog):
        entries = entries.entries
    pairs = {}
    for e in entries:
        code, name = (e.code, e.name) if isinstance(e, CatalogEntry) else (str(e[0]), str(e[1]))
        pairs[code] = name
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["code", "name"])
        for code in sorted(pairs):
            w.writerow([code, pairs[code]])
    return path
