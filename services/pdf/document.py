"""The whole disclosure document (部门决算公开文件) as one ReportLab build.

封面 → 目录 → 第一部分 部门概况 → 第二部分 the template's tables (each from a new page, landscape
where it is wide) → 第三部分 情况说明 (with charts) → 第四部分 名词解释 → 第五部分 附件.
Page numbers ("— 1 —") start after the 目录, which lists every part, section and table with its
real page number, and links to it (laid out once: `services.pdf.contents`; ReportLab's two-pass
`multiBuild` only should the headings placed differ from the story's); the same entries become PDF
bookmarks. Output is reproducible: ReportLab's invariant mode plus a creation date derived from
the data (the clerk's 公开日期, else 12月31日 of the year), so the same workbook gives the same bytes.
"""

from __future__ import annotations

from collections.abc import Callable

from reportlab import rl_config
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Frame, NextPageTemplate, PageBreak, PageTemplate, Paragraph, Spacer
from reportlab.platypus.tableofcontents import TableOfContents

from services.disclosure.narrative import Draft, draft
from services.disclosure.texts import narrative_spec
from services.pdf import Progress, fonts, justify, linebreak
from services.pdf.contents import OnePassContents, entries_of
from services.pdf.styles import A4, BODY_MARGINS, MM, TABLE_MARGINS, Styles, make_styles
from services.pdf.tables import COMPACT, NORMAL, size_grid, table_flowables, table_grid
from services.pdf.textflow import TocParagraph, block_flowables, esc, markup
from services.workbook import Workbook

#: the 目录 uses more of the page so that it fits on one for a usual department
FRONT_MARGINS = (BODY_MARGINS[0], BODY_MARGINS[1], 25 * MM, 22 * MM)
CREATOR = "决算公开助手"


def _no_draw(*args, **kwargs) -> None:
    return None


class PassFrame(Frame):
    """A frame that, in the document's first pass, lays flowables out without drawing them.

    The 目录 needs two passes (the first finds the page of every entry); only the second's drawing is
    kept, so the first one only measures, splits and breaks pages: drawing is half of a pass."""

    layout_only = False

    def _add(self, flowable, canv, trySplit=0):  # noqa: ANN001, ANN202, N803 (ReportLab's signature)
        if not self.layout_only:
            return super()._add(flowable, canv, trySplit)
        flowable.drawOn = _no_draw  # this flowable only, for this placing
        try:
            return super()._add(flowable, canv, trySplit)
        finally:
            flowable.__dict__.pop("drawOn", None)


def _frame(page: tuple[float, float], margins: tuple[float, float, float, float], fid: str) -> Frame:
    left, right, top, bottom = margins
    return PassFrame(left, bottom, page[0] - left - right, page[1] - top - bottom, id=fid,
                     leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)


def frame_width(landscape: bool, table: bool = True) -> float:
    page = (A4[1], A4[0]) if landscape else A4
    left, right, _, _ = TABLE_MARGINS if table else BODY_MARGINS
    return page[0] - left - right


