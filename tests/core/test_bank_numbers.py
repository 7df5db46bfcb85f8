"""Account numbers that are not 8 digits are standardised by the issuing bank's published
rule, or refused with a request for the 8-digit form; never changed silently."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dp_portal.core.bank_numbers import standardise
from dp_portal.core.errors import RuleError

digits = st.text(alphabet="0123456789", min_size=1, max_size=1)


@given(
    st.text(alphabet="0123456789", min_size=6, max_size=6),
    st.from_regex(r"[0-9]{8}", fullmatch=True),
)
def test_an_eight_digit_number_is_kept_as_typed(sort_code, number):
    result = standardise(sort_code, number)
    assert (result.sort_code, result.account_number, result.changed) == (sort_code, number, False)


@given(st.from_regex(r"[0-9]{6}", fullmatch=True), st.from_regex(r"[0-9]{6,7}", fullmatch=True))
def test_six_and_seven_digits_get_leading_zeros_and_say_so(sort_code, number):
    result = standardise(sort_code, number)
    assert result.account_number == number.zfill(8) and result.sort_code == sort_code
    assert result.changed and number in result.note


def test_santander_nine_digits_move_the_first_digit_into_the_sort_code():
    result = standardise("09-01-28", "123456789")
    assert (result.sort_code, result.account_number) == ("090121", "23456789")
    assert "09-01-28 becomes 09-01-21" in result.note


@pytest.mark.parametrize(
    ("sort_code", "typed", "expected"),
    [
        ("601613", "1234567890", "34567890"),  # NatWest: the last 8
        ("089300", "1234567890", "12345678"),  # Co-operative Bank: the first 8
    ],
)
def test_ten_digits_follow_the_banks_published_rule(sort_code, typed, expected):
    result = standardise(sort_code, typed)
    assert result.account_number == expected and result.sort_code == sort_code
    assert typed in result.note


@pytest.mark.parametrize(
    ("sort_code", "typed"),
    [
        ("309634", "123456789"),  # 9 digits at a bank with no 9-digit rule
        ("309634", "1234567890"),  # 10 digits at a bank with no published rule
        ("200000", "1234567890"),
    ],
)
def test_other_long_numbers_are_refused_with_a_request_for_eight_digits(sort_code, typed):
    with pytest.raises(RuleError, match="Ask the person for the 8-digit account number"):
        standardise(sort_code, typed)


# Arabic-Indic digits are digits to Python's \\d, but not to a bank.
@pytest.mark.parametrize("typed", ["12345", "12345678901", "1234567a", "", "\u0661" * 8])
def test_numbers_of_the_wrong_shape_are_refused(typed):
    with pytest.raises(RuleError):
        standardise("309634", typed)


@given(st.from_regex(r"[0-9]{6}", fullmatch=True), st.from_regex(r"[0-9]{6,10}", fullmatch=True))
def test_whatever_is_accepted_is_a_bacs_shaped_sort_code_and_number(sort_code, number):
    try:
        result = standardise(sort_code, number)
    except RuleError:
        return
    assert len(result.sort_code) == 6 and result.sort_code.isdigit()
    assert len(result.account_number) == 8 and result.account_number.isdigit()
    assert result.changed == (number != result.account_number or sort_code != result.sort_code)
