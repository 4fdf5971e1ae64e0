"""The district as the window shows it (区汇总): documents to open read-only, and what each column says.

A district file (区汇总文件, meta ``kind=district``) opens as a `Document` over its 汇总 years,
read-only: the next consolidation rebuilds them, so an edit here would be lost (and the file is
never opened for writing, so consolidation is not blocked by an open window). A department opens
from it read-only too, as its current submission. Everything is read through
`services.exchange.status`; this module only chooses the words. No Qt here (moneyGuru's split:
the columns below are plain functions the Qt model in `ui.district_page` forwards to).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from services.findings import Finding
from ui.document import Document, OpenError

if TYPE_CHECKING:  # the exchange (SQLAlchemy, ~0.4 s) is imported when a district is opened
    from services.exchange.roster import RosterEntry
    from services.exchange.status import DepartmentStatus

#: The status bar's sentence for the district's own (汇总) tables.
CONSOLIDATED_READ_ONLY = "只读：全区汇总数由各部门上报数自动相加，下次汇总时会重新计算并覆盖；如需修改，请部门改正后重新上报"


def _unusable(e: Exception) -> OpenError:
    return OpenError(str(e))


def open_district(path: Path) -> Document:
    """The district's 汇总 years as a read-only document (``document.district`` is its path)."""
    from services.exchange.district_file import DistrictError
    from services.exchange.status import District

    try:
        with District(path) as district:
            years = sorted({d.year for d in district.status().departments})
            if not years:
                raise OpenError(f"“{Path(path).name}”还没有汇总任何部门的上报")
            workbooks = {y: district.consolidated(y) for y in years}
    except DistrictError as e:
        raise _unusable(e) from None
    return Document(Path(path), None, workbooks, read_only=CONSOLIDATED_READ_ONLY, district=Path(path))


def open_department(path: Path, year: int, key: str) -> Document:
    """One department's current submission, read-only, with the sentence that says whose it is."""
    from services.exchange.district_file import DistrictError
    from services.exchange.status import District

    try:
        with District(path) as district:
            past = district.history(year, key)
            if not past:
                raise OpenError(f"区汇总文件中没有“{key}”的 {year} 年度上报")
            wb = district.department(year, key)
    except DistrictError as e:
        raise _unusable(e) from None
    return Document(Path(path), None, {year: wb}, read_only=department_note(past[0]))


def department_note(d: DepartmentStatus) -> str:
    forced = "，强制上报" if d.allow_errors else ""
    again = f"第 {d.times} 次上报，" if d.times > 1 else ""
    return (f"只读：{d.name} 的上报（{again}{when(d.sealed_at)} 封存{forced}，{when(d.received_at)} 收到），"
            "不能在这里修改；如需修改，请部门改正后重新上报")


def stored_findings(rows: list) -> list[Finding]:  # noqa: ANN001 - rows of `DistrictFinding`
    """The bureau's re-check findings as stored (without cells: they name row and column in words)."""
    return [Finding(r.rule, r.severity, r.table_no, r.table_no, r.row_label, r.column_label, r.message,
                    r.expected, r.actual, r.difference, bool(r.possible_rounding)) for r in rows]


def same_finding(a: Finding, b: Finding) -> bool:
    """A stored finding and the window's live one are the same flag (to jump to its cell)."""
    return (a.rule, a.table, a.row, a.column) == (b.rule, b.table, b.row, b.column)


# ── the columns of the department list and of the history ─────────────────
def when(stamp: str | None) -> str:
    """``2021-03-05T09:30:12+08:00`` as a clerk reads it: ``2021-03-05 09:30``."""
    return (stamp or "")[:16].replace("T", " ")


def tone(d: DepartmentStatus) -> str:
    """The badge's colour: ``error`` (errors outstanding), ``warning`` (only 提示) or ``ok``."""
    return "error" if d.errors else "warning" if d.warnings else "ok"


