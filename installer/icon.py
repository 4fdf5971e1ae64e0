"""The product's icon (图标), drawn from the bundled font: a red seal-like square with 决算.

``python installer/icon.py OUT_FOLDER`` writes ``disclosure-desk.png`` (256 px, the desktop entry's
and the window's) and ``disclosure-desk.ico`` (16–256 px, the Windows program's and installer's).
Drawn at build time with Pillow (a runtime requirement already), so no picture is kept in git
beyond the PNG the window shows (``resources/icons/``), which this also writes.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FONT = ROOT / "resources" / "fonts" / "wqy-microhei.ttc"
NAME = "disclosure-desk"
RED, PAPER = (192, 32, 38, 255), (255, 250, 240, 255)
ICO_SIZES = [(16, 16), (24, 24), (32, 32), (48, 48), (64, 64), (128, 128), (256, 256)]


def draw(size: int = 256):  # noqa: ANN201 - a PIL image
    from PIL import Image, ImageDraw, ImageFont

    img = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    m = size // 16
    d.rounded_rectangle((m, m, size - m, size - m), radius=size // 8, fill=RED)
    d.rounded_rectangle((3 * m, 3 * m, size - 3 * m, size - 3 * m), radius=size // 12, outline=PAPER, width=max(2, size // 40))
    font = ImageFont.truetype(str(FONT), int(size * 0.30))
    for i, ch in enumerate("决算"):  # stacked, as on a seal
        y = int(size * (0.32 + 0.36 * i))
        d.text((size / 2, y), ch, font=font, fill=PAPER, anchor="mm")
    return img


def write(folder: Path) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    img = draw(256)
    png, ico = folder / f"{NAME}.png", folder / f"{NAME}.ico"
    img.save(png, optimize=True)
    img.save(ico, sizes=ICO_SIZES)
    return png, ico


if __name__ == "__main__":
    for p in write(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "build" / "icon"):
        print(p)
