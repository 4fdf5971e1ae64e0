"""The drafting toolkit (起草工具): figures, shares, changes, reasons and placeholders.

`DraftBase` holds one workbook and the phrasing of ``narrative.toml`` and answers the small
questions every sentence asks: a printed figure of a table (two decimals) or of last year, a
share (占 x%) or a change on last year (增加/减少 X 万元, 增长/下降 y%) computed exactly with
`Decimal` from the printed figures, the clerk's reason or figure for a key, or a placeholder
(【请填写：…】) that is also recorded in `placeholders` for the window to list.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property

from services.disclosure.blocks import PH_CLOSE, PH_OPEN, Block
from services.disclosure.texts import field as text_field
from services.disclosure.texts import narrative_spec
from services.money import ZERO, AmountError, format_plain, normalise, parse_amount, round_cent
from services.templates import TableSpec
from services.workbook import Cell, Workbook, code_level, parent_code


class _Fill(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


#: a line of the clerk's own text that is a sub-heading: "（一）绩效管理工作开展情况" (short, no full stop)
_SUBHEADING = re.compile(r"^[（(][一二三四五六七八九十]+[）)][^。；;]{1,28}$")
_REASON_PREFIXES = ("主要原因是：", "主要原因是:", "主要原因是", "主要原因：", "主要原因:", "原因是：", "原因是")
_TRAILING = "。；;，,. \u3000"


class DraftBase:
    """One workbook and the phrasing; collects the placeholders it had to print."""

    def __init__(self, wb: Workbook):
        self.wb = wb
        self.spec = narrative_spec()
        self.settings = self.spec["settings"]
        self.phrases = self.spec["phrases"]
        self.places = Decimal(1).scaleb(-int(self.settings["percent_places"]))
        self.placeholders: list[str] = []
        self.base = {"年度": str(wb.year), "部门": wb.department or self.placeholder("部门名称")}

    # ── small helpers ──────────────────────────────────────────────────────
    def fill(self, template: str, **values: str) -> str:
        return template.format_map(_Fill(self.base, **values))

    def placeholder(self, what: str) -> str:
        if what not in self.placeholders:
            self.placeholders.append(what)
        return PH_OPEN + self.settings["placeholder"].format(项目=what) + PH_CLOSE

    @cached_property
    def explained_reasons(self) -> dict[str, str]:
        from services.prior_check import reasons

        return reasons(self.wb)

    def clerk(self, key: str) -> str | None:
        text = (self.wb.texts.get(key) or "").strip()
        return text or None

    def value(self, table: TableSpec | None, row: str, col: int | None = None) -> Decimal:
        """A printed figure (two decimals) of this year's table; blank → 0."""
        if table is None:
            return ZERO
        col = col if col is not None else self._first_col(table, row)
        return round_cent(self.wb.get(Cell(table.no, row, col)) or ZERO)

    def prior(self, table: TableSpec | None, row: str, col: int | None = None) -> Decimal | None:
        if table is None:
            return None
        col = col if col is not None else self._first_col(table, row)
        v = self.wb.prior.get(Cell(table.no, row, col))
        return None if v is None else round_cent(v)

    def _first_col(self, table: TableSpec, row: str) -> int:
        cols = self.wb.row_columns(table.no, row)
        return cols[0] if cols else 1

    @staticmethod
    def amt(d: Decimal) -> str:
        return format_plain(d)

    def pct(self, part: Decimal, whole: Decimal) -> str | None:
        if whole == 0:
            return None
        return format((part * 100 / whole).quantize(self.places, rounding=ROUND_HALF_UP), "f")

    def pct0(self, part: Decimal, whole: Decimal) -> str:
        return self.pct(part, whole) or format(ZERO.quantize(self.places), "f")

    def share(self, part: Decimal, whole: Decimal) -> str:
        p = self.pct(part, whole)
        return self.fill(self.phrases["占比句"], 占比=p) if p is not None else ""

    def change(self, cur: Decimal, prev: Decimal | None) -> tuple[str, str]:
        """The change on last year as a phrase, and ``same`` / ``changed`` / ``unknown``."""
        if prev is None:
            return self.placeholder(self.phrases["无上年"]), "unknown"
        diff = cur - prev
        if diff == 0:
            return self.phrases["持平"], "same"
        if prev == 0:
            return self.fill(self.phrases["增加_上年为零"], 差额=self.amt(diff)), "changed"
        rate = self.pct(abs(diff), abs(prev)) or "0"
        key = "增加" if diff > 0 else "减少"
        return self.fill(self.phrases[key], 差额=self.amt(abs(diff)), 幅度=rate), "changed"

    @staticmethod
    def clean_reason(text: str) -> str:
        text = text.strip()
        for p in _REASON_PREFIXES:
            if text.startswith(p):
                text = text[len(p):].strip()
                break
        return text.rstrip(_TRAILING)

    def reason_text(self, key: str, what: str, needed: bool) -> str | None:
        """The clerk's reason (cleaned), a placeholder when needed and missing, else None; a
        reason the clerk gave as the explanation of a last-year comparison (`services.prior_check`)
        is the reason when none was written here."""
        text = self.clerk(key) or self.explained_reasons.get(key)
        if text:
            return self.clean_reason(text)
        return self.placeholder(what) if needed else None

    def reason_sentence(self, pattern: str, needed: bool, **subs: str) -> str:
        f = text_field(pattern, **subs)
        r = self.reason_text(f.key, f.what, needed)
        return self.fill(self.phrases["原因"], 原因=r) if r else ""

    def figure(self, pattern: str, **subs: str) -> Decimal | None:
        f = text_field(pattern, **subs)
        raw = self.clerk(f.key)
        if raw is None:
            return None
        try:
            return parse_amount(raw)
        except AmountError:
            return None

    def figure_text(self, pattern: str, default: Decimal | None = None, **subs: str) -> str:
        """A figure the clerk entered, as printed; a placeholder when it is missing."""
        f = text_field(pattern, **subs)
        v = self.figure(pattern, **subs)
        if v is None:
            v = default
        if v is None:
            raw = self.clerk(f.key)
            what = f.what if raw is None else f"{f.what}（“{raw}”不是数字）"
            return self.placeholder(what)
        return self.amt(round_cent(v)) if f.kind == "金额" else format(normalise(v), "f")

    def paragraphs(self, key: str, what: str, optional: bool = False) -> list[Block]:
        """The clerk's text as paragraphs (one per line), or a placeholder paragraph."""
        text = self.clerk(key)
        if text is None:
            return [] if optional else [Block("p", self.placeholder(what))]
        return [Block("h2" if _SUBHEADING.match(line.strip()) else "p", line.strip()) for line in text.splitlines() if line.strip()]

    def numeral(self, i: int) -> str:
        nums = self.settings["numerals"]
        return nums[i] if i < len(nums) else str(i + 1)

    def code_path(self, table: TableSpec, code: str, item: str) -> str:
        """一般公共服务支出（类）政府办公厅（室）及相关机构事务（款）行政运行（项）."""
        chain: list[str] = []
        c: str | None = code
        while c:
            chain.append(c)
            c = parent_code(c)
        parts = []
        for c in reversed(chain):
            name = self.wb.row_label(table.no, c) or c
            parts.append(item.format(名称=name, 级次=code_level(c)))
        return "".join(parts)

    def detail_codes(self, table: TableSpec) -> list[str]:
        """The codes 五（三） speaks of, one paragraph each: the 类, 款 or 项 with a figure, at the level
        the clerk chose (设置.具体情况级次) or the template's ``detail_level``; from the template's,
        one level up while there are more than ``detail_max_items`` (a large department, a 汇总)."""
        lengths = {"类": 3, "款": 5, "项": 7}
        chosen = (self.clerk("设置.具体情况级次") or "").strip("（）() 级")
        start = lengths.get(chosen) or lengths.get(str(self.settings.get("detail_level", "项")), 7)
        most = 0 if chosen in lengths else int(self.settings.get("detail_max_items", 0))
        codes: list[str] = []
        for n in (n for n in (7, 5, 3) if n <= start):
            codes = self.leaves(table) if n == 7 else [c for c in self.wb.codes(table.no) if len(c) == n and self.value(table, c, 1) != 0]
            if not most or len(codes) <= most:
                break
        return codes

    def leaves(self, table: TableSpec, col: int = 1) -> list[str]:
        """Codes without child rows in a coded table, with a non-zero figure in ``col``."""
        codes = self.wb.codes(table.no)
        parents = {parent_code(c) for c in codes}  # a set, not a scan per code: a 汇总 has thousands
        return [c for c in codes if c not in parents and self.value(table, c, col) != 0]
