"""Chinese line breaking (中文断行禁则) for ReportLab paragraphs.

ReportLab's CJK wrapping lets a line start with ，；：”》 (its "cannot start" list is Japanese and
misses most Chinese punctuation), lets a line end with （“《, and pushes one forbidden character
into the margin instead of moving a character down. A published disclosure must follow the
Chinese rules, so `install` replaces ReportLab's two CJK splitters with `breaks`, which:

- never starts a line with closing punctuation (，。、；：？！）】》”’…％ …): the last character of
  the previous line moves down with it, so nothing hangs into the margin or out of a table cell;
- never ends a line with opening punctuation (（【《“‘ …);
- keeps numbers and Latin words whole (``1,717.31``, ``10.78%``) unless one is wider than the line.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

#: 行首禁则: characters that may not begin a line
NO_START = frozenset("，。、；：？！）］｝】》〉」』〕”’…—～·％‰,.;:?!)]}%")
#: 行尾禁则: characters that may not end a line
NO_END = frozenset("（［｛【《〈「『〔“‘([{￥$")
_FUZZ = 1e-6


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
    lines = []
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
    return lines


def dumb_split(word: str, widths: Sequence[float], maxWidths) -> list[list]:  # noqa: N803 (ReportLab's signature)
    """Replacement for ``reportlab.lib.textsplit.dumbSplit`` (one-style paragraphs)."""
    if not isinstance(maxWidths, (list, tuple)):
        maxWidths = [maxWidths]
    out = []
    for start, end, used, mw, _ in breaks(word, lambda i, _mw: widths[i], maxWidths):
        out.append([mw - used, word[start:end].strip()])
    return out


def cjk_frag_split(frags, maxWidths, calcBounds, encoding="utf8"):  # noqa: N803 (ReportLab's signature)
    """Replacement for ``reportlab.platypus.paragraph.cjkFragSplit`` (mixed-style paragraphs)."""
    from reportlab.platypus.paragraph import ParaLines, cjkU, makeCJKParaLine

    chars = []
    for f in frags:
        text = f.text.decode(encoding) if isinstance(f.text, bytes) else f.text
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

    lines = [
        makeCJKParaLine(chars[s:e], mw, used, mw - used, forced, calcBounds)
        for s, e, used, mw, forced in breaks(chars, width, maxWidths, lambda i: hasattr(chars[i].frag, "lineBreak"))
    ]
    return ParaLines(kind=1, lines=lines)


def install() -> None:
    """Make ReportLab's CJK wrapping (``wordWrap='CJK'``) follow the Chinese rules (idempotent)."""
    from reportlab.lib import textsplit
    from reportlab.platypus import paragraph

    textsplit.dumbSplit = dumb_split
    paragraph.cjkFragSplit = cjk_frag_split
