"""One identity per department (部门身份): its name and code as one spelling, wherever they enter.

A clerk types a code full-width (１０１００１), with a trailing space or a zero-width character
pasted from a web page; the name comes from an Excel cell with a line break. Told apart as typed,
one department becomes two or three in the district's 汇总 and is summed as many times. So every
place a name or code enters — the window's 部门 fields, the import, the seal, the gate, the
roster — passes it through `department_name` / `department_code`; `department_key` is how the
district tells departments apart, and `district_department` matches a submission to the
department the district already knows (by code, then through the roster or earlier submissions
by name), so a department that adds its code later stays one department and the bureau is told.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

#: Department codes are short letters and digits (e.g. 101001, 2-digit 区划 + 单位 parts with '-' or '.').
CODE = re.compile(r"[0-9A-Z][0-9A-Z\-.]{0,29}")
_SPACES = re.compile(r"\s+")


class CodeError(ValueError):
    """A department code that is not one; ``str()`` says why, to follow “部门代码”."""


def clean_text(value: object, nfkc: bool = True) -> str:
    """NFKC (unless not asked), without control, format (zero-width, bidi) or other invisible
    characters; runs of whitespace (line breaks included) become one space, none at either end."""
    if value is None:
        return ""
    s = unicodedata.normalize("NFKC", str(value)) if nfkc else str(value)
    s = "".join(ch if unicodedata.category(ch)[0] != "C" else (" " if ch in "\t\n\r\v\f" else "") for ch in s)
    return _SPACES.sub(" ", s).strip()


def department_name(value: object) -> str:
    """A department's name as it is printed, cleaned: no invisible characters, no spaces at the
    ends or between Chinese characters (a narrow cell's line break). Its printed forms stay —
    （改） is not turned into (改) — and `name_key` compares names in one spelling."""
    s = clean_text(value, nfkc=False)
    # "某某区 财政局" split over a line in a cell is the same name; a space between two Latin words stays
    return re.sub(r"(?<=[^\x00-\x7f]) (?=[^\x00-\x7f])", "", s)


def name_key(value: object) -> str:
    """A name for comparison: `department_name` in NFKC (full-width and half-width alike)."""
    return department_name(unicodedata.normalize("NFKC", department_name(value)))


def ascii_digits(s: str) -> str:
    """Any script's decimal digits as ASCII (١٠١ and ১০১ → 101); NFKC leaves them as they are."""
    return "".join(str(unicodedata.digit(ch)) if ch.isdigit() and not ch.isascii() and unicodedata.category(ch) == "Nd"
                   else ch for ch in s)


def normal_code(value: object) -> str:
    """The code's one spelling, without judging it: NFKC, no whitespace or invisible characters,
    any script's digits as ASCII (١٠١ → 101), letters upper-case."""
    s = _SPACES.sub("", clean_text(value))
    return ascii_digits(s).upper()


def department_code(value: object) -> str:
    """`normal_code`, and `CodeError` unless it is a code (empty is allowed: no code)."""
    s = normal_code(value)
    if s and not CODE.fullmatch(s):
        raise CodeError(f"“{printable(s)[:30]}”无效（应为字母和数字，最多 30 个）")
    return s


def department_key(code: str, name: str) -> str:
    """How the district tells departments apart: the code, or the name when there is none."""
    code = normal_code(code)
    return code or f"名称:{name_key(name)}"


def printable(text: object, keep: str = "") -> str:
    """A text safe to print on one line of a terminal, a log or a PDF: control and format
    characters (escape sequences, line breaks, bidi overrides) shown as ``\\x1b``, ``\\n``, ``\\u202e``;
    those in ``keep`` (a stream's own ``"\\n\\t"``) pass."""
    s = str(text)
    if s.isprintable():
        return s
    return "".join(ch.encode("unicode_escape").decode("ascii")
                   if ch not in keep and unicodedata.category(ch) in _UNPRINTABLE else ch for ch in s)


#: control, format (zero-width, bidi), line and paragraph separators, surrogates
_UNPRINTABLE = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})


# ── matching a submission to a department the district knows ─────────────
@dataclass(frozen=True)
class Match:
    key: str
    #: what the bureau is told when the match was not by the key as sent ("" otherwise)
    note: str = ""
    #: the registered department to re-key to ``key`` (it was registered without this code)
    rekey: str | None = None


class Ambiguous(ValueError):
    """Two or more departments fit and nothing tells them apart; ``str()`` is the reason."""


def match(code: str, name: str, known: list[tuple[str, str, str]], roster: list[tuple[str, str]]) -> Match:
    """The district key for a submission's ``code`` and ``name``.

    ``known``: the departments registered so far as (key, code, name); ``roster``: (code, name).
    A department that sent no code is matched to the one coded department of its name (on the
    roster or registered); one that sends its code for the first time takes over the department
    registered under its name without a code. Raises `Ambiguous` when a name fits several
    departments and no code decides.
    """
    code, name = normal_code(code), name_key(name)
    key = department_key(code, name)
    by_key = {department_key(k_code, k_name) if k.startswith("名称:") else normal_code(k): k
              for k, k_code, k_name in known}
    if key in by_key:
        return Match(by_key[key])
    if code:
        names = {name} | {name_key(n) for c, n in roster if normal_code(c) == code}
        plain = [by_key[f"名称:{n}"] for n in sorted(names) if f"名称:{n}" in by_key]
        if len(plain) == 1:
            return Match(key, f"与此前未填部门代码的“{printable(plain[0][3:])}”为同一部门，已登记其代码 {code}",
                         rekey=plain[0])
        return Match(key)
    coded = sorted({normal_code(k_code) for k, k_code, k_name in known if k_code and name_key(k_name) == name}
                   | {normal_code(c) for c, n in roster if c and name_key(n) == name})
    if len(coded) == 1:
        known_key = by_key.get(coded[0], coded[0])
        return Match(known_key, f"未填部门代码，按名称认作代码 {coded[0]} 的部门")
    if len(coded) > 1:
        raise Ambiguous(f"未填部门代码，而名称“{printable(name)[:60]}”对应多个部门（代码 {'、'.join(coded[:5])}），"
                        "无法确定是哪个部门；请部门填写部门代码后重新生成上报文件")
    return Match(key)
