"""第五部分 附件 of the publication PDF: the 绩效自评 report and forms, typeset (ReportLab).

`attachment_flowables` replaces the plain headings of the 附件 part: under the heading naming
整体 it prints the clerk's 部门整体支出绩效自评报告 (`REPORT_KEY`) and the 部门整体绩效自评表; under
the one naming 项目 every 项目支出绩效自评表, each from a new portrait table page, laid out as the
seeds print them (`services.performance.layout`). What is not filled in yet prints as a red
【请填写：…】. `performance_pdf` writes just the 附件 part (a preview, and the tests).
"""

from __future__ import annotations

import re

from reportlab.platypus import KeepTogether, NextPageTemplate, PageBreak, Paragraph, Spacer, Table, TableStyle

from services.disclosure.blocks import PH_CLOSE, PH_OPEN, Block
from services.pdf import headwords
from services.pdf.fonts import HEI, SONG
from services.pdf.styles import A4, MM, TABLE_MARGINS, Styles
from services.pdf.textflow import block_flowables, esc, markup
from services.performance import REPORT_KEY, load_forms, spec_of
from services.performance.layout import (
    HEAD,
    LABEL,
    LONG,
    MISSING_DEPARTMENT,
    MISSING_PROJECTS,
    MISSING_REPORT,
    NUM,
    WIDTHS,
    FormGrid,
    form_grid,
    missing,
)
from services.workbook import Workbook

PAD = 2.5


def table_width() -> float:
    left, right, _, _ = TABLE_MARGINS
    return A4[0] - left - right


def attachment_flowables(wb: Workbook, blocks: list[Block], styles: Styles, body_width: float, charts: list[int]) -> list:
    """The whole 附件 part: ``blocks`` are the drafted part title and headings (`Draft.attachments`)."""
    forms = load_forms(wb)
    spec = spec_of(wb, forms)
    dept_word, proj_word = spec.pdf.get("department_heading", "整体"), spec.pdf.get("project_heading", "项目")
    out: list = []
    done_dept = done_projects = False
    for b in blocks:
        heading = b.kind == "h1"
        if heading and dept_word in b.text and not done_dept:
            done_dept = True
            out += block_flowables([b], styles, body_width, charts)
            out += _report(wb, styles, body_width, charts)
            if forms.department is not None:
                out += [NextPageTemplate("table"), PageBreak()] + form_flowables(form_grid(forms.department, spec, wb.year, wb.department), styles)
                out += [NextPageTemplate("body")]
            else:
                out.append(_placeholder(MISSING_DEPARTMENT, styles))
        elif heading and proj_word in b.text and not done_projects:
            done_projects = True
            if not forms.projects:
                out += block_flowables([b], styles, body_width, charts)
                out.append(_placeholder(MISSING_PROJECTS, styles))
                continue
            out += [NextPageTemplate("table"), PageBreak()] + block_flowables([b], styles, body_width, charts)
            for k, p in enumerate(forms.projects):
                if k:
                    out.append(PageBreak())
                out += form_flowables(form_grid(p, spec, wb.year, wb.department), styles)
            out.append(NextPageTemplate("body"))
        else:
            out += block_flowables([b], styles, body_width, charts)
    return out


def _placeholder(what: str, styles: Styles) -> Paragraph:
    return Paragraph(markup(PH_OPEN + f"【请填写：{what}】" + PH_CLOSE), styles.body)


#: a line of the 自评报告 that is a heading: "一、自评结论", "（二）部门整体绩效目标完成情况" (short, no full stop)
_HEADING = re.compile(r"^(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)])[^。；;]{1,30}$")


def _report(wb: Workbook, styles: Styles, width: float, charts: list[int]) -> list:
    text = wb.texts.get(REPORT_KEY, "").strip()
    if not text:
        return [_placeholder(MISSING_REPORT, styles)]
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return block_flowables([Block("h2" if _HEADING.match(s) else "p", s) for s in lines], styles, width, charts)


