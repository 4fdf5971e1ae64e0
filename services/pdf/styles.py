"""Styles (版式): page geometry and paragraph styles, in the spirit of GB/T 9704 (党政机关公文格式).

Body text 宋体 三号 on a 156 × 225 mm text block, 28 characters a line and 22 lines a page, first
lines indented two characters; part titles 黑体 22 pt (二号); first-level headings 黑体 三号,
（一）-level headings 楷体 三号; page numbers 宋体 14 pt (四号) "— 1 —" under the text block. Table pages use narrower margins and 9 pt cells.
Every style names an embedded font (see `fonts`), so nothing falls back to Helvetica.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.pdf.fonts import HEI, KAI, SONG

MM = 72 / 25.4
A4 = (210 * MM, 297 * MM)

#: 公文 text block: top 37 mm, bottom 35 mm, left 28 mm, right 26 mm → 156 × 225 mm
BODY_MARGINS = (28 * MM, 26 * MM, 37 * MM, 35 * MM)  # left, right, top, bottom
#: table pages (both orientations): the tables need the width more than the white space
TABLE_MARGINS = (18 * MM, 18 * MM, 15 * MM, 18 * MM)

#: 三号 (16 pt) at the pitch of GB/T 9704's 28 characters a line: 28 × 16 pt is 158 mm, 2 mm more than
#: the 156 mm text block, so the standard's grid sets each character narrower, as Word's 每行 28 字
#: grid does. 15.75 pt: 28 characters fit (441 of the 442.2 pt, justification spreads the rest),
#: and a binary fraction, so that half a character (a squeezed mark) is exact and text extraction
#: (poppler) keeps a squeezed "）。" in one word, as it does at 16 pt
TEXT_WIDTH = A4[0] - BODY_MARGINS[0] - BODY_MARGINS[1]
BODY_SIZE = 15.75
BODY_LEADING = 28.9  # 225 mm / 22 lines
CELL_SIZE = 9
CELL_LEADING = 11
PLACEHOLDER_COLOR = "#C00000"
INK = "#000000"


@dataclass(frozen=True)
class Styles:
    cover_year: object
    cover_dept: object
    cover_title: object
    cover_date: object
    part: object
    part_sub: object
    h1: object
    h2: object
    body: object
    body_flush: object
    caption: object
    toc_title: object
    toc_levels: list
    table_title: object
    table_info_left: object
    table_info_center: object
    table_info_right: object
    cell: object
    cell_center: object
    cell_head: object
    note: object
    page_number: tuple[str, float]


def make_styles() -> Styles:
    from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
    from reportlab.lib.styles import ParagraphStyle

    def ps(name: str, font: str = SONG, size: float = BODY_SIZE, leading: float | None = None, **kw) -> ParagraphStyle:
        return ParagraphStyle(name, fontName=font, fontSize=size, leading=leading or size * 1.5, wordWrap="CJK", **kw)

    body = ps("正文", leading=BODY_LEADING, firstLineIndent=2 * BODY_SIZE, alignment=TA_JUSTIFY)
    return Styles(
        cover_year=ps("封面年度", HEI, 26, 40, alignment=TA_CENTER),
        cover_dept=ps("封面部门", HEI, 28, 44, alignment=TA_CENTER),
        cover_title=ps("封面标题", HEI, 40, 60, alignment=TA_CENTER),
        cover_date=ps("封面日期", SONG, 16, 28, alignment=TA_CENTER),
        part=ps("部分标题", HEI, 22, 36, alignment=TA_CENTER, spaceBefore=12, spaceAfter=6),
        part_sub=ps("部分副标题", HEI, 18, 30, alignment=TA_CENTER, spaceAfter=18),
        h1=ps("一级标题", HEI, BODY_SIZE, BODY_LEADING, firstLineIndent=2 * BODY_SIZE, spaceBefore=4, alignment=TA_JUSTIFY),
        h2=ps("二级标题", KAI, BODY_SIZE, BODY_LEADING, firstLineIndent=2 * BODY_SIZE, alignment=TA_JUSTIFY),
        body=body,
        body_flush=ps("正文顶格", leading=BODY_LEADING, alignment=TA_JUSTIFY),
        caption=ps("图题", SONG, 12, 18, alignment=TA_CENTER, spaceBefore=2, spaceAfter=10),
        toc_title=ps("目录标题", HEI, 22, 36, alignment=TA_CENTER, spaceAfter=12),
        toc_levels=[
            ps("目录一级", HEI, 14, 22, leftIndent=0, firstLineIndent=0, spaceBefore=5),
            ps("目录二级", SONG, 12, 18.5, leftIndent=2 * 14, firstLineIndent=0),
        ],
        table_title=ps("表标题", HEI, 16, 24, alignment=TA_CENTER, spaceAfter=4),
        table_info_left=ps("表头左", SONG, 10.5, 14, alignment=TA_LEFT),
        table_info_center=ps("表头中", SONG, 10.5, 14, alignment=TA_CENTER),
        table_info_right=ps("表头右", SONG, 10.5, 14, alignment=TA_RIGHT),
        cell=ps("单元格", SONG, CELL_SIZE, CELL_LEADING, alignment=TA_LEFT),
        cell_center=ps("单元格居中", SONG, CELL_SIZE, CELL_LEADING, alignment=TA_CENTER),
        cell_head=ps("表头格", HEI, CELL_SIZE, CELL_LEADING, alignment=TA_CENTER),
        note=ps("表注", SONG, 9, 13, alignment=TA_JUSTIFY, spaceBefore=4),
        page_number=(SONG, 14),
    )
