"""A Word file's paragraphs, in order (读取 Word 文件), for `services.published.sections`.

python-docx reads the body's paragraphs as typed; headings are found by the numbers clerks type
(一、 （一）). A number Word's own list numbering draws is not in the text and is not recovered
here. Tables are counted, not read: the texts are what this import is for.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

MAX_BYTES = 64 * 1024 * 1024


class DocxReadError(ValueError):
    """The file cannot be read as a Word file; `str()` is one line in Chinese."""


@dataclass
class DocxText:
    paragraphs: list[str]
    tables: int


def read_docx(path: Path) -> DocxText:
    if path.is_dir():
        raise DocxReadError(f"“{path.name}”是一个文件夹，不是 Word 文件")
    if not path.is_file():
        raise DocxReadError(f"找不到文件“{path.name}”")
    if path.stat().st_size > MAX_BYTES:
        raise DocxReadError(f"“{path.name}”超过 {MAX_BYTES // (1024 * 1024)} MB，不像部门决算的文字，未读取")
    with path.open("rb") as f:
        head = f.read(8)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise DocxReadError(f"“{path.name}”是旧版 Word（.doc）文件，无法读取；请在 Word 中另存为 .docx 后再导入")
    if not head.startswith(b"PK") or not zipfile.is_zipfile(path):
        raise DocxReadError(f"“{path.name}”不是 Word（.docx）文件，无法读取")
    import docx  # lazy: python-docx and lxml are not needed at start-up

    try:
        document = docx.Document(str(path))
    except Exception as e:  # a damaged package fails inside python-docx or lxml in many ways
        raise DocxReadError(f"“{path.name}”已损坏或不是有效的 Word 文件，无法读取（{type(e).__name__}）") from None
    paras = [p.text.strip() for p in document.paragraphs if p.text.strip()]
    return DocxText(paras, len(document.tables))
