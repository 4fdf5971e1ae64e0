"""Table headers broken between words (表头按词换行): never "科目代/码" or "对附属单位补助支/出".

A header cell is narrow, and wrapping it character by character cuts words. `words` splits a
header into the words of the tables' vocabulary (longest match over `VOCABULARY`; a character
outside it joins the word before it, or the one after at the start; brackets stay with what they
enclose, opening ones with the word after them); a header of four characters or fewer is one word.
`min_width` is what its column needs so that no word is cut; `lines` packs the words into the
cell's width, and `markup` gives them as paragraph text with explicit breaks.
"""

from __future__ import annotations

from functools import cache


def escape(text: str) -> str:
    """``&``, ``<`` and ``>`` as paragraph markup needs them (``xml.sax.saxutils.escape``, whose
    import brings ``urllib.request`` and ``http.client`` into every export)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

#: the words of the tables' and the 绩效 forms' headers (a longer word wins over the shorter inside it)
VOCABULARY = (
    "一般公共预算", "政府性基金预算", "国有资本经营预算", "财政拨款", "财政专户", "财政", "拨款", "预算", "决算",
    "收入", "支出", "合计", "小计", "总计", "本年", "上年", "年初", "年末", "年初(末)", "年初（末）", "结转", "结余",
    "科目", "编码", "代码", "名称", "项目", "基本", "人员", "公用", "经费", "经营", "事业", "上级", "上缴",
    "补助", "附属单位", "对附属单位", "其他", "工资福利", "商品和服务", "对个人和家庭", "资本性", "基本建设",
    "对企业", "对社会保障基金", "债务利息", "及费用", "公务用车", "购置", "运行维护费", "运行费", "购置费",
    "因公出国", "(境)费", "（境）费", "公务接待费", "决算数", "预算数", "行次", "栏次", "金额", "得分", "执行率",
    "执行数", "分值", "全年", "年度", "指标", "指标值", "一级", "二级", "三级", "实际", "完成值", "完成",
    "偏差原因", "改进措施", "资金", "总额", "绩效", "目标", "说明", "使用", "非财政拨款", "专用结余",
    "用事业基金弥补收支差额", "弥补", "收支差额", "结余分配", "提取", "转入", "事业基金", "备注",
    "产出", "效益", "满意度", "服务对象", "可持续影响", "社会效益", "经济效益", "生态效益", "数量", "质量",
    "时效", "成本", "年初目标值", "实际完成值", "目标值", "年度目标", "总体目标", "预期目标", "实际完成情况",
)
_OPEN = frozenset("（(［[【《“")
_CLOSE = frozenset("）)］]】》”、，：:%％*")
_SHORT = 4


@cache
def _lexicon() -> tuple[str, ...]:
    return tuple(sorted(set(VOCABULARY), key=len, reverse=True))


def words(text: str) -> list[str]:
    """The header's words, in order; joined they give the text back."""
    if len(text) <= _SHORT:
        return [text] if text else []
    atoms: list[list[str]] = []  # [text, kind]: word, loose, open, close
    i = 0
    while i < len(text):
        c = text[i]
        word = next((w for w in _lexicon() if text.startswith(w, i)), None)
        if word:
            atoms.append([word, "word"])
            i += len(word)
            continue
        if c in _OPEN or c in _CLOSE:
            atoms.append([c, "open" if c in _OPEN else "close"])
            i += 1
            continue
        if c.isascii() and c.isalnum():  # a number or a Latin word: one piece
            j = i
            while j < len(text) and text[j].isascii() and (text[j].isalnum() or text[j] == "."):
                j += 1
            atoms.append([text[i:j], "word"])
            i = j
            continue
        atoms.append([c, "loose"])
        i += 1
    merged: list[list[str]] = []  # runs of loose characters: two or more are a word of their own
    for a in atoms:
        if a[1] == "loose" and merged and merged[-1][1] == "loose":
            merged[-1][0] += a[0]
        else:
            merged.append(list(a))
    for a in merged:
        if a[1] == "loose" and len(a[0]) >= 2:
            a[1] = "word"
    out: list[list[str]] = []
    for a in merged:  # closing marks and single loose characters join the word before them
        if a[1] in ("close", "loose") and out and out[-1][1] != "open":
            out[-1][0] += a[0]
        else:
            out.append(a)
    final: list[str] = []
    carry = ""  # opening marks (and a loose character at the start) join the word after them
    for t, kind in out:
        if kind in ("open", "loose") or (kind == "close" and not final):
            carry += t
        else:
            final.append(carry + t)
            carry = ""
    if carry:
        if final:
            final[-1] += carry
        else:
            final.append(carry)
    return final


def min_width(text: str, font: str, size: float) -> float:
    """The narrowest the header's cell may be: its widest word."""
    from services.pdf.fonts import width

    return max((width(w, font, size) for w in words(text)), default=0.0)


def lines(text: str, room: float, font: str, size: float) -> list[str]:
    """The header as lines of whole words, each line filled up to ``room`` points."""
    from services.pdf.fonts import width

    out: list[str] = []
    for w in words(text):
        if out and width(out[-1] + w, font, size) <= room + 1e-6:
            out[-1] += w
        else:
            out.append(w)
    return out


def markup(text: str, room: float, font: str, size: float) -> str:
    """Paragraph text of the header, broken between words."""
    return "<br/>".join(escape(line) for line in lines(text, room, font, size))
