"""The audit-rule notation (审核公式) of the templates, parsed into a small syntax tree.

The notation follows how the official reporting software prints its formulas
("27 行 = (1+…+8) 行", "1 栏各行 = (2+…+7) 栏各行"), see the header of a template file:

    行27 = Σ 行1..8                      每行：栏1 = 栏2..7
    行29 + 行1 − 行59 栏3 = 行60 栏3       每个类：表01 该类 = 表03 该类 栏1
    每个类 = Σ 其款    每个款 = Σ 其项    合计 = Σ 类    上级科目存在
    {人员经费合计} = [301] + [303]        栏12 ≥ 表06 [30217]

`parse_rule` returns a `Formula`, `Hierarchy` or `ParentsExist`; a syntax error raises
`RuleSyntaxError` (templates are ours and are validated by a test, so this is never user data).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

EACH_ROW = "每行"
EACH_CLASS = "每个类"


class RuleSyntaxError(ValueError):
    pass


@dataclass(frozen=True)
class RowSel:
    """Which row(s): by 行次 (``line``..``line_to``), by id, by code, or 该类 (``this_class``)."""

    line: int | None = None
    line_to: int | None = None
    id: str | None = None
    code: str | None = None
    this_class: bool = False


@dataclass(frozen=True)
class Ref:
    table: str | None
    row: RowSel | None
    col: int | None = None
    col_to: int | None = None


@dataclass(frozen=True)
class Term:
    sign: int
    ref: Ref | None = None
    const: Decimal | None = None


@dataclass(frozen=True)
class Formula:
    scope: str  # "" | 每行 | 每个类
    lhs: tuple[Term, ...]
    cmp: str  # "=" | "≥" | "≤"
    rhs: tuple[Term, ...]


@dataclass(frozen=True)
class Hierarchy:
    """``每个类 = Σ 其款``: a parent level equals the sum of its children, column by column."""

    parent: str  # 类 | 款 | 合计
    child: str  # 款 | 项 | 类


@dataclass(frozen=True)
class ParentsExist:
    """``上级科目存在``: every 款 and 项 row has its parent row in the table."""


Rule = Formula | Hierarchy | ParentsExist

_TOKEN = re.compile(
    r"""\s*(?:
      (?P<table>表(?P<tno>\d+))
    | (?P<line>行(?P<l1>\d+)(?:\.\.(?P<l2>\d+))?)
    | (?P<col>栏(?P<c1>\d+)(?:\.\.(?P<c2>\d+))?)
    | \{(?P<id>[^}]+)\}
    | \[(?P<code>\d+)\]
    | (?P<total>合计)
    | (?P<cls>该类)
    | (?P<sigma>Σ)
    | (?P<cmp>>=|<=|≥|≤|=)
    | (?P<sign>[+\-−])
    | (?P<num>\d+(?:\.\d+)?)
    )""",
    re.VERBOSE,
)
_HIER = re.compile(r"^\s*(每个类|每个款|合计)\s*=\s*Σ?\s*(其款|其项|类)\s*$")
_SCOPE = re.compile(r"^\s*(每行|每个类)\s*[：:]\s*")
_CMP = {">=": "≥", "<=": "≤", "≥": "≥", "≤": "≤", "=": "="}


def _tokens(text: str) -> list[tuple[str, re.Match[str]]]:
    out, pos = [], 0
    text = text.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise RuleSyntaxError(f"看不懂“{text[pos:]}”（在“{text}”中）")
        kind = next(k for k in ("table", "line", "col", "id", "code", "total", "cls", "sigma", "cmp", "sign", "num") if m.group(k) is not None)
        out.append((kind, m))
        pos = m.end()
    return out


def parse_rule(text: str) -> Rule:
    if text.strip() == "上级科目存在":
        return ParentsExist()
    h = _HIER.match(text)
    if h:
        parent = {"每个类": "类", "每个款": "款", "合计": "合计"}[h.group(1)]
        child = {"其款": "款", "其项": "项", "类": "类"}[h.group(2)]
        if (parent, child) not in {("类", "款"), ("款", "项"), ("合计", "类")}:
            raise RuleSyntaxError(f"层级公式不对：{text}")
        return Hierarchy(parent, child)
    scope = ""
    m = _SCOPE.match(text)
    if m:
        scope = m.group(1)
        text = text[m.end():]
    toks = _tokens(text)
    sides: list[list[Term]] = [[]]
    cmp: str | None = None
    table: str | None = None
    sign = 1
    cur: dict | None = None

    def flush() -> None:
        nonlocal cur, sign
        if cur is not None:
            sides[-1].append(Term(sign, ref=Ref(cur["table"], cur["row"], cur["c1"], cur["c2"])))
            cur = None
            sign = 1

    for kind, m in toks:
        if kind in ("sign", "cmp"):
            flush()
            if kind == "cmp":
                if cmp is not None:
                    raise RuleSyntaxError(f"公式中有两个比较符：{text}")
                cmp = _CMP[m.group("cmp")]
                sides.append([])
            else:
                sign = 1 if m.group("sign") == "+" else -1
            continue
        if kind == "sigma":
            continue
        if kind == "num":
            if cur is not None:
                raise RuleSyntaxError(f"数字前缺少运算符：{text}")
            sides[-1].append(Term(sign, const=Decimal(m.group("num"))))
            sign = 1
            continue
        if kind == "table":
            flush()
            table = m.group("tno").zfill(2)
            cur = {"table": table, "row": None, "c1": None, "c2": None}
            continue
        if cur is None:
            cur = {"table": table, "row": None, "c1": None, "c2": None}
        if kind == "col":
            if cur["c1"] is not None:
                flush()
                cur = {"table": table, "row": None, "c1": None, "c2": None}
            cur["c1"] = int(m.group("c1"))
            cur["c2"] = int(m.group("c2")) if m.group("c2") else None
            continue
        if cur["row"] is not None or cur["c1"] is not None:
            flush()
            cur = {"table": table, "row": None, "c1": None, "c2": None}
        if kind == "line":
            l2 = m.group("l2")
            cur["row"] = RowSel(line=int(m.group("l1")), line_to=int(l2) if l2 else None)
        elif kind == "id":
            cur["row"] = RowSel(id=m.group("id").strip())
        elif kind == "total":
            cur["row"] = RowSel(id="合计")
        elif kind == "code":
            cur["row"] = RowSel(code=m.group("code"))
        elif kind == "cls":
            cur["row"] = RowSel(this_class=True)
    flush()
    if cmp is None or len(sides) != 2 or not sides[0] or not sides[1]:
        raise RuleSyntaxError(f"公式需要“左边 比较符 右边”：{text}")
    for side in sides:
        for t in side:
            if t.ref and t.ref.row is None and t.ref.col is None:
                raise RuleSyntaxError(f"引用“表{t.ref.table}”没有指定行或栏：{text}")
            if t.ref and t.ref.row and t.ref.row.this_class and scope != EACH_CLASS:
                raise RuleSyntaxError(f"“该类”只能用在“每个类：”公式中：{text}")
    return Formula(scope, tuple(sides[0]), cmp, tuple(sides[1]))
