"""Classifying statement lines, matching council payments, and telling the same line again."""

from datetime import date
from decimal import Decimal

import pytest

from dp_portal.core.bank_statements import Line
from dp_portal.core.errors import RuleError
from dp_portal.monitoring.statements import (
    IMPORT_MOVES,
    Category,
    CouncilPayment,
    ImportStatus,
    check_choice,
    classify,
    description_key,
    fingerprints,
    match_payments,
    move_import,
)


def line(day: int, amount: str, description: str, month: int = 10) -> Line:
    return Line(day, date(2026, month, day), description, Decimal(amount))


PAID = CouncilPayment(7, date(2026, 10, 1), Decimal("1234.56"), "DPT000001")


def categories(lines, payments=(), choices=None, reference="DPT000001"):
    return [c.category for c in classify(list(lines), list(payments), choices or {}, reference)]


def test_lines_are_classified_by_their_words_in_the_right_direction():
    lines = [
        line(9, "-400.00", "J SMITH WAGES"),
        line(20, "-1050.25", "HMRC CUMBERNAULD PAYE"),
        line(31, "-35.10", "NEST PENSION"),
        line(12, "-12.00", "MONTHLY ACCOUNT FEE"),
        line(13, "-90.00", "BRIGHT CARE LTD INV 4471"),
        line(14, "-30.00", "TESCO STORES"),
        line(15, "25.00", "M TESTER CONTRIBUTION"),
        line(16, "5.00", "REFUND TESCO"),
    ]
    assert categories(lines) == [
        Category.PA_WAGES,
        Category.HMRC,
        Category.PENSION,
        Category.BANK_CHARGES,
        Category.PROVIDER_INVOICES,
        Category.OTHER_AGREED,
        Category.CONTRIBUTIONS,
        Category.OTHER_INCOME,
    ]


def test_a_council_payment_is_matched_by_amount_date_window_and_reference():
    lines = [line(2, "1234.56", "FIFE COUNCIL DP DPT000001 01OCT26")]
    [found] = classify(lines, [PAID], {}, "DPT000001")
    assert (found.category, found.payment_id) == (Category.COUNCIL_PAYMENT, 7)
    assert found.reason == "Matches the council's payment of £1,234.56 on 1 October 2026"


@pytest.mark.parametrize(
    ("day", "month", "amount", "matched"),
    [
        (28, 9, "1234.56", True),  # 3 days early
        (27, 9, "1234.56", False),  # 4 days early
        (8, 10, "1234.56", True),  # 7 days late
        (9, 10, "1234.56", False),  # 8 days late
        (2, 10, "1234.55", False),  # a penny out
        (2, 10, "-1234.56", False),  # money out is never a council payment
    ],
)
def test_the_date_window_and_the_amount_must_both_fit(day, month, amount, matched):
    lines = [line(day, amount, "BGC", month=month)]
    assert bool(match_payments(lines, [PAID])) is matched


def test_each_payment_is_matched_once_preferring_the_line_with_the_reference():
    other = CouncilPayment(8, date(2026, 10, 1), Decimal("1234.56"), "DPT000002")
    lines = [line(2, "1234.56", "BGC SOMEONE"), line(2, "1234.56", "BGC DPT000002")]
    matched = match_payments(lines, [PAID, other])
    assert {index: p.id for index, p in matched.items()} == {0: 7, 1: 8}
    assert len(match_payments([line(2, "1234.56", "X"), line(3, "1234.56", "Y")], [PAID])) == 1


def test_an_unmatched_line_showing_the_reference_is_a_council_payment_to_check():
    [found] = classify([line(2, "99.00", "DPT000001 ARREARS")], [PAID], {}, "DPT000001")
    assert found.category == Category.COUNCIL_PAYMENT and found.payment_id is None
    assert "check it" in found.reason


def test_the_persons_choice_is_remembered_for_lines_like_it():
    choices = {description_key("TESCO STORES 1234 09OCT"): Category.PA_WAGES}
    [found] = classify([line(6, "-30.00", "TESCO STORES 5678 06NOV", 11)], [], choices, "X")
    assert found.category == Category.PA_WAGES
    assert found.reason == "You chose this for lines like it before"
    # A choice for money out never turns money in into spending.
    [refund] = classify([line(7, "3.00", "TESCO STORES 99")], [], choices, "X")
    assert refund.category == Category.OTHER_INCOME


def test_a_correction_keeps_money_in_as_money_in():
    check_choice(Category.CONTRIBUTIONS, Decimal("10"))
    with pytest.raises(RuleError, match="money paid out, so it cannot be “Council payment”"):
        check_choice(Category.COUNCIL_PAYMENT, Decimal("-10"))


def test_the_same_lines_have_the_same_fingerprints_and_twins_differ():
    lines = [line(9, "-10.00", "CAFE"), line(9, "-10.00", "CAFE"), line(9, "-10.00", "cafe ")]
    prints = fingerprints(lines)
    assert prints[0] != prints[1]  # two coffees on one day are two lines
    assert len(set(prints)) == 3  # "cafe " is "CAFE" a third time
    assert fingerprints(lines[:2]) == prints[:2]  # importing again gives the same
    assert fingerprints([line(9, "-10.00", "CAFE")]) == prints[:1]


def test_every_import_move_is_in_the_table_and_no_other():
    class Row:
        status = ImportStatus.AWAITING_COLUMNS.value

    for before in ImportStatus:
        for after in ImportStatus:
            row = Row()
            row.status = before.value
            if (before, after) in IMPORT_MOVES:
                move_import(row, after)
                assert row.status == after.value
            else:
                with pytest.raises(RuleError):
                    move_import(row, after)