def badge(d: DepartmentStatus) -> str:
    if d.errors:
        return f"✗ {d.errors} 个错误未改正"
    return f"! {d.warnings} 个提示" if d.warnings else "✓ 复核通过"


def counts(errors: int, warnings: int) -> str:
    return f"{errors} 错 {warnings} 提示" if errors or warnings else "无问题"


@dataclass(frozen=True)
class Column:
    title: str
    text: Callable[[DepartmentStatus], str]
    tip: str = ""
    #: how its cells are coloured: "tone" (the status badge), "forced" (强制上报), or plain
    paint: str = ""


LIST_COLUMNS = [
    Column("状态", badge, "复核（区财政局收到时用本软件重新审核）发现的、尚未改正的问题", "tone"),
    Column("部门", lambda d: d.name),
    Column("部门代码", lambda d: d.code),
    Column("年度", lambda d: str(d.year)),
    Column("封存时间", lambda d: when(d.sealed_at), "部门生成上报文件的时间"),
    Column("收到时间", lambda d: when(d.received_at), "区财政局汇总（收到）的时间"),
    Column("上报次数", lambda d: f"第 {d.times} 次", "重新上报会替换上一次，历次上报都保留"),
    Column("封存时审核", lambda d: counts(d.sealed_errors, d.sealed_warnings), "部门上报时本软件的审核结果"),
    Column("复核", lambda d: counts(d.errors, d.warnings), "区财政局收到时的复核结果"),
    Column("强制上报", lambda d: "强制上报" if d.allow_errors else "", "审核有错误时部门确认后仍然上报", "forced"),
]

HISTORY_COLUMNS = [
    Column("", lambda d: "当前" if d.replaced_at is None else f"已于 {when(d.replaced_at)} 被替换"),
    Column("封存时间", lambda d: when(d.sealed_at)),
    Column("收到时间", lambda d: when(d.received_at)),
    Column("来源文件", lambda d: d.source),
    Column("封存时审核", lambda d: counts(d.sealed_errors, d.sealed_warnings)),
    Column("复核", lambda d: counts(d.errors, d.warnings), "", "tone"),
    Column("强制上报", lambda d: "强制上报" if d.allow_errors else "", "", "forced"),
    Column("软件版本", lambda d: d.app_version),
    Column("校验码", lambda d: d.digest[:16], "上报文件内容的校验码（前 16 位）"),
]


def summary(name: str, year: int, deps: list[DepartmentStatus], missing: int = 0) -> str:
    bad = sum(1 for d in deps if d.errors)
    forced = sum(1 for d in deps if d.allow_errors)
    tail = f"，{bad} 个部门有未改正的错误" if bad else "，所有部门复核均无错误"
    text = f"{name} {year} 年度：已收到 {len(deps)} 个部门的上报{tail}" + (f"（{forced} 个强制上报）" if forced else "")
    return text + (f"；名单中 {missing} 个部门未报送" if missing else "")


def roster_line(entry: RosterEntry) -> str:
    """A department on the roster that has not submitted, as the 未报送 list shows it."""
    return f"{entry.name}（{entry.code}）" if entry.code else entry.name


def detail(d: DepartmentStatus) -> str:
    """The selected department in a few lines (the detail pane's heading)."""
    from services.templates import TemplateError, get_template

    try:
        template = get_template(d.template_id).name
    except TemplateError:
        template = d.template_id
    code = f"（{d.code}）" if d.code else ""
    forced = "；审核有错误，部门确认后强制上报" if d.allow_errors else ""
    return "\n".join([
        f"{d.name}{code}　{d.year} 年度　报表模板：{template}",
        f"{when(d.sealed_at)} 封存，{when(d.received_at)} 收到（第 {d.times} 次上报，来源文件 {d.source}）",
        f"封存时审核：{counts(d.sealed_errors, d.sealed_warnings)}{forced}；复核：{counts(d.errors, d.warnings)}",
    ])
