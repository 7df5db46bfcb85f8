"""Amounts and dates as banks write them, checked for every value (hypothesis): whatever way
a bank writes an amount or a date, it reads back exactly."""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dp_portal.core.bank_values import (
    CellError,
    column_letter,
    parse_bank_amount,
    parse_bank_date,
)

pence = st.integers(min_value=-10_000_000_00, max_value=10_000_000_00)
days = st.dates(min_value=date(1990, 1, 1), max_value=date(2099, 12, 31))


def written(amount: Decimal, thousands: bool, pound: bool, style: str) -> str:
    number = f"{abs(amount):,.2f}" if thousands else f"{abs(amount):.2f}"
    number = ("£" if pound else "") + number
    if amount >= 0:
        return number + (" CR" if style == "drcr" else "")
    return {
        "leading": "-" + number,
        "trailing": number + "-",
        "brackets": f"({number})",
        "drcr": number + " DR",
    }[style]


@given(
    pence,
    st.booleans(),
    st.booleans(),
    st.sampled_from(["leading", "trailing", "brackets", "drcr"]),
)
def test_every_way_of_writing_an_amount_reads_back_exactly(p, thousands, pound, style):
    amount = Decimal(p).scaleb(-2)
    assert parse_bank_amount(written(amount, thousands, pound, style)) == amount


@given(days, st.sampled_from(["%d/%m/%Y", "%d %b %Y", "%Y-%m-%d", "%d %B %Y", "%d-%b-%Y"]))
def test_the_date_forms_read_back_exactly(day, form):
    assert parse_bank_date(day.strftime(form)) == day


@given(st.text(max_size=12))
def test_any_other_text_is_an_amount_or_a_clear_refusal(text):
    try:
        parse_bank_amount(text)
    except CellError as exc:
        assert str(exc)


@pytest.mark.parametrize(
    "text", ["12.345", "1,23.00", "€12.00", "12.00 EUR", "$5", "1.2.3", "abc", "--12"]
)
def test_amounts_that_are_not_pounds_and_pence_are_refused(text):
    with pytest.raises(CellError):
        parse_bank_amount(text)


@pytest.mark.parametrize(
    "text", ["31/13/2026", "29/02/2026", "10/31/2026", "31 Okt 2026", "2026/10/31"]
)
def test_dates_that_do_not_read_are_refused(text):
    with pytest.raises(CellError, match="date"):
        parse_bank_date(text)


def test_blank_cells_are_no_amount():
    assert parse_bank_amount("") is None
    assert parse_bank_amount("  ") is None


def test_columns_are_named_as_a_spreadsheet_names_them():
    assert [column_letter(i) for i in (0, 3, 25, 26, 27)] == ["A", "D", "Z", "AA", "AB"]
