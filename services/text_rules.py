"""The text rules inspections apply to a 情况说明 (公开质量检查的文字规则).

Beyond the figures that contradict the tables (`services.narrative_check`), inspections of
published disclosures find words that contradict themselves: 增加 with a fall or with nothing
("减少为0.00万元，与上年持平"), a rate on a zero base ("增长100%" on nothing, "完成预算的0%" of a
budget of 0), a share without % ("占76.23"), a blank of the template left in ("占 %，比上年减少
万元", "202 年度"), one quantity given two values, 完成年初预算 reckoned on the full-year budget,
another department's name, a share or a 其中 list that its own figures do not give. Each rule is a
function over the clerk's texts; the words are data (``resources/texts/text_rules.toml``). Every
finding is a warning that quotes the words and says where; none reads a table that was read only
in part or holds nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from decimal import Decimal, InvalidOperation
from functools import cache

from services.cache import bundled_toml
from services.disclosure.texts import TEXT_DIR, find_table, narrative_spec
from services.findings import TEXT_TABLE, Finding, fmt
from services.performance.model import FORMS_KEY
from services.templates import WARNING
from services.workbook import INCOMPLETE_KEY, Cell, Workbook

_NUM = r"-?\d[\d,]*(?:\.\d+)?"
_AMOUNT = re.compile(rf"({_NUM})\s*万元")
_SENTENCE = re.compile(r"[^。！？!?\n]+")
#: keys that hold a figure, a setting or data (the 绩效 forms' JSON, the import's record), not the clerk's words
_NOT_WORDS = ("数据.", "设置.", "封面.", "导入.", "绩效.forms")
TEXT_TITLE = "情况说明（文字）"


@cache
def rules_spec() -> dict:
    return bundled_toml(TEXT_DIR / "text_rules.toml")


def _dec(s: str) -> Decimal | None:
    try:
        return Decimal(s.replace(",", ""))
    except InvalidOperation:
        return None


def _places(s: str) -> int:
    return len(s.split(".")[1]) if "." in s else 0


def clerk_texts(wb: Workbook) -> Iterator[tuple[str, str]]:
    """(key, text) of every text in the clerk's words."""
    for key in sorted(wb.texts):
        if key == INCOMPLETE_KEY or key == FORMS_KEY or key.startswith(_NOT_WORDS):
            continue
        text = (wb.texts[key] or "").strip()
        if text:
            yield key, text


def _finding(rule: str, key: str, quote: str, message: str, expected: Decimal | None = None,
             actual: Decimal | None = None, rounding: bool = False) -> Finding:
    diff = actual - expected if expected is not None and actual is not None else None
    return Finding(
        rule=rule, severity=WARNING, table=TEXT_TABLE, table_title=TEXT_TITLE, row=key, column="",
        message=f"说明文字“{key}”中“{quote.strip()}”：{message}" + ("；可能为尾数差异，请核对" if rounding else ""),
        expected=expected, actual=actual, difference=diff, possible_rounding=rounding,
    )


# ── 一、增减方向 ────────────────────────────────────────────────────────────────
def direction(wb: Workbook, key: str, text: str) -> list[Finding]:
    spec = rules_spec()["direction"]
    up, down, flat = "|".join(spec["up"]), "|".join(spec["down"]), "|".join(spec["flat"])
    zero = re.compile(rf"(?:{up}|{down})了?为?\s*(?:-?0(?:\.0+)?)\s*(?:万元|%)")
    pair = re.compile(rf"({up}|{down})了?\s*({_NUM})\s*万元[，,]\s*({up}|{down})了?\s*({_NUM})\s*%")
    out: list[Finding] = []
    sentences = _SENTENCE.findall(text)
    for i, s in enumerate(sentences):
        m = zero.search(s)
        if m and not re.search(r"为\s*0", m.group(0)):  # "减少为0" is a fall to nothing, not a change of 0
            out.append(_finding(spec["rule"], key, m.group(0), "增减的金额或幅度为零，应写“持平”"))
        elif m and re.search(flat, s):
            out.append(_finding(spec["rule"], key, s, "同一句中既写增减又写“持平”"))
        for p in pair.finditer(s):
            a, b = p.group(1) in spec["up"], p.group(3) in spec["up"]
            if a != b:
                out.append(_finding(spec["rule"], key, p.group(0), f"金额写“{p.group(1)}”，幅度却写“{p.group(3)}”"))
            elif (_dec(p.group(2)) or 0) < 0 or (_dec(p.group(4)) or 0) < 0:
                out.append(_finding(spec["rule"], key, p.group(0), "增减词后面的数字为负数"))
        if re.search(flat, s) and not re.search(rf"(?:{up}|{down})了?为?\s*{_NUM}", s) and i + 1 < len(sentences):
            nxt = sentences[i + 1].lstrip()
            if nxt.startswith(tuple(spec["reason"])) and re.search(rf"(?:{up}|{down})", nxt):
                word = re.search(rf"(?:{up}|{down})", nxt)
                assert word is not None
                out.append(_finding(spec["rule"], key, f"{s}。{nxt}",
                                    f"写的是“持平”，所说的原因却是“{word.group(0)}”"))
    return out


