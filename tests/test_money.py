"""Amounts: parsing what clerks type and Excel stores, exact storage, 万元 display."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.money import AmountError, format_plain, format_wan, from_storage, parse_amount, to_storage


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("1,717.31", "1717.31"),
        ("1717.3", "1717.3"),
        ("１２３．４５", "123.45"),
        ("１，２３４．５６", "1234.56"),
        ("  432.32 ", "432.32"),
        ("-0.01", "-0.01"),
        ("－5", "-5"),
        ("(1,234.00)", "-1234"),
        ("707. 12", "707.12"),  # seed 002 prints "707. 12"
        ("12.5万元", "12.5"),
        ("￥3.00", "3"),
        (".5", "0.5"),
        (432.32, "432.32"),
        (0.1 + 0.2, "0.3"),  # Excel arithmetic noise is cut, not kept
        (7, "7"),
        (Decimal("1E+2"), "100"),
    ],
)
def test_parses_what_clerks_and_excel_give(raw, expected):
    assert parse_amount(raw) == Decimal(expected)


@pytest.mark.parametrize("raw", [None, "", "  ", "-", "—", "－", "无", "/"])
def test_blanks_are_none(raw):
    assert parse_amount(raw) is None


@pytest.mark.parametrize("raw", ["abc", "1,23,4", "12..3", "1.2.3", "1e5", "NaN", "inf", True, "1" * 20, [1]])
def test_refuses_non_amounts_with_a_chinese_message(raw):
    with pytest.raises(AmountError) as e:
        parse_amount(raw)
    assert "金额" in str(e.value) or "千位" in str(e.value)


def test_display_in_wan_with_two_decimals_and_separators():
    assert format_wan(Decimal("1717.31")) == "1,717.31"
    assert format_wan(Decimal("654.4")) == "654.40"
    assert format_wan(Decimal("0.005")) == "0.01"  # half up, as the tables round
    assert format_wan(Decimal("-0.001")) == "0.00"  # never -0.00
    assert format_wan(Decimal("-1234567.891")) == "-1,234,567.89"
    assert format_wan(None) == ""
    assert format_plain(Decimal("1717.305")) == "1717.31"


def test_storage_is_canonical_text():
    assert to_storage(Decimal("432.320")) == "432.32"
    assert to_storage(Decimal("1E+3")) == "1000"
    assert to_storage(Decimal("0.000")) == "0"
    assert to_storage(None) is None
    assert from_storage("0.000001") == Decimal("0.000001")


amounts = st.decimals(min_value=Decimal("-1e11"), max_value=Decimal("1e11"), places=2, allow_nan=False, allow_infinity=False)


@given(amounts)
def test_any_amount_round_trips_through_storage(d):
    assert from_storage(to_storage(d)) == d


@given(amounts)
def test_what_we_display_parses_back_to_the_same_cents(d):
    assert parse_amount(format_wan(d)) == d


@given(amounts)
def test_full_width_text_parses_like_ascii(d):
    text = format_wan(d)
    wide = text.translate(str.maketrans("0123456789.,-", "０１２３４５６７８９．，－"))
    assert parse_amount(wide) == d


@given(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False))
def test_floats_from_openpyxl_have_no_binary_noise(f):
    d = parse_amount(f)
    assert d is not None
    assert abs(d - Decimal(repr(f))) <= Decimal("0.0000005")
    assert -d.as_tuple().exponent <= 6


@given(st.text())
def test_never_raises_anything_but_amount_error(s):
    try:
        parse_amount(s)
    except AmountError:
        pass
