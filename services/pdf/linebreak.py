"""Chinese line breaking (中文断行禁则) for ReportLab paragraphs.

ReportLab's CJK wrapping lets a line start with ，；：”》 (its "cannot start" list is Japanese and
misses most Chinese punctuation), lets a line end with （“《, and pushes one forbidden character
into the margin instead of moving a character down. A published disclosure must follow the
Chinese rules, so `install` replaces ReportLab's two CJK splitters with `breaks`, which:

- never starts a line with closing punctuation (，。、；：？！）】》”’…％ …): the last character of
  the previous line moves down with it, so nothing hangs into the margin or out of a table cell;
- never ends a line with opening punctuation (（【《“‘ …);
- keeps numbers and Latin words whole (``1,717.31``, ``10.78%``) unless one is wider than the line;
- splits a paragraph over a page without inserting spaces (ReportLab rejoins lines with one);
- never leaves one character alone on the last line of a paragraph (孤字): one more comes down;
- compresses adjacent punctuation (标点挤压): a full-width mark followed by another ("）。", "。”",
  "】，") takes half its width, as the breaker measures it and as it is drawn (`SQUEEZE` after the
  mark tells `services.pdf.justify` to move back half a character).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

#: 行首禁则: characters that may not begin a line
NO_START = frozenset("，。、；：？！）］｝】》〉」』〕”’…—～·％‰,.;:?!)]}%")
#: 行尾禁则: characters that may not end a line
NO_END = frozenset("（［｛【《〈「『〔“‘([{￥$")
_FUZZ = 1e-6
#: full-width marks whose blank half is on the right (they sit left in their box)
RIGHT_BLANK = frozenset("，。、；：？！）］｝】》〉」』〕”’")
#: full-width marks whose blank half is on the left
LEFT_BLANK = frozenset("（［｛【《〈「『〔“‘")
#: a mark in drawn text after a squeezed character: "move back half its width" (private use, never typed)
SQUEEZE = "\ue000"


def squeezed(chars: Sequence[str]) -> frozenset[int]:
    """Indices of the marks that print at half width: one with its blank on the right followed by any
    full-width mark ("）。" "。”" "，（"), or one with its blank on the left after another such mark ("（（")."""
    out = set()
    for i in range(len(chars) - 1):
        a, b = chars[i], chars[i + 1]
        if a in RIGHT_BLANK and (b in RIGHT_BLANK or b in LEFT_BLANK):
            out.add(i)
        elif a in LEFT_BLANK and b in LEFT_BLANK:
            out.add(i + 1)
    return frozenset(out)


def _in_run(c: str) -> bool:
    """Part of a number or a Latin word: printable ASCII other than a space."""
    return "!" <= c <= "~"


def _adjust(chars: Sequence[str], start: int, k: int) -> int:
    """Move the break before ``chars[k]`` back until no rule is broken (or nothing is left)."""
    for _ in range(8):
        before = k
        if _in_run(chars[k - 1]) and _in_run(chars[k]):
            j = k - 1
            while j > start and _in_run(chars[j - 1]):
                j -= 1
            if j > start:
                k = j
        while k - 1 > start and chars[k] in NO_START:
            k -= 1
        while k - 1 > start and chars[k - 1] in NO_END:
            k -= 1
        if k == before:
            break
    return k


def breaks(
    chars: Sequence[str],
    width: Callable[[int, float], float],
    max_widths: Sequence[float],
    hard: Callable[[int], bool] = lambda i: False,
) -> list[tuple[int, int, float, float, bool]]:
    """Lines as ``(start, end, used, max_width, hard_break)`` over ``chars``.

    ``width(i, max_width)`` is the width of character ``i``; ``hard(i)`` says it is a forced
    break (``<br/>``), which ends its line.
    """
    half = squeezed(chars)
    if half:
        full = width

        def width(i: int, max_width: float) -> float:
            return full(i, max_width) * (0.5 if i in half else 1.0)

    lines: list[tuple[int, int, float, float, bool]] = []
    n, start = len(chars), 0
    while start < n:
        max_width = max_widths[min(len(lines), len(max_widths) - 1)]
        used, i, forced = 0.0, start, False
        while i < n:
            if hard(i):
                i, forced = i + 1, True
                break
            w = width(i, max_width)
            if used + w > max_width + _FUZZ and i > start:
                break
            used += w
            i += 1
        if i < n and not forced:
            end = _adjust(chars, start, i)
            used = sum(width(j, max_width) for j in range(start, end))
            while end < n and chars[end] == " ":
                end += 1
            i = end
        if used > 0 or forced:
            lines.append((start, i, used, max_width, forced))
        start = i
    return _no_lone_last(chars, lines, width)


def _no_lone_last(chars: Sequence[str], lines: list, width: Callable[[int, float], float]) -> list:
    """孤字: the last line of a paragraph (or before a forced break) with one character takes one more
    from the line above, when the rules allow it."""
    for k in range(1, len(lines)):
        s, e, _, mw, forced = lines[k]
        ps, pe, _, pmw, pforced = lines[k - 1]
        last = k == len(lines) - 1 or forced
        shown = [c for c in chars[s:e] if c.strip()]  # a forced break's mark is an empty character
        if pforced or not last or len(shown) != 1 or pe - ps < 3:
            continue
        cut = _adjust(chars, ps, pe - 1)
        if cut <= ps + 1 or cut >= pe:
            continue
        used_prev = sum(width(j, pmw) for j in range(ps, cut))
        used = sum(width(j, mw) for j in range(cut, e))
        if used > mw + _FUZZ:
            continue
        lines[k - 1] = (ps, cut, used_prev, pmw, False)
        lines[k] = (cut, e, used, mw, forced)
    return lines


def dumb_split(word: str, widths: Sequence[float], maxWidths) -> list[list]:  # noqa: N803 (ReportLab's signature)
    """Replacement for ``reportlab.lib.textsplit.dumbSplit`` (one-style paragraphs)."""
    if not isinstance(maxWidths, (list, tuple)):
        maxWidths = [maxWidths]
    if SQUEEZE in word:  # the rest of a split paragraph, rebuilt from lines already marked
        kept = [(c, w) for c, w in zip(word, widths) if c != SQUEEZE]
        word, widths = "".join(c for c, _ in kept), [w for _, w in kept]
    out = []
    half = squeezed(word)
    for start, end, used, mw, _ in breaks(word, lambda i, _mw: widths[i], maxWidths):
        text = "".join(c + SQUEEZE if j in half else c for j, c in enumerate(word[start:end], start))
        out.append([mw - used, text.strip()])
    return out


def cjk_frag_split(frags, maxWidths, calcBounds, encoding="utf8"):  # noqa: N803 (ReportLab's signature)
    """Replacement for ``reportlab.platypus.paragraph.cjkFragSplit`` (mixed-style paragraphs)."""
    from reportlab.platypus.paragraph import ParaLines, cjkU, makeCJKParaLine

    chars = []
    for f in frags:
        text = f.text.decode(encoding) if isinstance(f.text, bytes) else f.text
        text = text.replace(SQUEEZE, "")  # the rest of a split paragraph comes back with its marks
        if text:
            chars.extend(cjkU(t, f, encoding) for t in text)
        else:
            chars.append(cjkU(text, f, encoding))

    def width(i: int, max_width: float) -> float:
        w = chars[i].width
        if hasattr(w, "normalizedValue"):
            w._normalizer = max_width
            w = w.normalizedValue(max_width)
        return w

    found = breaks(chars, width, maxWidths, lambda i: hasattr(chars[i].frag, "lineBreak"))
    for i in squeezed(chars):  # drawn half width: the mark after it says so (see services.pdf.justify)
        chars[i] = cjkU(chars[i] + SQUEEZE, chars[i].frag, encoding)
    lines = [makeCJKParaLine(chars[s:e], mw, used, mw - used, forced, calcBounds) for s, e, used, mw, forced in found]
    return ParaLines(kind=1, lines=lines)


def install() -> None:
    """Make ReportLab's CJK wrapping (``wordWrap='CJK'``) follow the Chinese rules (idempotent)."""
    from reportlab.lib import textsplit
    from reportlab.platypus import paragraph

    textsplit.dumbSplit = dumb_split
    paragraph.cjkFragSplit = cjk_frag_split
    paragraph._split_blParaHard = split_lines


def split_lines(blPara, start: int, stop: int) -> list:  # noqa: ANN001 (ReportLab's signature)
    """Replacement for ``paragraph._split_blParaHard`` (the rest of a paragraph split over a page):
    ReportLab rejoins the lines with a space and appends it to the line's own fragment, so the first
    page's lines ended in a space and the next page's had one in the middle — wrong in Chinese, where
    lines are not separated by spaces. Here the fragments are copied, without spaces or squeeze marks."""
    out = []
    for line in blPara.lines[start:stop]:
        for w in line.words:
            if SQUEEZE in getattr(w, "text", ""):
                w = w.clone()
                w.text = w.text.replace(SQUEEZE, "")
            out.append(w)
    return out
