"""Amounts (金额): the one place that parses, stores and shows money.

Every figure in the disclosure is in 万元 with two decimals when shown, but is kept exact as a
`Decimal`. What a clerk types or Excel stores arrives in many shapes (``1,717.31``, full-width
``１２３．４５``, ``-``, numbers stored as text, floats with binary noise); `parse_amount` turns all
of them into a `Decimal` or refuses with a message in Chinese. SQLite cannot hold a Decimal, so
`to_storage`/`from_storage` use canonical text. `float` never holds an amount here: a float that
comes from openpyxl goes through its shortest repr, never through binary arithmetic.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

ZERO = Decimal(0)
CENT = Decimal("0.01")

#: Decimals kept from a float or a typed value; 6 places of 万元 is a hundredth of a 元.
MAX_PLACES = 6
_QUANTUM = Decimal(1).scaleb(-MAX_PLACES)
#: Anything at or beyond this (10^12 万元) is a typing accident, not a department's budget.
LIMIT = Decimal(10) ** 12

_BLANKS = {"", "-", "—", "--", "——", "－", "/", "无"}
_GROUPED = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$")
_PLAIN = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


class AmountError(ValueError):
    """A value that is not an amount; `str()` is a message for the clerk, in Chinese."""


def D(value: str | int | Decimal) -> Decimal:
    """An exact amount from a literal, for code and tests (like Beancount's ``D``)."""
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _normalise_text(text: str) -> str:
    # NFKC folds full-width digits, '．', '，' and '－' into ASCII.
    s = unicodedata.normalize("NFKC", text).strip()
    s = s.replace(" ", "").replace("\u00a0", "").replace("'", "")
    s = s.replace("−", "-").replace("–", "-")
    if s.endswith("万元"):
        s = s[:-2]
    elif s.endswith("万"):
        s = s[:-1]
    if s.startswith("(") and s.endswith(")"):  # accounting negatives: (1,234.00)
        s = "-" + s[1:-1]
    if s.startswith("¥") or s.startswith("￥"):
        s = s[1:]
    return s


def _finish(d: Decimal, shown: str) -> Decimal:
    if not d.is_finite():
        raise AmountError(f"“{shown}”不是金额")
    if abs(d) >= LIMIT:
        raise AmountError(f"“{shown}”超出可接受的金额范围")
    if d.as_tuple().exponent < -MAX_PLACES:  # type: ignore[operator]
        d = d.quantize(_QUANTUM, rounding=ROUND_HALF_UP)
    return normalise(d)


def normalise(d: Decimal) -> Decimal:
    """Drop trailing zeros without going to exponent form (``Decimal('1E+2')`` → ``100``)."""
    if d == 0:
        return ZERO
    n = d.normalize()
    exp = n.as_tuple().exponent
    return n.quantize(Decimal(1)) if isinstance(exp, int) and exp > 0 else n


def parse_amount(value: object) -> Decimal | None:
    """An amount from what a clerk typed or a spreadsheet cell holds; ``None`` for a blank.

    Raises `AmountError` (message in Chinese) for anything that is not an amount.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise AmountError("“是/否”不是金额")
    if isinstance(value, Decimal):
        return _finish(value, str(value))
    if isinstance(value, int):
        return _finish(Decimal(value), str(value))
    if isinstance(value, float):
        # repr is the shortest text that reads back as the same float: 0.1 → '0.1'.
        # Excel arithmetic noise (0.30000000000000004) is cut at MAX_PLACES.
        return _finish(Decimal(repr(value)), repr(value))
    if not isinstance(value, str):
        raise AmountError(f"“{value}”不是金额")
    s = _normalise_text(value)
    if s in _BLANKS:
        return None
    if _GROUPED.match(s):
        s = s.replace(",", "")
    elif "," in s:
        raise AmountError(f"“{value.strip()}”的千位分隔符位置不对")
    if not _PLAIN.match(s):
        raise AmountError(f"“{value.strip()}”不是金额，请输入数字，如 1,717.31")
    try:
        d = Decimal(s)
    except InvalidOperation:  # pragma: no cover - the regex already guards this
        raise AmountError(f"“{value.strip()}”不是金额") from None
    return _finish(d, value.strip())


def to_storage(d: Decimal | None) -> str | None:
    """Canonical text for SQLite: plain digits, no exponent, no trailing zeros."""
    if d is None:
        return None
    return format(normalise(d), "f")


#: What `to_storage` writes (ASCII digits only: Decimal() would also take "NaN", "Infinity",
#: "1E+999" and "٧٠٧"); anything else in a file was written by another program.
#: Canonical: no leading or trailing zeros, at most MAX_PLACES decimals, below LIMIT.
_STORED = re.compile(r"-?(?:0|[1-9][0-9]{0,11})(?:\.[0-9]{0,5}[1-9])?", re.ASCII)


def from_storage(text: str | None) -> Decimal | None:
    """The amount stored as ``text``; `InvalidOperation` unless it is the canonical text
    `to_storage` writes."""
    if text is None:
        return None
    if not _STORED.fullmatch(text) or text == "-0":
        raise InvalidOperation(f"not a stored amount: {text[:40]!r}")
    return Decimal(text)


def round_cent(d: Decimal) -> Decimal:
    """Two decimals, half up, as the published tables round."""
    return d.quantize(CENT, rounding=ROUND_HALF_UP)


def format_wan(d: Decimal | None, blank: str = "") -> str:
    """Show an amount in 万元 with two decimals and thousands separators: ``1,717.31``."""
    if d is None:
        return blank
    r = round_cent(d)
    if r == 0:
        r = abs(r)  # never show -0.00
    return f"{r:,.2f}"


def format_plain(d: Decimal | None) -> str:
    """Two decimals without separators, as the narrative quotes them: ``1717.31``."""
    if d is None:
        return "0.00"
    r = round_cent(d)
    return f"{abs(r) if r == 0 else r:.2f}"
