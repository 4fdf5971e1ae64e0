"""Excel import (导入 Excel): a publication-layout workbook → a `Workbook`.

Clerks receive and keep their tables as Excel files laid out as published, but no two files are
laid out alike. The import finds each table by its title (`xlsx_layout`), reads it against the
template (`xlsx_table`), chooses the template from the titles and the year, and reports every
figure it could not place, with the sheet and cell, instead of guessing or stopping. Only a file
that cannot be read at all raises `XlsxImportError`. Nothing outside the returned result is
changed, so a failed import changes nothing.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path

from services.rounding import ENTRY_UNIT_KEY, YUAN, finer_than_cent
from services.templates import NATIONAL, TableSpec, Template, all_templates, get_template, region_of, template_for_year
from services.workbook import Unread, Workbook
from services.xlsx_cells import SheetGrid, is_number, norm, ref
from services.xlsx_layout import Block, Meta, find_blocks, match_title, read_meta
from services.xlsx_rows import TableRead, Unplaced
from services.xlsx_table import read_table

__all__ = ["ImportResult", "Unplaced", "XlsxImportError", "import_grids", "import_xlsx"]

_FILE_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")


class XlsxImportError(ValueError):
    """The file cannot be read at all; `str()` is one line in Chinese for the clerk."""


@dataclass
class ImportResult:
    workbook: Workbook
    #: figures in the file that were not imported, with where and why
    unplaced: list[Unplaced]
    #: what the import decided or noticed (template, year, unit conversion, missing tables …)
    notes: list[str]
    #: table number → where it was read ("表1!A1")
    found: dict[str, str] = field(default_factory=dict)

    @property
    def incomplete(self) -> dict[str, str]:
        """Tables read only in part, with why (also kept in the workbook, see `Workbook.incomplete`)."""
        return self.workbook.incomplete()


def import_xlsx(path: str | PathLike[str], year: int | None = None, template_id: str | None = None) -> ImportResult:
    """Read a publication-layout workbook; ``year``/``template_id`` override what the file says."""
    path = Path(path)
    notes: list[str] = []
    grids = _read_grids(path, notes)
    return import_grids(grids, path, year, template_id, notes)


def import_grids(grids: list[SheetGrid], path: Path, year: int | None = None, template_id: str | None = None,
                 notes: list[str] | None = None) -> ImportResult:
    """The import of sheets already read: a workbook's, or the grids a published PDF's ruled tables
    make (`services.published.pdf_read`); ``path`` names the source in messages (and its year, if
    nothing else gives one)."""
    notes = [] if notes is None else notes
    templates = list(all_templates().values())
    blocks = find_blocks(grids, templates)
    if not blocks:
        raise XlsxImportError(f"“{path.name}”中没有找到决算公开表（按表名查找，如“收入支出决算总表”）")
    metas = _metas(blocks)
    chosen_year = _choose_year(year, metas, path, notes)
    department = _department(metas, notes)
    template, reads, unplaced = _choose_template(template_id, blocks, metas, chosen_year, department, templates, notes)
    if chosen_year is None:
        chosen_year = min(template.years)
        notes.append(f"文件中没有写明年度，暂按 {chosen_year} 年导入，请核对")
    wb = Workbook.new(template, chosen_year, department)
    if not any(r.weight for rs in reads.values() for r in rs):  # e.g. only a 目录
        raise XlsxImportError(f"“{path.name}”中有表名，但没有认出任何表格的表头和数字")
    found: dict[str, str] = {}
    unread: dict[str, Unread] = {}
    for no in sorted(template.tables):
        if no not in reads:
            notes.append(f"没有找到公开{no}表（{template.table(no).title}），该表导入为空")
            unread[no] = Unread("文件中没有找到这张表")
            continue
        best = _apply_best(wb, reads[no], unplaced, notes)
        found[no] = best.where
        if (lost := best.unread(template.table(no))) is not None:
            unread[no] = lost
            notes.append(f"公开{no}表未能完整读入：{lost.why}；涉及未读入数字的审核只作提示，不算错误")
    wb.set_unread(unread)
    if any(m.unit in ("元", "千元") for m in metas.values()) and finer_than_cent(wb):
        # kept to the 元 as the ledger holds it; shown and typed in 元, published in 万元 rounded
        # so that every sum adds up (舍位平衡, `services.rounding`)
        wb.texts[ENTRY_UNIT_KEY] = YUAN
        notes.append("金额按元精确保存，录入和显示以元为单位；公开表按万元舍位平衡后打印，各表合计与明细一致")
    from services.performance import save_forms
    from services.performance.xlsx import read_forms

    perf = read_forms(grids)  # the 绩效自评表 in any sheet, found by their titles
    if not perf.forms.is_empty():
        save_forms(wb, perf.forms)
        notes += perf.notes
        notes.append("已导入绩效自评表：" + "、".join(f"{t}（{w}）" for t, w in perf.found.items()))
    return ImportResult(wb, unplaced, notes, found)


def _read_grids(path: Path, notes: list[str] | None = None) -> list[SheetGrid]:
    if path.is_dir():
        raise XlsxImportError(f"“{path.name}”是一个文件夹，不是 Excel 文件")
    if path.exists() and not path.is_file():  # a pipe would block the open
        raise XlsxImportError(f"“{path.name}”不是普通文件（可能是管道或设备），无法读取")
    if not path.is_file():
        raise XlsxImportError(f"找不到文件“{path.name}”")
    try:
        with path.open("rb") as f:
            head = f.read(8)
    except OSError as e:
        raise XlsxImportError(f"无法打开“{path.name}”：{e.strerror or e}") from e
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise XlsxImportError(
            f"“{path.name}”是旧版 Excel（.xls）文件或设置了打开密码，无法读取；请在 Excel 中另存为 .xlsx 并取消密码后再导入"
        )
    if not head.startswith(b"PK"):
        raise XlsxImportError(f"“{path.name}”不是 Excel（.xlsx）文件，无法读取")
    from openpyxl import load_workbook  # lazy: 0.17 s that start-up must not pay

    from services.xlsx_guard import WorkbookTooLarge, measure

    try:
        measured = measure(path)  # before openpyxl builds anything: sizes, cells, merges (LIMITS)
    except WorkbookTooLarge as e:
        raise XlsxImportError(f"“{path.name}”{e}") from None
    if notes is not None and measured.uncached:
        where = "、".join(f"{measured.sheets.get(part, part)}!{ref}" for part, ref in measured.uncached[:5])
        more = " 等" if len(measured.uncached) > 5 else ""
        notes.append(f"有公式单元格没有保存计算结果（{where}{more}），按空白读入；"
                     "请在 Excel 中打开该文件、保存后再导入")
    try:
        # A file object, not the name: openpyxl refuses a real .xlsx saved under another extension.
        with path.open("rb") as f:
            book = load_workbook(f, data_only=True)
            return [SheetGrid.from_worksheet(ws) for ws in book.worksheets]
    except Exception as e:  # a damaged file fails deep inside openpyxl in many different ways
        raise XlsxImportError(f"“{path.name}”已损坏或不是有效的 Excel 文件，无法读取（{type(e).__name__}）") from e


def _metas(blocks: list[Block]) -> dict[int, Meta]:
    out: dict[int, Meta] = {}
    seen: set[str] = set()
    unit_by_sheet: dict[str, str] = {}
    for b in blocks:
        meta = read_meta(b, b.sheet not in seen)
        seen.add(b.sheet)
        # one "单位：元" at the top of a sheet holding several tables applies to all of them
        meta.unit = meta.unit or unit_by_sheet.get(b.sheet, "")
        unit_by_sheet[b.sheet] = meta.unit
        out[id(b)] = meta
    return out


def _choose_year(year: int | None, metas: dict[int, Meta], path: Path, notes: list[str]) -> int | None:
    printed = Counter(y for m in metas.values() for y in m.years)
    top = printed.most_common(1)[0][0] if printed else None
    if year is not None:
        if top is not None and top != year:
            notes.append(f"文件中写的年度是 {top} 年，已按指定的 {year} 年导入")
        return year
    if top is not None:
        if len(printed) > 1:
            years = "、".join(str(y) for y in sorted(printed))
            notes.append(f"文件中出现了多个年度（{years}），按出现最多的 {top} 年导入")
        return top
    m = _FILE_YEAR.search(path.stem)
    if m:
        notes.append(f"表中没有写年度，按文件名取 {m.group(1)} 年")
        return int(m.group(1))
    return None


def _score(template: Template, blocks: list[Block]) -> int:
    """How well the titles (and printed table numbers) fit a template."""
    score = 0
    for b in blocks:
        m = match_title(b.title, template) if b.title else None
        if m is None:
            continue
        score += m.length + (3 if m.primary else 0)
        if b.number:
            score += 5 if f"{b.number:02d}" == m.no else -5
    return score


@dataclass
class _Fit:
    """How well one candidate template reads the workbook (模板与表样的吻合程度)."""

    template: Template
    reads: dict[str, list[TableRead]]
    unplaced: list[Unplaced]
    notes: list[str]
    titles: int

    @property
    def placed(self) -> int:
        return sum(max((len(r.values) for r in rs), default=0) for rs in self.reads.values())

    @property
    def score(self) -> int:
        # every figure placed counts, every figure left over counts against, and so do titles
        # that name no table of the template
        return self.placed - 2 * len(self.unplaced) + self.titles


#: one import's reads of a block as a table, shared by the candidate templates (the same table
#: in two templates of a family is read once): (block, TableSpec.layout_key) → TableRead
_Reads = dict[tuple[int, tuple], TableRead]


def _fit(template: Template, blocks: list[Block], metas: dict[int, Meta], memo: _Reads | None = None,
         titles: int | None = None) -> _Fit:
    unplaced: list[Unplaced] = []
    notes: list[str] = []
    reads = _read_all(blocks, metas, template, unplaced, notes, {} if memo is None else memo)
    for rs in reads.values():
        best = max(rs, key=lambda r: r.weight)
        unplaced += best.unplaced
    return _Fit(template, reads, unplaced, notes, _score(template, blocks) if titles is None else titles)


def _choose_template(
    template_id: str | None, blocks: list[Block], metas: dict[int, Meta], year: int | None, department: str,
    templates: list[Template], notes: list[str],
) -> tuple[Template, dict[str, list[TableRead]], list[Unplaced]]:
    """The template that reads the workbook best: most figures placed, fewest left over, titles
    that fit; on a tie the department's region (上海市… → 上海), then the year's, then the newest.
    The clerk is told which one was taken and why (a note), and may name another (``template_id``)."""
    region = region_of(department)
    if template_id:
        fit = _fit(get_template(template_id), blocks, metas)
        notes.append(f"按指定采用报表模板“{fit.template.name}”（{fit.template.id}）")
        notes += fit.notes
        return fit.template, fit.reads, fit.unplaced
    by_year = template_for_year(year, region) if year is not None else None
    memo: _Reads = {}
    # only templates whose titles fit nearly as well as the best are worth reading the file with
    titles = {t.id: _score(t, blocks) for t in templates}
    bar = 0.75 * max(titles.values())
    fits = [_fit(t, blocks, metas, memo, titles[t.id]) for t in templates if titles[t.id] >= bar or t is by_year]

    def rank(f: _Fit) -> tuple:
        t = f.template
        near = -min(abs(y - year) for y in t.years) if year is not None else 0
        return (f.score, t.region == region if region else t.region == NATIONAL, t is by_year, near, max(t.years))

    best = max(fits, key=rank)
    t = best.template
    why = [f"放入 {best.placed} 个数据、未能放入 {len(best.unplaced)} 个"]
    runner = max((f for f in fits if f is not best), key=rank, default=None)
    if runner is not None and runner.score < best.score:
        if (runner.placed, len(runner.unplaced)) == (best.placed, len(best.unplaced)):
            why.append("表名与之更吻合")
        why.append(f"其次是“{runner.template.name}”（放入 {runner.placed} 个、未能放入 {len(runner.unplaced)} 个）")
    elif region and t.region == region:
        why.append(f"部门名称中有“{region}”")
    elif year is not None and year in t.years:
        why.append(f"适用于 {year} 年度")
    notes.append(f"采用报表模板“{t.name}”（{t.id}）：{'，'.join(why)}；如不对，可换用其他报表模板重新导入")
    if by_year is not None and t is not by_year and year is not None and year not in t.years:
        notes.append(f"该模板适用于 {'、'.join(map(str, t.years))} 年度，与 {year} 年对应的“{by_year.name}”不同，是按表样选定的")
    notes += best.notes
    return t, best.reads, best.unplaced


def _department(metas: dict[int, Meta], notes: list[str]) -> str:
    from services.identity import department_name

    names = Counter(department_name(d) for m in metas.values() for d in m.departments if department_name(d))
    if not names:
        notes.append("文件中没有找到“部门：…”，部门名称为空")
        return ""
    name = names.most_common(1)[0][0]
    if len(names) > 1:
        others = "、".join(n for n in names if n != name)
        notes.append(f"各表的部门名称不一致（还有：{others}），采用“{name}”")
    return name


def _table_of(block: Block, template: Template) -> str | None:
    if block.title:
        m = match_title(block.title, template)
        if m:
            return m.no
        # a shorter title than the template's ("财政拨款三公经费…" for "一般公共预算财政拨款三公经费…")
        for spec in template.tables.values():
            if any(norm(n).endswith(block.title) for n in [spec.title, *spec.aliases]):
                return spec.no
        return None
    no = f"{block.number:02d}" if block.number else ""
    return no if no in template.tables else None


def _read_all(
    blocks: list[Block], metas: dict[int, Meta], template: Template, unplaced: list[Unplaced], notes: list[str],
    memo: _Reads,
) -> dict[str, list[TableRead]]:
    """Each block read as the table its title (or printed number) names; a block whose title
    names no table of the template is read as the missing table its columns fit best."""
    reads: dict[str, list[TableRead]] = {}
    unknown: list[Block] = []
    for b in blocks:
        no = _table_of(b, template)
        if no is None:
            unknown.append(b)
            continue
        _read_into(reads, b, no, metas, template, notes, memo)
    for b in unknown:
        where = f"{b.sheet}!{ref(b.title_row, b.title_col)}"
        guess = _by_columns(b, metas, template, reads, memo)
        if guess is not None:
            no, read = guess
            notes.append(f"{where}“{b.title or b.sheet}”的表名在“{template.name}”中没有，按表头认作公开{no}表（{template.table(no).title}）")
            reads.setdefault(no, []).append(read)
            continue
        if b.untitled:  # a sheet of its own that is no 公开 table (人员情况, 目录 …): not the disclosure
            notes.append(f"工作表“{b.sheet}”（{b.title}）不像决算公开表，未导入")
            continue
        notes.append(f"{where}“{b.title}”在“{template.name}”中没有对应的表，未导入")
        for r in range(b.title_row + 1, b.end_row):
            for c, v in sorted(b.grid.row(r).items()):
                if is_number(v):
                    unplaced.append(Unplaced(b.sheet, ref(r, c), v, f"所在的表“{b.title}”在模板中没有对应的表"))
    return reads


def _read(b: Block, spec: TableSpec, metas: dict[int, Meta], memo: _Reads) -> TableRead:
    key = (id(b), spec.layout_key)
    if key not in memo:
        memo[key] = read_table(b, spec, metas[id(b)].unit)
    return memo[key]


def _read_into(reads: dict[str, list[TableRead]], b: Block, no: str, metas: dict[int, Meta], template: Template,
               notes: list[str], memo: _Reads) -> None:
    unit = metas[id(b)].unit
    read = _read(b, template.table(no), metas, memo)
    if unit in ("元", "千元") and read.values:
        notes.append(f"{b.sheet}!{ref(b.title_row, b.title_col)} 公开{no}表的金额单位是“{unit}”，已换算为万元")
    if read.body:  # a title alone (a 目录 line) is not the table
        reads.setdefault(no, []).append(read)


def _by_columns(b: Block, metas: dict[int, Meta], template: Template,
                reads: dict[str, list[TableRead]], memo: _Reads) -> tuple[str, TableRead] | None:
    """The table not yet found whose columns this block's header shows (most of them, and more
    than any other), read with it; None when no table fits."""
    best: tuple[int, str, TableRead] | None = None
    for no, spec in template.tables.items():
        if no in reads:
            continue
        read = _read(b, spec, metas, memo)
        enough = max(1, min(2, len(spec.columns)), (len(spec.columns) + 1) // 2)  # most of its columns
        if not read.body or read.columns < enough or len(read.unplaced) > len(read.values):
            continue
        score = read.columns * 10 + len(read.values) - 3 * len(read.unplaced)
        if best is None or score > best[0]:
            best = (score, no, read)
    return (best[1], best[2]) if best else None


def _apply_best(wb: Workbook, reads: list[TableRead], unplaced: list[Unplaced], notes: list[str]) -> TableRead:
    """Put the fullest copy of a table into the workbook; report the figures of other copies."""
    best = max(reads, key=lambda r: r.weight)  # a 目录 line has no weight, the table itself has
    spec = wb.table(best.no)
    if spec.coded:
        wb.replace_codes(best.no, {})  # the file's rows replace the template's default rows
        for code, name in sorted(best.codes.items()):
            wb.add_code(best.no, code, name)
    for cell, (value, _) in best.values.items():
        if spec.coded and not wb.has_row(best.no, cell.row):
            wb.add_code(best.no, cell.row)
        wb.set(cell, value)
    notes.extend(best.notes)
    for other in reads:
        if other is best or other.weight == 0:
            continue
        notes.append(f"公开{best.no}表出现了不止一次，已导入 {best.where} 的一份，{other.where} 的一份未导入")
        for cell, (value, where) in other.values.items():
            if best.values.get(cell, (None,))[0] != value:  # an identical copy is no loss
                unplaced.append(
                    Unplaced(other.block.sheet, where, value, f"重复的公开{best.no}表与已导入的 {best.where} 不同，未导入", best.no)
                )
        unplaced.extend(other.unplaced)
    return best
