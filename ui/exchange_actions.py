"""The 上报与汇总 menu: the clerk seals a year for the district, the bureau consolidates and keeps
its roster, without the command line.

Each action asks through `ui.dialogs` and does the work through the core
(`services.exchange.submission`, `.consolidate`, `.roster`), exactly as the commands ``submit``,
``consolidate`` and ``roster`` do; what it did is told in the same sentences.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ui import background, dialogs

if TYPE_CHECKING:
    from ui.main_window import MainWindow


def _district_of(win: MainWindow) -> Path | None:
    """The open district file, or one the bureau picks (an existing one to add to, or a new name)."""
    doc = win.document
    if doc is not None and doc.district is not None:
        return doc.district
    return dialogs.existing_or_new_path(win, "汇总到区汇总文件（选已有的文件，或输入新文件名）",
                                        dialogs.DEPARTMENT_FILES, "全区汇总.sqlite")


def _show_district(win: MainWindow, district: Path) -> None:
    """Show the district file's new state: reopen it if it is open, else offer to open it."""
    from ui.file_actions import open_file

    doc = win.document
    if doc is not None and doc.district == district:
        open_file(win, district)
    elif dialogs.ask(win, "上报与汇总", f"现在打开区汇总文件 {district.name} 吗？"):
        open_file(win, district)


def submit(win: MainWindow) -> None:
    """生成上报文件: the shown year of the open department file, sealed for the district."""
    from services.exchange.submission import SubmitError
    from services.exchange.submission import submit as seal_year

    doc, year = win.document, win.year
    if doc is None or year is None or doc.district is not None or doc.read_only is not None:
        return
    if not doc.on_disk:
        dialogs.error(win, "生成上报文件", "请先用“另存为…”把报表保存为部门数据文件，再生成上报文件")
        return
    wb = doc.workbooks[year]
    dest = dialogs.save_path(win, "生成上报文件（报送区财政局）", dialogs.SUBMISSION_FILES,
                             f"{wb.department}_{year}年度_上报.sqlite")
    if dest is None:
        return
    def seal(allow_errors: bool = False):  # noqa: ANN202 - off the window's thread; a seal appears whole or not at all
        return background.run(win, "生成上报文件", f"正在封装 {year} 年度…",
                              lambda _progress: seal_year(doc.path, year, dest, allow_errors=allow_errors), cancellable=False)

    try:
        try:
            r = seal()
        except SubmitError as e:
            # the window's own sentence: the core's names the command line's way of forcing it
            found = [f for f in win.year_findings(year) if f.is_error]
            errors = len(found)
            bare = sum(win.editor(year).session.explanation(f) is None for f in found)
            unexplained = f"其中 {bare} 个还没有写出错说明（在审核结果的“出错说明”栏填写，随上报文件报送）。\n\n" if bare else ""
            if e.unreadable or not dialogs.ask(win, "生成上报文件", f"{wb.department or '本部门'} {year} 年度有 {errors} 个错误"
                                                                "（强制性审核未通过），请改正后再上报。\n\n"
                                                                f"{unexplained}"
                                                                "确认这些错误无误（例如尾数差异）并强制上报吗？"
                                                                "上报文件中会注明“强制上报”。"):
                if e.unreadable:
                    dialogs.error(win, "无法生成上报文件", str(e))
                return
            r = seal(allow_errors=True)
    except SubmitError as e:
        dialogs.error(win, "无法生成上报文件", str(e))
        return
    forced = "（含错误，强制上报）" if r.allow_errors else ""
    win.say(f"已生成上报文件 {r.path}{forced}")
    dialogs.report(win, "生成上报文件", f"已生成上报文件 {r.path.name}{forced}：{r.department} {r.year} 年度，"
                                      f"{r.values} 个数据；审核 {r.errors} 个错误、{r.warnings} 个提示"
                                      f"{f'，其中 {r.explained} 个附有出错说明' if r.explained else ''}。\n"
                                      f"请把这个文件交给区财政局。校验码 {r.digest[:16]}…")


def consolidate(win: MainWindow) -> None:
    """汇总上报文件: submissions into a district file, all or none, with progress and every verdict."""
    from services.exchange.consolidate import conclusion, outcome_line
    from services.exchange.consolidate import consolidate as run
    from services.exchange.district_file import DistrictError

    subs = dialogs.open_paths(win, "选择各部门的上报文件", dialogs.SUBMISSION_FILES)
    if not subs:
        return
    district = _district_of(win)
    if district is None:
        return

    def job(progress: background.Progress):  # noqa: ANN202
        # "spawn": the window's process has threads of its own, which a forked worker must not inherit
        return run(subs, district, start_method="spawn",
                   progress=lambda done, total, name: progress(done, total, f"已检查 {done}/{total}：{name}"))

    try:  # off the window's thread; 取消 stops after the file being checked, and nothing changes
        r = background.run(win, "汇总上报文件", "正在检查上报文件…", job)
    except background.Cancelled:
        win.say(f"已取消汇总：{district.name} 没有改动")
        return
    except DistrictError as e:
        dialogs.error(win, "无法汇总", str(e))
        return
    sentence = conclusion(r)
    win.say(sentence)
    dialogs.report(win, "汇总上报文件", sentence, "\n".join([*(outcome_line(o) for o in r.outcomes), *(f"合并：{line}" for line in r.merged)]),
                   ok=not r.refused)
    if r.written:
        _show_district(win, district)


def roster(win: MainWindow) -> None:
    """导入应报部门名单: the bureau's list of departments, so the status names who has not submitted."""
    from services.exchange.district_file import DistrictError
    from services.exchange.roster import RosterError, read_roster, set_roster

    source = dialogs.open_path(win, "选择应报部门名单（含“部门代码”“部门名称”两列）", dialogs.ROSTER_FILES)
    if source is None:
        return
    district = _district_of(win)
    if district is None:
        return
    try:
        entries = read_roster(source)
        set_roster(district, entries)
    except RosterError as e:
        dialogs.error(win, "无法导入名单", f"{source.name}：{e}。区汇总文件没有改动。")
        return
    except DistrictError as e:
        dialogs.error(win, "无法导入名单", str(e))
        return
    win.say(f"应报部门名单已更新：共 {len(entries)} 个部门（{district.name}）")
    doc = win.document
    if doc is not None and doc.district == district:  # the list of who has not submitted changed
        from ui.file_actions import open_file

        open_file(win, district)