class DisclosureDoc(BaseDocTemplate):
    """Page templates, page numbers after the front matter, and 目录 / bookmark entries."""

    def __init__(self, path: str, wb: Workbook, styles: Styles, **kw):
        super().__init__(path, pagesize=A4, invariant=1, initialFontName=fonts.SONG, initialFontSize=12,
                         title=f"{wb.year}年度{wb.department}部门决算", author=wb.department,
                         subject=f"{wb.department}{wb.year}年度部门决算公开", creator=CREATOR,
                         keywords=["部门决算", str(wb.year)], lang="zh-CN", **kw)
        self.styles = styles
        #: the one-pass 目录, when the entries are known up front (`services.pdf.contents`)
        self.contents: OnePassContents | None = None
        self.front_pages = 0
        self.pages = 0
        self._seq = 0
        land = (A4[1], A4[0])
        self.addPageTemplates([
            PageTemplate("cover", [_frame(A4, BODY_MARGINS, "cover")], onPage=self._front, pagesize=A4),
            PageTemplate("front", [_frame(A4, FRONT_MARGINS, "front")], onPage=self._front, pagesize=A4),
            PageTemplate("body", [_frame(A4, BODY_MARGINS, "body")], onPageEnd=self._number, pagesize=A4),
            PageTemplate("table", [_frame(A4, TABLE_MARGINS, "table")], onPageEnd=self._number, pagesize=A4),
            PageTemplate("table_land", [_frame(land, TABLE_MARGINS, "table_land")], onPageEnd=self._number, pagesize=land),
        ])

    def multiBuild(self, story, **kw):  # noqa: ANN001, ANN003, ANN201 (ReportLab's signature)
        """Two or more passes for the 目录; the first only lays out (see `PassFrame`)."""
        self._pass = 0
        self._multi = True
        try:
            passes = super().multiBuild(story, **kw)
            if passes == 1:  # nothing to index: the one pass drew nothing, draw it now
                self._pass = 1
                super().build(story[:], **{k: v for k, v in kw.items() if k in ("canvasmaker", "filename")})
            return passes
        finally:
            self._multi = False
            self._set_layout_only(False)

    def build(self, flowables, **kw):  # noqa: ANN001, ANN003, ANN201 (ReportLab's signature)
        self._pass = getattr(self, "_pass", 0) + 1
        self._set_layout_only(getattr(self, "_multi", False) and self._pass == 1)
        return super().build(flowables, **kw)

    def _set_layout_only(self, on: bool) -> None:
        for t in self.pageTemplates:
            for f in t.frames:
                f.layout_only = on

    def beforeDocument(self) -> None:
        self.front_pages = self.pages = self._seq = 0

    def afterPage(self) -> None:
        self.pages += 1

    def _front(self, canv: Canvas, doc: BaseDocTemplate) -> None:
        self.front_pages += 1

    def _number(self, canv: Canvas, doc: BaseDocTemplate) -> None:
        font, size = self.styles.page_number
        width = canv._pagesize[0]
        table = doc.pageTemplate.id.startswith("table")
        y = TABLE_MARGINS[3] - 9 * MM if table else BODY_MARGINS[3] - 12 * MM
        number = canv.getPageNumber() - self.front_pages
        left, right = (TABLE_MARGINS if table else BODY_MARGINS)[:2]
        canv.saveState()
        canv.setFont(font, size)
        # GB/T 9704: outside, one character in from the text block — right on odd pages, left on even
        if number % 2:
            canv.drawRightString(width - right - size, y, f"— {number} —")
        else:
            canv.drawString(left + size, y, f"— {number} —")
        canv.restoreState()

    def afterFlowable(self, flowable) -> None:
        toc = getattr(flowable, "toc", None)
        if not toc:
            return
        level, text = toc
        self._seq += 1
        key = f"s{self._seq}"
        self.canv.bookmarkPage(key)
        self.canv.addOutlineEntry(text, key, level=level, closed=level > 0)
        page = self.page - self.front_pages
        if self.contents is None:
            self.notify("TOCEntry", (level, esc(text), page, key))
            return
        given = self.contents.given
        if self._seq > len(given) or given[self._seq - 1][:2] != (level, esc(text)):
            raise _NotAsListed  # a heading the story did not show: lay out twice instead
        self.contents.define_number(self.canv, self._seq, level, page)

    def _endBuild(self) -> None:  # noqa: N802 - ReportLab's hook, before the file is written
        if self.contents is not None and self._seq != len(self.contents.given):
            raise _NotAsListed
        super()._endBuild()


class _NotAsListed(Exception):
    """The headings placed were not the story's (never seen): the 目录 of two passes is used."""


def _canvas_class(wb: Workbook) -> type[Canvas]:
    """The canvas, dated by the document's own 公开日期 when the clerk gave one."""
    return justify.canvas_class(wb.year, wb.texts.get(narrative_spec()["cover"]["date"]))


def _cover(d: Draft, styles: Styles) -> list:
    c = d.cover
    return [
        Spacer(1, 45 * MM),
        Paragraph(markup(c["year"]), styles.cover_year),
        Spacer(1, 10 * MM),
        Paragraph(markup(c["department"]), styles.cover_dept),
        Spacer(1, 10 * MM),
        Paragraph(markup(c["title"]), styles.cover_title),
        Spacer(1, 75 * MM),
        Paragraph(markup(c["date"]), styles.cover_date),
    ]


def _toc(styles: Styles, entries: list[tuple[int, str]] | None) -> tuple[list, OnePassContents | None]:
    """The 目录 page: one pass when the ``entries`` are known, else ReportLab's two-pass one."""
    from reportlab.platypus import TableStyle

    table_style = TableStyle([("FONT", (0, 0), (-1, -1), fonts.SONG, 12), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                              ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                              ("TOPPADDING", (0, 0), (-1, -1), 0), ("BOTTOMPADDING", (0, 0), (-1, -1), 0)])
    kw = {"levelStyles": styles.toc_levels, "dotsMinLevel": 0, "rightColumnWidth": 40, "tableStyle": table_style}
    if entries is None:
        return [Paragraph("目　录", styles.toc_title), TableOfContents(**kw)], None
    contents = OnePassContents([(level, esc(text), f"s{i}") for i, (level, text) in enumerate(entries, 1)], **kw)
    return [Paragraph("目　录", styles.toc_title), contents], contents


