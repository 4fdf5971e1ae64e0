"""Column widths for the space there is (列宽): as printed when it fits, narrower names when not.

Each column has the width its content needs (``natural``) and the least it may have
(``least``: a name elided in the middle still says what it is, an amount is never cut). Spare room
goes to the name columns (to at most ``widest`` each, as on paper), or to the amounts of a table
without names; a shortfall is taken from the names first, down to their least, then from the amounts.
Only a table that does not fit at its least scrolls sideways.
"""

from __future__ import annotations

from collections.abc import Sequence


def fit(natural: Sequence[int], least: Sequence[int], names: Sequence[bool], room: int, widest: int = 480) -> list[int]:
    """Widths for columns of ``natural`` width (``least`` at the least) in ``room`` pixels."""
    widths = list(natural)
    spare = room - sum(widths)
    grow = [j for j, n in enumerate(names) if n] or list(range(len(widths)))
    if spare > 0:
        cap = widest if any(names) else max(widths, default=0) * 3 // 2
        for j in grow:
            widths[j] = max(widths[j], min(cap, widths[j] + spare // len(grow)))
        return widths
    for pool in ([j for j, n in enumerate(names) if n], [j for j, n in enumerate(names) if not n]):
        short = sum(widths) - room
        give = sum(widths[j] - least[j] for j in pool)
        if short <= 0 or give <= 0:
            continue
        share = min(1.0, short / give)  # each column gives up the same part of what it can
        for j in pool:
            widths[j] -= int((widths[j] - least[j]) * share + 0.999)
    return widths
