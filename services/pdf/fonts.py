"""Fonts (字体): the three bundled CJK TrueType fonts, registered once for ReportLab.

Every style in the document names one of these, so the PDF embeds (and subsets) them and never
falls back to an unembedded Helvetica: 宋体-style AR PL UMing for body text, tables and page
numbers, 黑体-style 文泉驿微米黑 for headings, 楷体-style AR PL UKai for the （一）-level headings
(GB/T 9704), with 宋体 for what it lacks (`with_fallback`). ``<b>`` maps to 黑.
"""

from __future__ import annotations

import mmap
from pathlib import Path

FONT_DIR = Path(__file__).resolve().parent.parent.parent / "resources" / "fonts"

SONG = "DDSong"  # 宋体 (AR PL UMing CN)
HEI = "DDHei"  # 黑体 (WenQuanYi Micro Hei)
KAI = "DDKai"  # 楷体 (AR PL UKai CN, cut down to GB 2312: see resources/fonts/make_kai_subset.py)

_FILES = {SONG: ("uming.ttc", 0), HEI: ("wqy-microhei.ttc", 0), KAI: ("ukai-gb2312.ttf", 0)}


class _Pairs:
    """ReportLab's ``hmetrics`` (a list of (advance, left side bearing) per glyph) kept as one
    array: unpickling 50,000 tuples cost more than the rest of the metrics, and a subset reads
    only the glyphs it uses."""

    def __init__(self, pairs: list[tuple[float, float]]) -> None:
        from array import array

        # doubles: ReportLab leaves some advances scaled (floats), and reads each back with int()
        self._flat = array("d", [v for pair in pairs for v in pair])

    def __getitem__(self, glyph: int) -> tuple[float, float]:
        return self._flat[2 * glyph], self._flat[2 * glyph + 1]

    def __len__(self) -> int:
        return len(self._flat) // 2


def _face_class():  # noqa: ANN202 (a ReportLab class, made when ReportLab is loaded)
    """A TrueType face whose metrics (character map, widths, names: what ReportLab parses in Python
    from the 21 MB TTC, most of a clerk's wait before the first page) come from the program's cache
    (`services.cache`) once parsed. The font data itself is still read from the file (subsetting
    needs it), mapped rather than read."""
    import reportlab
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFontFace

    from services import cache

    class CachedFace(TTFontFace):
        def __init__(self, filename, validate=0, subfontIndex=0):  # noqa: ANN001, N803 (ReportLab's signature)
            def parsed() -> dict:
                face = TTFontFace(filename, validate=validate, subfontIndex=subfontIndex)
                state = {k: v for k, v in face.__dict__.items() if k not in ("_ttf_data", "_pdfScale", "glyphToChar")}
                state["hmetrics"] = _Pairs(state["hmetrics"])
                return state

            state = cache.remembered("fonts", Path(filename), parsed, f"{subfontIndex}-rl{reportlab.Version}")
            pdfmetrics.TypeFace.__init__(self, None)
            self.__dict__.update(state)
            mult = 1000 / self.unitsPerEm  # ReportLab's scale to PDF units, a lambda it made (not kept)
            self._pdfScale = (lambda x: x) if self.unitsPerEm == 1000 else (lambda x: x * mult)
            with open(filename, "rb") as f:  # mapped, not read: a subset reads only its glyphs
                self._ttf_data = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)

        @property
        def glyphToChar(self) -> dict[int, list[int]]:  # noqa: N802 (ReportLab's name)
            """Glyph → characters, which only HarfBuzz shaping asks for (not kept: the largest part
            of the metrics to read back); made from the character map when asked."""
            made = self.__dict__.get("_glyph_to_char")
            if made is None:
                made = {}
                for char, glyph in self.charToGlyph.items():
                    made.setdefault(glyph, []).append(char)
                self.__dict__["_glyph_to_char"] = made
            return made

    return CachedFace


def register() -> None:
    """Register both fonts with ReportLab (idempotent; from the metrics cache after the first run)."""
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics, ttfonts

    known = set(pdfmetrics.getRegisteredFontNames())
    missing = [name for name in _FILES if name not in known]
    if missing:
        plain_face = ttfonts.TTFontFace
        ttfonts.TTFontFace = _face_class()  # TTFont makes its face by this name
        try:
            for name in missing:
                file, index = _FILES[name]
                pdfmetrics.registerFont(ttfonts.TTFont(name, str(FONT_DIR / file), subfontIndex=index))
        finally:
            ttfonts.TTFontFace = plain_face
    # <b>/<i> inside a paragraph must stay in an embedded font: bold → 黑, italic → the same face.
    addMapping(SONG, 0, 0, SONG)
    addMapping(SONG, 1, 0, HEI)
    addMapping(SONG, 0, 1, SONG)
    addMapping(SONG, 1, 1, HEI)
    addMapping(KAI, 0, 0, KAI)
    addMapping(KAI, 1, 0, HEI)
    addMapping(KAI, 0, 1, KAI)
    addMapping(KAI, 1, 1, HEI)
    addMapping(HEI, 0, 0, HEI)
    addMapping(HEI, 1, 0, HEI)
    addMapping(HEI, 0, 1, HEI)
    addMapping(HEI, 1, 1, HEI)


def with_fallback(markup: str, font: str, other: str = SONG) -> str:
    """Paragraph ``markup`` to be set in ``font``, each run of characters ``font`` has no glyph
    for set in ``other`` instead (楷体 covers GB 2312; a rarer character of a name prints in
    宋体 rather than as an empty box). Tags and entities are ASCII, which every font has; control
    characters (the drafting marks) are left where they are."""
    from reportlab.pdfbase.pdfmetrics import getFont

    has = getFont(font).face.charToGlyph
    out: list[str] = []
    run: list[str] = []
    for ch in markup:
        if ord(ch) < 0x20 or ord(ch) in has:
            if run:
                out.append(f'<font name="{other}">{"".join(run)}</font>')
                run = []
            out.append(ch)
        else:
            run.append(ch)
    if run:
        out.append(f'<font name="{other}">{"".join(run)}</font>')
    return "".join(out)


def width(text: str, font: str, size: float) -> float:
    """The printed width of ``text`` in points."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    return stringWidth(text, font, size)