# ── 二、零基数 ──────────────────────────────────────────────────────────────────
def zero_base(wb: Workbook, key: str, text: str) -> list[Finding]:
    spec = rules_spec()["zero_base"]
    out: list[Finding] = []
    rates = "|".join(spec["rate_words"])
    done = "|".join(re.escape(w) for w in spec["completion_words"])
    budget_of = _budget_cells(wb)
    for s in _SENTENCE.findall(text):
        m = re.search(rf"(?:上年|上年度|\d{{4}}年度?)(?:决算数?|支出)?为\s*0(?:\.0+)?\s*万元.*?(?:{rates})\s*({_NUM})\s*%", s)
        if m:
            out.append(_finding(spec["rule"], key, m.group(0), "上年为零，增减幅度无从计算，应只写增减金额"))
        # an item's budget, actual, change and rates are one part of a list ("其中：A…；B…")
        for c in re.split(r"[；;]|其中[:：]?", s):
            m = re.search(rf"增加\s*({_NUM})\s*万元[^；;]*?增长\s*100(?:\.0+)?\s*%", c)
            if m and _base_zero(c, m):
                out.append(_finding(spec["rule"], key, c, "增加额等于本年数，上年为零，“增长100%”无从谈起"))
            m = re.search(rf"(?:{done})\s*({_NUM})\s*%", c)
            if not m:
                continue
            # "预算为0万元，决算为0万元，完成预算的0%" is the template's phrase for nothing at all; a rate
            # other than 0, or money spent on a budget of 0, is a rate on a zero base
            actual = re.search(rf"决算(?:数)?为\s*({_NUM})\s*万元", c)
            if not (_dec(m.group(1)) or (actual and _dec(actual.group(1)))):
                continue
            if re.search(r"预算(?:数)?为\s*0(?:\.0+)?\s*万元", c):
                out.append(_finding(spec["rule"], key, c, "预算为零，完成率无从计算"))
                continue
            if re.search(rf"预算(?:数)?为\s*{_NUM}\s*万元", c):
                continue  # the budget it states is checked against the table by the narrative check
            for name, cell in budget_of.items():  # "因公出国（境）费决算为5.00万元，完成预算的100%", its budget 0
                if c.lstrip().startswith(name) and wb.get(cell) in (None, Decimal(0)):
                    out.append(_finding(spec["rule"], key, c,
                                        f"公开{cell.table}表中{name}的预算数为 0，完成率无从计算"))
                    break
    return out


def _base_zero(sentence: str, m: re.Match) -> bool:
    """Whether the amount before "增加X万元" in the sentence is X itself (last year was nothing)."""
    before = _AMOUNT.findall(sentence[: sentence.find(m.group(0))])
    return bool(before) and _dec(before[-1]) == _dec(m.group(1))


def _budget_cells(wb: Workbook) -> dict[str, Cell]:
    """The 三公 items' 预算数 cells, by the names a text gives them (from ``narrative.toml``),
    only when the 三公 table has figures and was read whole."""
    section = next((s for s in narrative_spec()["narrative"]["section"] if s["id"] == "三公"), None)
    t = find_table(wb.template, "三公表")
    if section is None or t is None or not _readable(wb, t.no):
        return {}
    row = next((r.key for r in t.rows if r.key), None)
    if row is None:
        return {}
    out = {item["name"]: Cell(t.no, row, int(item["budget"])) for item in section["items"]}
    out["公务用车购置及运行维护费"] = Cell(t.no, row, int(section["vehicles"]["budget"]))
    return dict(sorted(out.items(), key=lambda kv: -len(kv[0])))


def _readable(wb: Workbook, table: str) -> bool:
    return table not in wb.incomplete() and any(c.table == table for c in wb.values)