def form_flowables(g: FormGrid, styles: Styles, width: float | None = None) -> list:
    """One form: its title, the 单位名称/填报日期 line, the department's small tables, the form table."""
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle

    width = width or table_width()
    cell = ParagraphStyle("绩效格", parent=styles.cell)
    centre = ParagraphStyle("绩效格居中", parent=styles.cell_center)
    label = ParagraphStyle("绩效标签", parent=styles.cell_center, fontName=HEI)
    info = Table([[Paragraph(esc(g.info_left), styles.table_info_left), Paragraph(esc(g.info_right), styles.table_info_right)]],
                 colWidths=[width * 0.6, width * 0.4],
                 style=TableStyle([("FONT", (0, 0), (-1, -1), SONG, 10.5), ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                                   ("BOTTOMPADDING", (0, 0), (-1, -1), 3)]))
    out: list = [Paragraph(esc(g.title), styles.table_title), info]
    for title, header, rows in g.blocks:
        out.append(KeepTogether(_block_table(title, header, rows, width, styles, cell)))
    unit = width / sum(WIDTHS)
    span_end = {(c0, r0): c1 for c0, r0, c1, _ in g.spans}
    data = []
    for r, row in enumerate(g.rows):
        line = []
        for c, (text, kind) in enumerate(row):
            if not text:
                line.append("")
            elif kind == NUM:
                line.append(text)
            elif kind in (LABEL, HEAD):  # broken between words only: "得分（20分*/执行率）", never "执行/率"
                room = sum(WIDTHS[c:span_end.get((c, r), c) + 1]) * unit - 2 * PAD
                line.append(Paragraph(headwords.markup(text, room, HEI, label.fontSize), label))
            elif kind == LONG:
                line.append(Paragraph(esc(text).replace("\n", "<br/>"), cell))
            else:
                room = sum(WIDTHS[c:span_end.get((c, r), c) + 1]) * unit - 2 * PAD
                short = len(text) <= 12  # a group's name "数量指标（2分）": whole words; a sentence wraps as text
                line.append(Paragraph(headwords.markup(text, room, SONG, centre.fontSize), centre) if short else Paragraph(esc(text), cell))
        data.append(line)
    style = [
        ("FONT", (0, 0), (-1, -1), SONG, 9),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ALIGN", (0, 0), (-1, -1), "CENTER"),
        ("LEFTPADDING", (0, 0), (-1, -1), PAD),
        ("RIGHTPADDING", (0, 0), (-1, -1), PAD),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
    ]
    for r, row in enumerate(g.rows):
        for c, (_, kind) in enumerate(row):
            if kind == HEAD:
                style.append(("BACKGROUND", (c, r), (c, r), colors.HexColor("#EFEFEF")))
    style += [("SPAN", (c0, r0), (c1, r1)) for c0, r0, c1, r1 in g.spans]
    style += [("NOSPLIT", (0, r0), (-1, r1)) for r0, r1 in g.keep]
    out.append(Table(data, colWidths=[w * unit for w in WIDTHS], style=TableStyle(style), hAlign="CENTER", splitByRow=1))
    return out


def _block_table(title: str, header: list[str], rows: list[list[str]], width: float, styles: Styles, cell) -> list:  # noqa: ANN001
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle

    first = width * 0.22
    rest = (width - first) / max(1, len(header) - 1)
    size: float = getattr(styles.cell_head, "fontSize", 9)
    head = [Paragraph(headwords.markup(h, (first if k == 0 else rest) - 12, HEI, size), styles.cell_head)
            for k, h in enumerate(header)]  # 12: the table's default padding, both sides
    body = [[Paragraph(esc(r[0]), cell)] + r[1:] for r in rows]
    style = TableStyle([("FONT", (0, 0), (-1, -1), SONG, 9), ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
                        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#EFEFEF"))])
    caption = ParagraphStyle("绩效小表标题", parent=styles.table_info_left, fontName=HEI, spaceBefore=4, spaceAfter=2)
    return [Paragraph(esc(title), caption), Table([head] + body, colWidths=[first] + [rest] * (len(header) - 1), style=style),
            Spacer(1, 3 * MM)]


def performance_pdf(wb: Workbook, path: str) -> int:
    """Only the 附件 part as a PDF (a preview); returns the page count."""
    from services.disclosure.narrative import draft
    from services.pdf import fonts, justify, linebreak
    from services.pdf.document import DisclosureDoc, _canvas_class, frame_width
    from services.pdf.styles import make_styles

    fonts.register()
    linebreak.install()
    justify.install()
    styles = make_styles()
    d = draft(wb)
    doc = DisclosureDoc(path, wb, styles)
    doc._firstPageTemplateIndex = [t.id for t in doc.pageTemplates].index("body")  # no cover in a preview
    story = attachment_flowables(wb, d.attachments, styles, frame_width(False, table=False), [0])
    doc.build(story, canvasmaker=_canvas_class(wb))
    return doc.pages


__all__ = ["attachment_flowables", "form_flowables", "missing", "performance_pdf"]
