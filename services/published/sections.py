"""A published document's text split into a year's texts, section by section (按标题分节).

Clerks number their headings the same way everywhere: 第一部分 … (the parts), 一、 (a section),
（一） (a sub-section), 1、 (an item, kept inside its section). The 概况's sections go to the keys the
disclosure prints (概况.部门职责 …), each 情况说明 section to ``情况说明.一、…`` (and ``.（一）…``); the
tables' part, the 名词解释 and the 附件 are left. A numbered line longer than a heading
(``heading_max_chars``) is a paragraph ("（一）贯彻执行国家…"), not a heading; a heading with nothing
under it (the 目录's lines) is dropped. The words are data: ``resources/texts/reading.toml``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from services.cache import bundled_toml
from services.disclosure.texts import TEXT_DIR

_PART = re.compile(r"^第[一二三四五六七八九十]+部分\s*(.*)$")
_LEVEL1 = re.compile(r"^[一二三四五六七八九十]+\s*[、.．]")
_LEVEL2 = re.compile(r"^[（(][一二三四五六七八九十]+[）)]")
#: a line that begins a new paragraph in a PDF (its lines are wrapped at the page's width)
_PARAGRAPH = re.compile(r"^(?:[一二三四五六七八九十]+\s*[、.．]|[（(][一二三四五六七八九十\d]+[）)]|\d{1,2}\s*[、.．](?!\d)|第[一二三四五六七八九十]+条|注[:：])")


@cache
def reading_spec() -> dict:
    return bundled_toml(TEXT_DIR / "reading.toml")


@dataclass
class _Section:
    part: str
    path: list[str]
    lines: list[str] = field(default_factory=list)


def paragraphs(lines: list[str]) -> list[str]:
    """A PDF's wrapped lines joined into paragraphs: a line goes on the previous one unless it
    begins like a paragraph (a number, （一）, 第X条) or the previous one is a part heading."""
    out: list[str] = []
    for line in (ln.strip() for ln in lines):
        if not line:
            continue
        after_part = bool(out and _PART.match(out[-1])) and len(line) > 6
        if out and not _PARAGRAPH.match(line) and not _PART.match(line) and not _is_short_heading(out[-1]) \
                and not after_part:
            out[-1] += line
        else:
            out.append(line)
    return out


def _is_short_heading(text: str) -> bool:
    """A heading line that is complete (a part's title may wrap: 第三部分 …决算情况 / 说明)."""
    return bool((_LEVEL1.match(text) or _LEVEL2.match(text)) and len(text) <= 30 and not text.endswith(("，", "、")))


def _part_of(title: str) -> str:
    for part, words in reading_spec()["parts"].items():
        if any(w in title for w in words):
            return part
    return ""


def split_sections(paras: list[str]) -> dict[str, str]:
    """The texts of a document's 概况 and 情况说明, by key (see the module's docstring)."""
    spec = reading_spec()
    limit = int(spec["settings"]["heading_max_chars"])
    sections: list[_Section] = []
    part = ""
    current: _Section | None = None
    skip = -1
    for i, para in enumerate(paras):
        if i == skip:
            continue
        m = _PART.match(para)
        if m:
            title = m.group(1)
            # a part title on the next line ("第一部分" / "某某局概况"), or wrapped ("…决算情况" / "说明")
            nxt = paras[i + 1] if i + 1 < len(paras) else ""
            if nxt and not _PARAGRAPH.match(nxt) and not _PART.match(nxt) and (not title or len(nxt) <= 6):
                title += nxt
                skip = i + 1
            part = _part_of(title)
            current = None
            continue
        if not part:
            continue
        if part == "名词解释":  # kept whole: its entries are numbered like sections, but are not
            if current is None or current.part != part:
                current = _Section(part, [])
                sections.append(current)
            current.lines.append(para)
            continue
        if current is not None and not current.lines and current.path and len(para) <= 6 and not _PARAGRAPH.match(para):
            current.path[-1] += para  # the rest of a heading that wrapped
            continue
        short = len(para) <= limit
        if _LEVEL1.match(para) and short:
            current = _Section(part, [para])
            sections.append(current)
        elif part == "情况说明" and _LEVEL2.match(para) and short and current is not None:
            current = _Section(part, [current.path[0], para])
            sections.append(current)
        elif current is not None:
            current.lines.append(para)
        else:  # text before the first section of the part
            current = _Section(part, [])
            current.lines.append(para)
            sections.append(current)
    out: dict[str, str] = {}
    for s in sections:
        text = "\n".join(s.lines).strip()
        if not text:
            continue
        key = _key(s, spec)
        out[key] = f"{out[key]}\n{text}" if key in out else text
    return out


def _key(s: _Section, spec: dict) -> str:
    settings = spec["settings"]
    if s.part == "名词解释":
        return str(settings["glossary_key"])
    heading = s.path[0] if s.path else ""
    if s.part == "概况":
        for entry in spec["overview"]:
            if any(w in heading for w in entry["words"]):
                return str(entry["key"])
        return f"{settings['overview_prefix']}.{heading or '概况'}"
    return ".".join([settings["narrative_prefix"], *s.path]) if s.path else settings["narrative_prefix"]


_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九", start=0)}


def _numeral(text: str) -> int:
    """一 → 1, 十一 → 11, 二十三 → 23 (the numbers headings are numbered with)."""
    m = re.match(r"^[（(]?([一二三四五六七八九十]+)", text)
    if not m:
        return 999
    s = m.group(1)
    if "十" in s:
        tens, _, ones = s.partition("十")
        return (_DIGITS.get(tens, 1) if tens else 1) * 10 + (_DIGITS.get(ones, 0) if ones else 0)
    return _DIGITS.get(s, 999)


def section_order(key: str) -> tuple[int, ...]:
    """A text key read by `split_sections` ordered as the document numbers it (一、 before 十一、)."""
    return tuple(_numeral(part) for part in key.split(".")[1:])