# ── 三、占比缺% ─────────────────────────────────────────────────────────────────
def share_unit(wb: Workbook, key: str, text: str) -> list[Finding]:
    spec = rules_spec()["share_unit"]
    units = "|".join(spec["units"])
    pattern = re.compile(rf"占(?:比|[^，。；\d%]{{0,14}}?的)?\s*({_NUM})(?!\s*(?:[\d.%％]|{units}))")
    return [_finding(spec["rule"], key, m.group(0), "占比没有写“%”") for m in pattern.finditer(text)]


# ── 四、模板空白 ────────────────────────────────────────────────────────────────
def blank(wb: Workbook, key: str, text: str) -> list[Finding]:
    spec = rules_spec()["blank"]
    words = "|".join(sorted(spec["before_unit"], key=len, reverse=True))
    units = "|".join(re.escape(u) for u in spec["units"])
    out: list[Finding] = []
    for m in re.finditer(rf"(?:{words})[ \u3000]*(?:{units})", text):
        if any(text[max(0, m.start() - 4):m.start()].endswith(w) or w in text[max(0, m.start() - 4):m.start()]
               for w in spec["not_after"]):
            continue
        out.append(_finding(spec["rule"], key, text[max(0, m.start() - 6):m.end() + 6], "数字没有填写（模板的空白）"))
    for m in re.finditer(r"(?<!\d)(20\d|20[XxＸ×]{2}|[XxＸ×]{2,})\s*年", text):
        out.append(_finding(spec["rule"], key, text[m.start():m.end() + 4], "年度没有填完整"))
    for m in re.finditer(rf"[XＸ×]{{2,}}\s*(?:{units})", text):
        out.append(_finding(spec["rule"], key, m.group(0), "数字没有填写（模板的占位符）"))
    for sentence in _SENTENCE.findall(text):  # "与上年相比减少（增加）0万元，减少（增长）0%": one finding a sentence
        pairs = re.findall(r"(?:增加|减少|增长|下降|大于|小于)[（(](?:增加|减少|增长|下降|大于|小于)[）)]", sentence)
        if pairs:
            words = "”“".join(dict.fromkeys(pairs))
            out.append(_finding(spec["rule"], key, sentence, f"模板的“{words}”没有选定其中一个词"))
    for mark in spec["marks"]:
        if mark in text:
            i = text.index(mark)
            out.append(_finding(spec["rule"], key, text[i:i + 20], "模板的占位文字或 Word 域代码留在了文字中"))
    return out


# ── 六、完成年初预算 ────────────────────────────────────────────────────────────
def completion(wb: Workbook, key: str, text: str) -> list[Finding]:
    spec = rules_spec()["completion"]
    full = "|".join(spec["full_year"])
    out: list[Finding] = []
    stated = re.compile(rf"(年初预算|{full}|预算)(?:数)?(?:为|是)\s*({_NUM})\s*万元[，,]\s*(?:支出)?决算(?:数)?为\s*({_NUM})\s*万元"
                        rf"[，,]\s*完成(年初预算|预算|{full})的?\s*({_NUM})\s*%")
    for m in stated.finditer(text):
        budget, actual, rate = _dec(m.group(2)), _dec(m.group(3)), m.group(5)
        said = _dec(rate)
        stated_kind, said_kind = m.group(1), m.group(4)
        if (said_kind == "年初预算" and re.fullmatch(full, stated_kind)) or \
                (stated_kind == "年初预算" and re.fullmatch(full, said_kind)):
            out.append(_finding(spec["rule"], key, m.group(0), f"所写的预算是“{stated_kind}”，完成率却称“完成{said_kind}”"))
            continue
        if budget is None or actual is None or said is None or budget == 0:
            continue  # a budget of 0 is the zero-base rule's
        exact = actual / budget * 100
        if abs(exact - said) >= Decimal(1).scaleb(-_places(rate)) + Decimal("0.005"):
            out.append(_finding(spec["rule"], key, m.group(0),
                                f"按所写数字，完成率为 {exact:.2f}%，与所写的 {rate}% 不符（是否按另一个预算数计算）",
                                expected=exact.quantize(Decimal("0.01")), actual=said))
    return out


