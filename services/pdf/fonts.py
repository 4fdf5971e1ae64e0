"""Fonts (字体): the two bundled CJK TrueType fonts, registered once for ReportLab.

Every style in the document names one of these two, so the PDF embeds (and subsets) them and
never falls back to an unembedded Helvetica: 宋体-style AR PL UMing for body text, tables and
page numbers, 黑体-style 文泉驿微米黑 for headings. ``<b>`` in a 宋 paragraph maps to 黑.
"""

from __future__ import annotations

import mmap
import os
from pathlib import Path

FONT_DIR = Path(__file__).resolve().parent.parent.parent / "resources" / "fonts"

SONG = "DDSong"  # 宋体 (AR PL UMing CN)
HEI = "DDHei"  # 黑体 (WenQuanYi Micro Hei)

_FILES = {SONG: ("uming.ttc", 0), HEI: ("wqy-microhei.ttc", 0)}


def cache_dir() -> Path:
    """Where the fonts' parsed metrics are kept between runs (the user's cache folder)."""
    override = os.environ.get("DISCLOSURE_DESK_CACHE")
    if override:
        return Path(override)
    from platformdirs import user_cache_path

    return user_cache_path("DisclosureDesk", appauthor=False) / "fonts"


def _face_class():  # noqa: ANN202 (a ReportLab class, made when ReportLab is loaded)
    """A TrueType face whose metrics (character map, widths, names: what ReportLab parses in Python
    from the 21 MB TTC, most of a clerk's wait before the first page) are read from a cache once
    parsed. Keyed by the file's name, size and time and ReportLab's version; a damaged or stale cache
    is parsed again. The font data itself is still read from the file (subsetting needs it)."""
    import pickle

    import reportlab
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFontFace

    class CachedFace(TTFontFace):
        def __init__(self, filename, validate=0, subfontIndex=0):  # noqa: ANN001, N803 (ReportLab's signature)
            st = os.stat(filename)
            key = f"{Path(filename).name}-{subfontIndex}-{st.st_size}-{st.st_mtime_ns}-{reportlab.Version}.pickle"
            cache = cache_dir() / key
            try:
                state = pickle.loads(cache.read_bytes())  # our own cache folder, written below
                pdfmetrics.TypeFace.__init__(self, None)
                self.__dict__.update(state)
                mult = 1000 / self.unitsPerEm  # ReportLab's scale to PDF units, a lambda it made (not kept)
                self._pdfScale = (lambda x: x) if self.unitsPerEm == 1000 else (lambda x: x * mult)
                with open(filename, "rb") as f:  # mapped, not read: a subset reads only its glyphs
                    self._ttf_data = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
                return
            except Exception:  # noqa: BLE001 (no cache yet, or a damaged one: parse the file)
                pass
            super().__init__(filename, validate=validate, subfontIndex=subfontIndex)
            try:
                cache.parent.mkdir(parents=True, exist_ok=True)
                tmp = cache.with_name(f"{cache.name}.{os.getpid()}.part")
                tmp.write_bytes(pickle.dumps({k: v for k, v in self.__dict__.items() if k not in ("_ttf_data", "_pdfScale")}))
                tmp.replace(cache)
            except Exception:  # noqa: BLE001 (a read-only home, a full disk: no cache, parsed each time)
                pass

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
    addMapping(HEI, 0, 0, HEI)
    addMapping(HEI, 1, 0, HEI)
    addMapping(HEI, 0, 1, HEI)
    addMapping(HEI, 1, 1, HEI)


def width(text: str, font: str, size: float) -> float:
    """The printed width of ``text`` in points."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    return stringWidth(text, font, size)
