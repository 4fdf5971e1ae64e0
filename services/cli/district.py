"""The bureau's and the seal's commands (上报与汇总): ``submit``, ``consolidate``, ``status``, ``roster``.

Each returns an exit code and writes plain Chinese to the given streams; the work is done by
`services.exchange`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TextIO

from services.cli.common import EXIT_ERRORS, EXIT_OK, EXIT_REFUSED, EXIT_UNREADABLE
from services.exchange.target import Target
from services.workbook import Cell


def cmd_submit(dept: Target, year: int, out: Path, allow_errors: bool, stdout: TextIO, stderr: TextIO) -> int:
    """``main.py submit DEPT.sqlite --year Y -o OUT.sqlite [--allow-errors]``."""
    from services.exchange.submission import SubmitError, submit

    try:
        r = submit(dept, year, out, allow_errors)
    except SubmitError as e:
        stderr.write(f"无法生成上报文件：{e}\n")
        return EXIT_UNREADABLE if e.unreadable else EXIT_REFUSED
    forced = "（含错误，强制上报）" if r.allow_errors else ""
    stdout.write(
        f"已生成上报文件 {r.path}：{r.department} {r.year} 年度，{r.values} 个数据；"
        f"审核 {r.errors} 个错误、{r.warnings} 个提示{forced}"
        f"{f'，其中 {r.explained} 个附有出错说明' if r.explained else ''}；校验码 {r.digest[:16]}…\n"
    )
    return EXIT_OK


def cmd_consolidate(subs: list[Path], district: Path, stdout: TextIO, stderr: TextIO, *,
                    name: str | None = None) -> int:
    """``main.py consolidate SUB.sqlite|文件夹… -o DISTRICT.sqlite [--name 某某区汇总]``."""
    from services.exchange.consolidate import conclusion, consolidate, outcome_line, submission_files
    from services.exchange.district_file import DistrictError

    subs, skipped = submission_files(subs)
    if skipped:
        from services.identity import printable

        names = "、".join(printable(p.name) for p in skipped[:5]) + (" 等" if len(skipped) > 5 else "")
        stdout.write(f"跳过文件夹中 {len(skipped)} 个不是上报文件的文件：{names}\n")
    try:
        r = consolidate(subs, district, name=name)
    except DistrictError as e:
        stderr.write(f"无法汇总：{e}\n")
        return EXIT_UNREADABLE
    for o in r.outcomes:
        stdout.write(f"  {outcome_line(o)}\n")
    for line in r.merged:
        stdout.write(f"  合并：{line}\n")
    (stderr if r.refused else stdout).write(conclusion(r) + "\n")
    return EXIT_REFUSED if r.refused else EXIT_OK


def cmd_status(district: Path, year: int | None, stdout: TextIO, stderr: TextIO) -> int:
    """``main.py status DISTRICT.sqlite [--year Y]``: exit 1 when any department has errors
    outstanding or a department on the roster has not submitted."""
    from services.exchange.district_file import DistrictError
    from services.exchange.status import District, check_text, code_text, when_text
    from services.identity import printable
    from services.money import format_wan

    try:
        with District(district) as opened:
            report = opened.status(year)
            opened_offsets = {y: opened.offsets(y) for y in report.years()}
            # only a department that sealed findings can have explained one (出错说明)
            explained = {(d.year, d.key): opened.explained(d.year, d.key) for d in report.departments
                         if d.sealed_errors or d.sealed_warnings}
    except DistrictError as e:
        stderr.write(f"无法读取：{e}\n")
        return EXIT_UNREADABLE
    from services.exchange.leftovers import stale_copies

    if os.name != "nt" and (left := stale_copies(Path(district))):  # Windows cannot tell a live run from here
        stdout.write(f"注意：上次汇总被中断，留下了 {len(left)} 个临时副本（下次汇总时自动清除）；"
                     "中断的那次汇总没有写入任何数据。\n")
    expected = f"（名单中共 {len(report.roster)} 个部门）" if report.roster else ""
    if not report.years():
        stdout.write(f"{report.name}：还没有收到上报{expected}。\n")
    missing_any = False
    for y in report.years():
        deps = [d for d in report.departments if d.year == y]
        missing = report.missing(y)
        missing_any = missing_any or bool(missing)
        if not deps and not missing:
            stdout.write(f"{printable(report.name)}：没有 {y} 年度的上报。\n")
            continue
        stdout.write(f"{printable(report.name)} {y} 年度：已收到 {len(deps)} 个部门的上报{expected}\n")
        for d in deps:  # printable: a name's line break or escape sequence cannot forge a line
            mark = "✗" if d.errors else "✓"
            again = f"，第 {d.times} 次上报" if d.times > 1 else ""
            stdout.write(f"  {mark} {printable(d.name)}{printable(code_text(d.code))}：{when_text(d.sealed_at)} 封存，"
                         f"{when_text(d.received_at)} 收到{again}；{check_text(d)}\n")
            for f, note in explained.get((d.year, d.key), []):
                where = f"公开{f.table}表" if f.table.isdigit() else f.table
                stdout.write(f"      [{'错误' if f.severity == 'error' else '提示'}] {printable(where)} {printable(f.row)} "
                             f"{printable(f.column)}：{printable(f.message)}\n        出错说明：{printable(note)}\n")
        for entry in missing:
            stdout.write(f"  ○ {printable(entry.name)}{printable(code_text(entry.code))}：未报送\n")
        recorded, _cells = opened_offsets.get(y, ([], []))
        if recorded:
            stdout.write(f"  汇总中有 {len(recorded)} 笔抵消（合计 {format_wan(sum(o.amount for o in recorded))} 万元；"
                         "抵消前后的汇总数见 offset 命令）\n")
        bad = [d for d in deps if d.errors]
        stdout.write(f"共 {len(bad)} 个部门有未改正的错误" if bad else "所有已报部门复核均无错误")
        stdout.write(f"，{len(missing)} 个部门未报送。\n" if missing else "。\n")
    return EXIT_ERRORS if report.with_errors or missing_any else EXIT_OK


def cmd_roster(district: Path, roster_file: Path, stdout: TextIO, stderr: TextIO, *, name: str | None = None) -> int:
    """``main.py roster DISTRICT.sqlite ROSTER.xlsx|csv [--name 某某区汇总]``."""
    from services.exchange.district_file import DistrictError
    from services.exchange.roster import RosterError, read_roster, set_roster

    try:
        new = read_roster(roster_file)
    except RosterError as e:
        stderr.write(f"无法读取名单 {Path(roster_file).name}：{e}。{Path(district).name} 没有改动。\n")
        return EXIT_UNREADABLE
    try:
        set_roster(district, new, name=name)
    except DistrictError as e:
        stderr.write(f"无法写入名单：{e}\n")
        return EXIT_UNREADABLE
    stdout.write(f"应报部门名单已更新：共 {len(new)} 个部门（{Path(district).name}）。\n")
    return EXIT_OK


def cmd_explain(district: Target, year: int, table: str, row: str, col: int, stdout: TextIO, stderr: TextIO) -> int:
    """``main.py explain DISTRICT --year Y --table 03 --row 2010308 --col 1``: the departments that
    make up one cell of the 汇总, largest first, with their shares."""
    from services.exchange.district_file import DistrictError
    from services.exchange.status import District

    try:
        with District(district) as opened:
            head, lines = opened.explanation(year, table, row, col)
    except DistrictError as e:
        stderr.write(f"无法读取：{e}\n")
        return EXIT_UNREADABLE
    stdout.write(head + "\n" + "".join(f"  {line}\n" for line in lines))
    return EXIT_OK


def cmd_offset(district: Target, year: int, cell: Cell | None, amount: str | None, parties: str, reason: str, by: str,
               remove: int | None, stdout: TextIO, stderr: TextIO) -> int:
    """``main.py offset DISTRICT --year Y`` lists the year's offsets with the 汇总 before and after;
    with ``--table --row --col --amount --between --why --by`` records one, ``--remove N`` removes one."""
    from services.exchange import offsets
    from services.exchange.district_file import DistrictError
    from services.exchange.status import District
    from services.money import AmountError, format_wan, parse_amount

    try:
        if remove is not None:
            offsets.remove(district, year, remove)
            stdout.write(f"已删除第 {remove} 号抵消，汇总数已恢复。\n")
        elif cell is not None:
            try:
                value = parse_amount(amount or "")
            except AmountError as e:
                stderr.write(f"抵消金额：{e}\n")
                return EXIT_UNREADABLE
            if value is None:
                stderr.write("请给出抵消金额（--amount）\n")
                return EXIT_UNREADABLE
            oid = offsets.record(district, year, cell, value, parties, reason, by)
            stdout.write(f"已记录第 {oid} 号抵消：公开{cell.table}表 {cell.row}（栏{cell.col}）抵消 {format_wan(value)} 万元。\n")
        with District(district) as opened:
            recorded, cells = opened.offsets(year)
    except DistrictError as e:
        stderr.write(f"无法抵消：{e}\n")
        return EXIT_UNREADABLE
    if not recorded:
        stdout.write(f"{year} 年度的汇总中没有抵消。\n")
        return EXIT_OK
    stdout.write(f"{year} 年度的汇总中有 {len(recorded)} 笔抵消：\n")
    for o in recorded:
        stdout.write(f"  {o.id}. 公开{o.cell.table}表 {o.cell.row}（栏{o.cell.col}）{format_wan(o.amount)} 万元，"
                     f"{o.parties}；{o.reason}（{o.recorded_by}）\n")
    stdout.write("汇总数（万元）：抵消前 → 抵消后\n")
    for c, before, _taken, after in cells:
        stdout.write(f"  公开{c.table}表 {c.row}（栏{c.col}）：{format_wan(before) or '（空）'} → {format_wan(after)}\n")
    return EXIT_OK