# ── 七、部门名称 ────────────────────────────────────────────────────────────────
def department(wb: Workbook, key: str, text: str) -> list[Finding]:
    """The name a text gives the department whose year it reports ("某某局2024年度收入…") against the
    file's own. Only a full name (a place of two characters or more, then the body: 武汉市汉阳区 +
    教育局) that shares its place or its body with the file's department is compared: a short form
    (普陀区财政局 for 上海市普陀区财政局) is the same department, a superior (上海市财政局) or
    another body named in passing (区财政局 in "按照区财政局2024年度要求") is not a wrong name."""
    spec = rules_spec()["department"]
    own = wb.department.strip()
    places = "".join(spec["places"])
    suffixes = "|".join(sorted(spec["suffixes"], key=len, reverse=True))
    full = re.compile(rf"^((?:[\u4e00-\u9fff]{{2,8}}?[{places}])+)([\u4e00-\u9fff]{{1,14}}?(?:{suffixes}))$")
    own_name = full.match(own)
    if own_name is None:
        return []
    own_place, own_body = own_name.groups()
    lead = tuple(spec["lead_words"])
    subject = re.compile(r"([\u4e00-\u9fff]{4,40}?)\s*(?:(?:19|20)\d{2}\s*年度?|部门决算)")
    out: list[Finding] = []
    seen: set[str] = set()
    for m in subject.finditer(text):
        name = m.group(1)
        while name.startswith(lead):  # "纳入上海市…", "根据区财政局…"
            name = name[next(len(w) for w in lead if name.startswith(w)):]
        found = full.match(name)
        if found is None or name in seen or own.endswith(name) or name.endswith(own):
            continue
        place, body = found.groups()
        mine, theirs = _segments(own_place, places), _segments(place, places)
        # the first level of a name found in a sentence may carry words before it ("并对照武汉市")
        same = [a == b or (i == 0 and a.endswith(b)) for i, (a, b) in enumerate(zip(theirs, mine))]
        tail = [a == b or (i == 0 and a.endswith(b)) for i, (a, b) in enumerate(zip(theirs, mine[-len(theirs):]))]
        same_place = len(theirs) == len(mine) and all(same)
        if body == own_body and (all(same) or all(tail)):
            continue  # the department itself, a superior (武汉市信访局) or a short form (汉阳区信访局)
        if not (same_place or body == own_body):
            continue  # another body elsewhere: named in passing
        seen.add(name)
        out.append(_finding(spec["rule"], key, m.group(0),
                            f"文字中的部门“{name}”与本文件的部门“{own}”不同，是否沿用了其他部门或年度的文字"))
    return out


# ── 五、前后不一致；八、占比；九、其中 ───────────────────────────────────────────
def _segments(place: str, places: str) -> list[str]:
    """A place by its levels: 上海市普陀区 → [上海市, 普陀区]."""
    return re.findall(rf"[^{places}]+[{places}]", place)


def _names(wb: Workbook) -> list[str]:
    """The quantities with one meaning anywhere in a 情况说明: the listed names and table 06's
    economic 款 (a 基本支出 or a 类 may be the total or one fund's, so they are not here)."""
    names = set(rules_spec()["twice"]["names"])
    t = find_table(wb.template, "基本支出表")
    if t is not None:
        names |= {n for code in wb.codes(t.no) if len(code) == 5 and len(n := wb.row_label(t.no, code)) >= 4}
    return sorted(names, key=len, reverse=True)


def twice(wb: Workbook, texts: list[tuple[str, str]]) -> list[Finding]:
    """The same quantity with two different amounts, anywhere in the texts."""
    spec = rules_spec()["twice"]
    names = "|".join(re.escape(n) for n in _names(wb))
    skip = tuple(spec["skip_words"])
    pattern = re.compile(rf"(?=(?<![\u4e00-\u9fff])?({names})([^\d，。；;：:、\n]{{0,{int(spec['max_gap'])}}}?)({_NUM})\s*万元)")
    said: dict[str, dict[Decimal, tuple[str, str]]] = {}
    other_funds = tuple(narrative_spec()["check"].get("skip_sections", ()))
    for key, text in texts:
        if any(w in key for w in other_funds):
            continue
        taken: set[int] = set()
        for m in pattern.finditer(text):
            start = m.start(3)
            if start in taken or any(w in m.group(2) for w in skip):
                continue
            if _prefix_is_qualifier(text, m.start(1)):
                continue
            taken.add(start)
            value = _dec(m.group(3))
            if value is not None:
                said.setdefault(m.group(1), {}).setdefault(value, (key, text[m.start(1):m.end(3)] + "万元"))
    out: list[Finding] = []
    for values in said.values():
        if len(values) < 2:
            continue
        (v1, (k1, q1)), (v2, (k2, q2)) = sorted(values.items())[:2]
        where = "同一节" if k1 == k2 else f"“{k2}”"
        out.append(_finding(spec["rule"], k1, q1, f"{where}中又写作“{q2}”：同一数量前后不一致，相差 {fmt(v2 - v1)}",
                            expected=v1, actual=v2, rounding=abs(v2 - v1) <= Decimal("0.01")))
    return out


