from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dp_portal.core.money import (
    MoneyError,
    format_money,
    from_pence,
    parse_money,
    round_employer_ni,
    round_money,
    to_pence,
)

pence = st.integers(min_value=-(10**12), max_value=10**12)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("1,234.5", Decimal("1234.50")),
        ("£12", Decimal("12.00")),
        (" 12.00 ", Decimal("12.00")),
        ("£1,234,567.89", Decimal("1234567.89")),
        ("0.5", Decimal("0.50")),
        ("£ 7.05", Decimal("7.05")),
    ],
)
def test_parse_money_reads_what_people_type(typed, expected):
    assert parse_money(typed) == expected


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter an amount in pounds and pence, like £125.50"),
        ("abc", "Enter an amount in pounds and pence, like £125.50"),
        ("12,34", "Enter an amount in pounds and pence, like £125.50"),
        ("1.234", "Enter an amount with no more than 2 decimal places, like £125.50"),
        ("-5", "Enter an amount of £0.00 or more"),
        ("1e5", "Enter an amount in pounds and pence, like £125.50"),
        ("NaN", "Enter an amount in pounds and pence, like £125.50"),
    ],
)
def test_parse_money_explains_what_is_wrong(typed, message):
    with pytest.raises(MoneyError, match=message.replace("£", "£").replace(".", r"\.")):
        parse_money(typed)


def test_negative_amounts_only_where_allowed():
    assert parse_money("-£5.10", allow_negative=True) == Decimal("-5.10")
    assert parse_money("£-5.10", allow_negative=True) == Decimal("-5.10")


def test_rounding_is_half_up_and_employer_ni_half_down():
    assert round_money(Decimal("0.125")) == Decimal("0.13")
    assert round_money(Decimal("-0.125")) == Decimal("-0.13")
    assert round_money(Decimal("0.124")) == Decimal("0.12")
    assert round_employer_ni(Decimal("0.125")) == Decimal("0.12")
    assert round_employer_ni(Decimal("0.1251")) == Decimal("0.13")


def test_worked_example_employer_ni_2026_27():
    # facts/rates.md: (301.47 - 96) x 15% = 30.82
    assert round_employer_ni((Decimal("301.47") - 96) * Decimal("0.15")) == Decimal("30.82")


def test_floats_are_refused():
    with pytest.raises(TypeError):
        round_money(0.1)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        from_pence(1.0)  # type: ignore[arg-type]


def test_to_pence_refuses_fractions_of_a_penny():
    with pytest.raises(MoneyError):
        to_pence(Decimal("1.005"))


def test_format_money():
    assert format_money(Decimal("1234.5")) == "£1,234.50"
    assert format_money(Decimal("-0.5")) == "-£0.50"
    assert format_money(Decimal("0")) == "£0.00"
    assert format_money(Decimal("12.00"), pence=False) == "£12"


@given(pence)
def test_pence_round_trip(p):
    assert to_pence(from_pence(p)) == p


@given(pence)
def test_format_then_parse_is_identity(p):
    amount = from_pence(p)
    assert parse_money(format_money(amount), allow_negative=True) == amount


@given(st.decimals(min_value=-(10**9), max_value=10**9, allow_nan=False, places=6))
def test_rounding_is_within_half_a_penny_and_idempotent(value):
    rounded = round_money(value)
    assert abs(rounded - value) <= Decimal("0.005")
    assert round_money(rounded) == rounded
    assert to_pence(rounded) == int(rounded * 100)


@given(st.lists(pence, max_size=50))
def test_sums_of_pence_are_exact(values):
    assert to_pence(sum((from_pence(v) for v in values), Decimal(0))) == sum(values)