def _tables(wb: Workbook, styles: Styles, progress: Callable[[str], None]) -> list:
    words_spec = narrative_spec()["tables_part"]
    base = {"部门": wb.department, "年度": str(wb.year)}
    words = {k: v.format_map({**base, "表号": "{表号}", "标题": "{标题}"}) if isinstance(v, str) else v for k, v in words_spec.items()}
    numerals = narrative_spec()["settings"]["numerals"]
    out: list = []
    portrait, land = frame_width(False), frame_width(True)
    for i, no in enumerate(sorted(wb.template.tables)):
        spec = wb.template.tables[no]
        progress(f"公开{no}表 {spec.title}")
        grid = table_grid(wb, no)
        head = []
        if i == 0:
            head = [TocParagraph(esc(words["part"]), styles.part, toc=(0, words["toc"])),
                    Paragraph(esc(words["title"]), styles.part_sub)]
        toc = f"{numerals[i]}、{spec.title}"
        sized = size_grid(grid, portrait, land, NORMAL)
        flows = head + table_flowables(sized, wb, styles, words, toc)
        if not _fits(flows, sized.landscape):  # a table just too long: try smaller type before a second page
            small = size_grid(grid, portrait, land, COMPACT, landscape=sized.landscape)
            small_flows = head + table_flowables(small, wb, styles, words, toc)
            if _fits(small_flows, small.landscape):
                sized, flows = small, small_flows
        out.append(NextPageTemplate("table_land" if sized.landscape else "table"))
        out.append(PageBreak())
        out += flows
    return out


def _fits(flows: list, landscape: bool) -> bool:
    """Whether the flowables fit on one table page (measured, as the frame will lay them out)."""
    page = (A4[1], A4[0]) if landscape else A4
    left, right, top, bottom = TABLE_MARGINS
    width, height = page[0] - left - right, page[1] - top - bottom
    used = 0.0
    for f in flows:
        used += f.wrap(width, height)[1] + f.getSpaceBefore() + f.getSpaceAfter()
    return used <= height - 2


def build(wb: Workbook, path: str, progress: Progress | None = None) -> tuple[int, list[str]]:
    """Write the document; returns (pages, placeholders still to fill in)."""
    steps = len(wb.template.tables) + 3
    done = [0]

    def step(what: str) -> None:
        done[0] += 1
        if progress is not None:
            progress(done[0], steps, what)

    fonts.register()
    linebreak.install()
    justify.install()
    styles = make_styles()
    step("起草情况说明")
    d = draft(wb)
    body_width = frame_width(False, table=False)
    from services.pdf.performance import attachment_flowables, missing  # 附件: 绩效自评报告 and forms
    from services.performance import load_forms

    def body(tables_step: Callable[[str], None]) -> list:
        """Everything after the 目录, as new flowables (a layout changes the ones it placed)."""
        charts = [0]
        out: list = [NextPageTemplate("body"), PageBreak()] + block_flowables(d.overview, styles, body_width, charts)
        out += _tables(wb, styles, tables_step)
        for part in (d.narrative, d.glossary):
            out += [NextPageTemplate("body"), PageBreak()] + block_flowables(part, styles, body_width, charts)
        return out + [NextPageTemplate("body"), PageBreak()] + attachment_flowables(wb, d.attachments, styles,
                                                                                     body_width, charts)

    flows = body(step)
    step("排版")
    # charts start from ReportLab's default graphics font (Helvetica, never embedded): use 宋体
    saved = rl_config.defaultGraphicsFontName
    rl_config.defaultGraphicsFontName = fonts.SONG
    try:
        doc = DisclosureDoc(path, wb, styles)
        toc, doc.contents = _toc(styles, entries_of(flows))
        story = [NextPageTemplate("cover"), *_cover(d, styles), NextPageTemplate("front"), PageBreak(), *toc, *flows]
        try:
            doc.build(story, canvasmaker=_canvas_class(wb))  # one pass (`services.pdf.contents`)
        except _NotAsListed:
            # a heading placed other than the story showed it (split across pages): the 目录 of two
            # passes, over new flowables
            doc = DisclosureDoc(path, wb, styles)
            toc, doc.contents = _toc(styles, None)
            story = [NextPageTemplate("cover"), *_cover(d, styles), NextPageTemplate("front"), PageBreak(), *toc,
                     *body(lambda _what: None)]
            doc.multiBuild(story, maxPasses=6, canvasmaker=_canvas_class(wb))
    finally:
        rl_config.defaultGraphicsFontName = saved
    step("完成")
    return doc.pages, list(d.placeholders) + missing(wb, load_forms(wb))