def _prefix_is_qualifier(text: str, start: int) -> bool:
    """ "年初预算…基本支出" or "项目支出中" : a name qualified by what stands before it is another quantity."""
    before = text[max(0, start - 4):start]
    return any(w in before for w in ("预算", "上年", "年初", "比"))


def shares(wb: Workbook, key: str, text: str) -> list[Finding]:
    """"T万元，其中：A a万元，占x%；…": each x against a / T."""
    spec = rules_spec()["share"]
    lead = "|".join(spec["lead"])
    out: list[Finding] = []
    for s in _SENTENCE.findall(text):
        m = re.search(rf"({_NUM})\s*万元[^。]*?(?:{lead})", s)
        if m is None:
            continue
        total = _dec(m.group(1))
        if not total:
            continue
        for p in re.finditer(rf"({_NUM})\s*万元[，,]?\s*占(?:比)?\s*({_NUM})\s*%", s[m.end():]):
            part, rate = _dec(p.group(1)), _dec(p.group(2))
            if part is None or rate is None:
                continue
            lo = (part - Decimal("0.005")) / (total + Decimal("0.005")) * 100
            hi = (part + Decimal("0.005")) / (total - Decimal("0.005")) * 100 if total > Decimal("0.005") else lo
            unit = Decimal(1).scaleb(-_places(p.group(2)))
            if lo - unit <= rate <= hi + unit:
                continue
            exact = part / total * 100
            out.append(_finding(spec["rule"], key, p.group(0),
                                f"按所写金额，占 {fmt(total)} 万元的 {exact:.2f}%，与所写的 {p.group(2)}% 不符",
                                expected=exact.quantize(Decimal("0.01")), actual=rate))
    return out


def parts(wb: Workbook, key: str, text: str) -> list[Finding]:
    """"T万元，其中：a万元、b万元、c万元。": a + b + c against T (two parts at least)."""
    spec = rules_spec()["parts"]
    per = Decimal(rules_spec()["settings"]["rounding_per_item"])
    out: list[Finding] = []
    for s in _SENTENCE.findall(text):
        i = s.find("其中")
        if i < 0 or "其中" in s[i + 2:]:
            continue
        head, tail = s[:i], s[i:]
        totals = _AMOUNT.findall(head)
        items = [m for m in _AMOUNT.finditer(tail)]
        if not totals or len(items) < 2 or re.search(r"(?:预算|上年|增加|减少)[^，；]*$", head.rstrip("，,：: ")):
            continue
        total = _dec(totals[-1])
        values = [_dec(m.group(1)) for m in items]
        if total is None or any(v is None for v in values):
            continue
        # every item must name its own part: not a budget beside an actual, not a change
        clauses = re.split(r"[；;、]", tail)
        if sum(1 for c in clauses if _AMOUNT.search(c)) != len(items) or re.search(r"预算|上年|增加|减少|增长|下降", tail):
            continue
        got = sum((v for v in values if v is not None), Decimal(0))
        if got != total:
            diff = got - total
            out.append(_finding(spec["rule"], key, s if len(s) <= 90 else s[:90] + "……",
                                f"其中各项之和为 {fmt(got)} 万元，总数写的是 {fmt(total)} 万元，相差 {fmt(diff)}",
                                expected=total, actual=got, rounding=abs(diff) <= per * len(items)))
    return out


#: rules over one text at a time
PER_TEXT: tuple[Callable[[Workbook, str, str], list[Finding]], ...] = (
    direction, zero_base, share_unit, blank, completion, department, shares, parts,
)


def check_text_rules(wb: Workbook) -> list[Finding]:
    """Every text rule over the clerk's texts (warnings)."""
    texts = list(clerk_texts(wb))
    if not texts:
        return []
    out: list[Finding] = []
    for key, text in texts:
        for rule in PER_TEXT:
            out += rule(wb, key, text)
    out += twice(wb, texts)
    return out
