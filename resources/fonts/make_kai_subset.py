"""How ``ukai-gb2312.ttf`` was made (run once by hand; not part of the build).

AR PL UKai CN (face 0 of Debian's ``fonts-arphic-ukai`` 0.2.20080216.2-5, ``ukai.ttc``), cut down
with fontTools 4.60.1 to the characters of GB 2312 plus ASCII and the full-width forms: the
（一）-level headings of the 情况说明 (二级标题, 楷体 as GB/T 9704 asks) are printed in it, and a
character outside it falls back to 宋体 (`services.pdf.fonts.kai_markup`). The Arphic Public
License (``LICENSE-arphic-ukai.txt``) allows such a modification with a notice in the file, which
this script writes into the font's copyright and version strings.

    pip install fonttools==4.60.1
    python resources/fonts/make_kai_subset.py /usr/share/fonts/truetype/arphic/ukai.ttc
"""

from __future__ import annotations

import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection

NOTICE = ("Modified 2026-12-01 for 决算公开助手 (Disclosure Desk): subset of AR PL UKai CN to GB 2312, "
          "ASCII and full-width forms with fontTools 4.60.1 (resources/fonts/make_kai_subset.py).")


def gb2312() -> set[int]:
    chars = set(range(0x20, 0x7F)) | set(range(0xFF01, 0xFF5F)) | set(range(0x3000, 0x3040))
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                chars.add(ord(bytes([hi, lo]).decode("gb2312")))
            except UnicodeDecodeError:
                pass
    return chars


def main(source: str) -> None:
    font = TTCollection(source).fonts[0]
    options = subset.Options()
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.layout_features = []
    sub = subset.Subsetter(options)
    sub.populate(unicodes=sorted(gb2312() & set(font.getBestCmap())))
    sub.subset(font)
    for record in font["name"].names:
        if record.nameID in (0, 5):
            record.string = f"{record.toUnicode()} {NOTICE}"
    out = Path(__file__).with_name("ukai-gb2312.ttf")
    font.save(out)
    print(out, out.stat().st_size, len(font.getBestCmap()))


if __name__ == "__main__":
    main(sys.argv[1])
