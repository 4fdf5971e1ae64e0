"""Fonts (字体): the two bundled CJK TrueType fonts, registered once for ReportLab.

Every style in the document names one of these two, so the PDF embeds (and subsets) them and
never falls back to an unembedded Helvetica: 宋体-style AR PL UMing for body text, tables and
page numbers, 黑体-style 文泉驿微米黑 for headings. ``<b>`` in a 宋 paragraph maps to 黑.
"""

from __future__ import annotations

from pathlib import Path

FONT_DIR = Path(__file__).resolve().parent.parent.parent / "resources" / "fonts"

SONG = "DDSong"  # 宋体 (AR PL UMing CN)
HEI = "DDHei"  # 黑体 (WenQuanYi Micro Hei)

_FILES = {SONG: ("uming.ttc", 0), HEI: ("wqy-microhei.ttc", 0)}


def register() -> None:
    """Register both fonts with ReportLab (idempotent; about 0.15 s the first time)."""
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    known = set(pdfmetrics.getRegisteredFontNames())
    for name, (file, index) in _FILES.items():
        if name not in known:
            pdfmetrics.registerFont(TTFont(name, str(FONT_DIR / file), subfontIndex=index))
    # <b>/<i> inside a paragraph must stay in an embedded font: bold → 黑, italic → the same face.
    addMapping(SONG, 0, 0, SONG)
    addMapping(SONG, 1, 0, HEI)
    addMapping(SONG, 0, 1, SONG)
    addMapping(SONG, 1, 1, HEI)
    addMapping(HEI, 0, 0, HEI)
    addMapping(HEI, 1, 0, HEI)
    addMapping(HEI, 0, 1, HEI)
    addMapping(HEI, 1, 1, HEI)


def width(text: str, font: str, size: float) -> float:
    """The printed width of ``text`` in points."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    return stringWidth(text, font, size)
