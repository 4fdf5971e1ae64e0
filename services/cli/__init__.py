"""The command line (命令行): one package, every command of ``main.py``.

`parser` is the whole command line; `run` runs one command. The commands are `tables` (the
clerk's: ``templates``, ``check``, ``import-xlsx``, ``export-xlsx``, ``export-pdf``) and `district`
(``submit``, ``consolidate``, ``status``, ``roster``), sharing `common`. Each returns an exit code
and writes plain Chinese; this module imports only argparse, and each command what it needs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from services.exchange.target import as_target

COMMANDS = {"templates", "check", "import-xlsx", "import-pdf", "import-docx", "export-xlsx", "export-pdf", "submit",
            "consolidate", "status", "roster", "explain", "offset", "note", "report"}


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="main.py",
        description="决算公开助手：部门决算公开表的录入、审核、导入导出。不带参数运行时打开窗口。",
    )
    sub = p.add_subparsers(dest="command", metavar="命令")

    c = sub.add_parser("check", help="审核一个部门数据文件（.sqlite）、Excel 报表（.xlsx）或已公开的 PDF")
    c.add_argument("path", type=as_target, help="部门数据文件 .sqlite、Excel 报表 .xlsx 或已公开的部门决算 .pdf")
    c.add_argument("--year", type=int, help="只审核这一年度（默认：文件中的所有年度）")
    c.add_argument("--json", action="store_true", help="以 JSON 输出审核结果")
    c.add_argument("--template", metavar="模板编号", help="导入 Excel 时使用这个报表模板（默认按表样自动选择；见 templates 命令）")

    i = sub.add_parser("import-xlsx", help="把 Excel 报表导入部门数据文件（已有该年度则替换）")
    i.add_argument("src", type=Path, metavar="IN.xlsx")
    i.add_argument("-o", "--output", type=Path, required=True, metavar="DEPT.sqlite")
    i.add_argument("--year", type=int, help="年度（Excel 中找不到年度时使用）")
    i.add_argument("--template", metavar="模板编号", help="使用这个报表模板（默认按表样自动选择；见 templates 命令）")

    ip = sub.add_parser("import-pdf", help="把已公开的部门决算 PDF（带文字的）读入部门数据文件：公开表和文字（已有该年度则替换）")
    ip.add_argument("src", type=Path, metavar="IN.pdf")
    ip.add_argument("-o", "--output", type=Path, required=True, metavar="DEPT.sqlite")
    ip.add_argument("--year", type=int, help="年度（默认按封面）")
    ip.add_argument("--template", metavar="模板编号", help="使用这个报表模板（默认按表样自动选择）")

    idx = sub.add_parser("import-docx", help="把 Word 文件中的部门概况和情况说明按标题分节读入某年度的文字，并与报表核对")
    idx.add_argument("src", type=Path, metavar="IN.docx")
    idx.add_argument("dept", type=Path, metavar="DEPT.sqlite")
    idx.add_argument("--year", type=int, help="年度（默认：文件中只有一个年度时用它，否则按 Word 文件封面）")

    tp = sub.add_parser("templates", help="列出本软件带的报表模板（编号、地区、年度、各表）")
    tp.add_argument("--json", action="store_true", help="以 JSON 输出")

    e = sub.add_parser("export-xlsx", help="把某年度导出为公开表版式的 Excel")
    e.add_argument("path", type=as_target, help="部门数据文件 .sqlite 或 Excel 报表 .xlsx")
    e.add_argument("--year", type=int, help="年度（默认：最新年度）")
    e.add_argument("-o", "--output", type=Path, required=True, metavar="OUT.xlsx")

    x = sub.add_parser("export-pdf", help="导出公开文件 PDF（封面、目录、概况、公开表、情况说明、名词解释、附件）")
    x.add_argument("path", type=as_target, help="部门数据文件 .sqlite 或 Excel 报表 .xlsx")
    x.add_argument("--year", type=int, help="年度（默认：最新年度）")
    x.add_argument("-o", "--output", type=Path, required=True, metavar="OUT.pdf")

    s = sub.add_parser("submit", help="生成报送区财政局的封装文件（只含该年度，带审核结果和校验码）；区汇总也可以这样报送上一级")
    s.add_argument("path", type=as_target, metavar="DEPT.sqlite",
                   help="部门数据文件；也可以是区汇总文件或其数据库地址（把汇总数报送上一级）")
    s.add_argument("--year", type=int, required=True)
    s.add_argument("-o", "--output", type=Path, required=True, metavar="SUB.sqlite")
    s.add_argument("--allow-errors", action="store_true", help="审核有错误时仍然报送（封装文件中会注明）")

    c2 = sub.add_parser("consolidate", help="区财政局：核验各部门报送文件并汇总（任一文件被拒则整批不入库）")
    c2.add_argument("submissions", type=Path, nargs="+", metavar="SUB.sqlite|文件夹",
                    help="上报文件，或放着上报文件的文件夹（其中不是上报文件的文件会跳过）")
    c2.add_argument("-o", "--output", type=as_target, required=True, metavar="DISTRICT.sqlite")
    c2.add_argument("--name", help="汇总单位名称（默认：全区汇总）")

    st = sub.add_parser("status", help="区财政局：各部门报送与审核情况（含名单中未报送的部门）")
    st.add_argument("path", type=as_target, metavar="DISTRICT.sqlite")
    st.add_argument("--year", type=int)

    ex = sub.add_parser("explain", help="区财政局：汇总表某一格由哪些部门的数组成（穿透查询，从大到小）")
    ex.add_argument("path", type=as_target, metavar="DISTRICT.sqlite")
    ex.add_argument("--year", type=int, required=True)
    ex.add_argument("--table", required=True, metavar="表号", help="如 03")
    ex.add_argument("--row", required=True, metavar="行", help="科目编码（如 2010308）或行的名称（如 本年支出合计）")
    ex.add_argument("--col", type=int, required=True, metavar="栏次")

    of = sub.add_parser("offset", help="区财政局：汇总中的抵消（调整表）：列出，记录一笔，或删除一笔")
    of.add_argument("path", type=as_target, metavar="DISTRICT.sqlite")
    of.add_argument("--year", type=int, required=True)
    of.add_argument("--table", metavar="表号", help="如 01")
    of.add_argument("--row", metavar="行", help="科目编码或行的名称（如 上级补助收入）")
    of.add_argument("--col", type=int, metavar="栏次")
    of.add_argument("--amount", metavar="万元", help="从汇总中抵消的金额")
    of.add_argument("--between", default="", metavar="双方", help="抵消双方，如 “区教育局 ↔ 区第一中学”")
    of.add_argument("--why", default="", metavar="原因")
    of.add_argument("--by", default="", metavar="记录人")
    of.add_argument("--remove", type=int, metavar="编号", help="删除这一笔抵消")

    n = sub.add_parser("note", help="出错说明：列出某年度的审核问题（带编号），或为第 N 个问题写说明（提示，或强制上报的错误）")
    n.add_argument("path", type=Path, metavar="DEPT.sqlite")
    n.add_argument("--year", type=int, help="年度（默认：最新年度）")
    n.add_argument("--finding", type=int, metavar="N", help="问题的编号（不加本参数运行可查看）")
    n.add_argument("--text", metavar="说明", help="出错说明；空文字 '' 删除说明")

    rp = sub.add_parser("report", help="导出某年度的审核情况（每个问题及其出错说明；不进入公开文件）")
    rp.add_argument("path", type=Path, metavar="DEPT.sqlite")
    rp.add_argument("--year", type=int, help="年度（默认：最新年度）")
    rp.add_argument("-o", "--output", type=Path, required=True, metavar="审核情况.pdf|.xlsx")

    r = sub.add_parser("roster", help="区财政局：导入应报部门名单（Excel 或 CSV，含“部门代码”“部门名称”两列）")
    r.add_argument("path", type=as_target, metavar="DISTRICT.sqlite")
    r.add_argument("roster", type=Path, metavar="名单.xlsx|csv")
    r.add_argument("--name", help="汇总单位名称（新建区汇总文件时使用，默认：全区汇总）")
    return p


def _utf8_streams() -> None:
    # A Windows console may default to a legacy code page; never crash on a Chinese character.
    for s in (sys.stdout, sys.stderr):
        try:
            s.reconfigure(encoding="utf-8", errors="replace")  # type: ignore[attr-defined,union-attr]
        except (AttributeError, ValueError):
            pass  # not a text stream we can reconfigure (e.g. captured by a test runner)


def run(argv: list[str]) -> int:
    """Run one command (``argv`` without the program name); its exit code."""
    args = parser().parse_args(argv)
    _utf8_streams()
    from typing import TextIO, cast

    from services.cli.common import Terminal

    out, err = cast(TextIO, Terminal(sys.stdout)), cast(TextIO, Terminal(sys.stderr))
    if args.command in ("import-pdf", "import-docx"):
        from services.cli import published as pub

        if args.command == "import-pdf":
            return pub.cmd_import_pdf(args.src, args.output, args.year, out, err, template=args.template)
        return pub.cmd_import_docx(args.src, args.dept, args.year, out, err)
    if args.command in ("templates", "check", "import-xlsx", "export-xlsx", "export-pdf"):
        from services.cli import tables as t

        if args.command == "templates":
            return t.cmd_templates(args.json, out)
        if args.command == "check":
            return t.cmd_check(args.path, args.year, args.json, out, err, template=args.template)
        if args.command == "import-xlsx":
            return t.cmd_import_xlsx(args.src, args.output, args.year, out, err, template=args.template)
        if args.command == "export-xlsx":
            return t.cmd_export_xlsx(args.path, args.year, args.output, out, err)
        return t.cmd_export_pdf(args.path, args.year, args.output, out, err)
    if args.command in ("note", "report"):
        from services.cli import review

        if args.command == "note":
            if args.finding is not None and args.text is None:
                err.write("写出错说明需要同时给出 --finding 和 --text\n")
                return 2
            return review.cmd_note(args.path, args.year, args.finding, args.text, out, err)
        return review.cmd_report(args.path, args.year, args.output, out, err)
    if args.command in ("submit", "consolidate", "status", "roster", "explain", "offset"):
        from services.cli import district as d

        if args.command == "submit":
            return d.cmd_submit(args.path, args.year, args.output, args.allow_errors, out, err)
        if args.command == "consolidate":
            return d.cmd_consolidate(args.submissions, args.output, out, err, name=args.name)
        if args.command == "status":
            return d.cmd_status(args.path, args.year, out, err)
        if args.command == "offset":
            from services.workbook import Cell

            given = (args.table, args.row, args.col)
            if any(v is not None for v in given) and not all(v is not None for v in given):
                err.write("记录抵消需要同时给出 --table、--row 和 --col\n")
                return 2
            cell = Cell(args.table.zfill(2), args.row, args.col) if args.table is not None else None
            return d.cmd_offset(args.path, args.year, cell, args.amount, args.between, args.why, args.by, args.remove, out, err)
        if args.command == "explain":
            return d.cmd_explain(args.path, args.year, args.table.zfill(2), args.row, args.col, out, err)
        return d.cmd_roster(args.path, args.roster, out, err, name=args.name)
    parser().print_help()
    return 2
