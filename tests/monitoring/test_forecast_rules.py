"""The balance forecast's rule: every period adds up, the chain of balances is unbroken, money
is Decimal to the penny, and the warnings say what the figures say."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dp_portal.core.calendar import Cycle, PaymentSchedule, Period
from dp_portal.monitoring.forecast import Known, MoneyIn, Outlook, Policy, Rate, forecast

SCHEDULE = PaymentSchedule(Cycle.FOUR_WEEKLY, date(2026, 4, 6))
YEAR_END = date(2027, 3, 31)


def periods_from(today: date) -> list[Period]:
    first, last = SCHEDULE.index_of(today), SCHEDULE.index_of(YEAR_END)
    return [SCHEDULE.period(i) for i in range(first, last + 1)]


def scheduled(periods, amount: D) -> list[MoneyIn]:
    return [MoneyIn(p.start, amount, f"Payment {p.start}", scheduled=True) for p in periods]


def test_a_worked_example_by_hand():
    # Known £1,000.00 on 30 June 2026 (the end of the first quarter's return). Today is
    # 1 July; periods are 4-weekly from 6 April 2026, so 1 July is in the period from 29 June
    # to 26 July. The forecast's first row runs from 1 July to 26 July (26 days), then whole
    # periods to the one from 8 March 2027, clipped to 31 March (24 days).
    today = date(2026, 7, 1)
    periods = periods_from(today)
    money = scheduled(periods[1:], D("800.00"))  # the 29 June payment is already banked
    result = forecast(
        Known(date(2026, 6, 30), D("1000.00"), "the return"),
        periods,
        money,
        Rate(D("30.00"), "by hand"),
        Policy(D("200.00"), 8),
        today=today,
        year_end=YEAR_END,
    )
    first = result.rows[0]
    assert first.period == Period(date(2026, 7, 1), date(2026, 7, 26))
    # 26 days x £30.00 = £780.00; 1,000.00 - 780.00 = 220.00
    assert (first.spending, first.closing) == (D("780.00"), D("220.00"))
    assert first.spending_working == "26 days at £30.00 a day = £780.00"
    last = result.rows[-1]
    assert last.period == Period(date(2027, 3, 8), date(2027, 3, 31))
    # Days 1 July 2026 to 31 March 2027: 274; spending 274 x 30 = 8,220.00. Money in: the
    # periods from 27 July to 8 March, 9 payments of 800 = 7,200.00. 1,000 + 7,200 - 8,220
    # = -20.00. Each whole period adds 800 and spends 28 x 30 = 840: 220 after July, then
    # 180, 140, 100, 60, 20, and -20 at the end of the period from 14 December: the money
    # runs out by 10 January 2027.
    assert result.year_end_balance == D("-20.00")
    assert result.outlook == Outlook.OVERSPEND
    assert result.runs_out.period == Period(date(2026, 12, 14), date(2027, 1, 10))
    assert result.headline(you=True) == (
        "At the rate you have been spending, your money is likely to run out by "
        "10 January 2027, before 31 March 2027."
    )
    # Read after that period has ended, the shortfall is in the past and says so.
    later = dataclasses.replace(result, today=date(2027, 1, 20))
    assert later.headline(you=True) == (
        "At the rate you have been spending, your money may already have run out, by "
        "10 January 2027. Please check the balance and get in touch."
    )


def test_an_underspend_beyond_the_policy_is_named_with_its_figures():
    today = date(2026, 7, 1)
    periods = periods_from(today)
    result = forecast(
        Known(date(2026, 6, 30), D("3000.00"), "the return"),
        periods,
        scheduled(periods[1:], D("800.00")),
        Rate(D("20.00"), "by hand"),
        Policy(D("200.00"), 8),  # may keep 8 x 200 = £1,600.00
        today=today,
        year_end=YEAR_END,
    )
    # 3,000 + 7,200 - 274 x 20 (5,480.00) = 4,720.00; 4,720 - 1,600 = 3,120.00 above it.
    assert result.year_end_balance == D("4720.00")
    assert result.outlook == Outlook.UNDERSPEND
    assert result.excess == D("3120.00")
    assert result.headline(you=True) == (
        "You are likely to have £4,720.00 left at 31 March 2027: £3,120.00 more than the 8 "
        "weeks' budget (£1,600.00) that may be kept."
    )


def test_money_outside_the_forecast_days_is_not_counted():
    today = date(2026, 7, 1)
    periods = periods_from(today)
    money = [
        MoneyIn(date(2026, 6, 30), D("500.00"), "already in the known balance"),
        MoneyIn(date(2027, 4, 1), D("500.00"), "next year", scheduled=True),
    ]
    result = forecast(
        Known(date(2026, 6, 30), D("100.00"), "k"),
        periods,
        money,
        Rate(D("0"), "none"),
        Policy(D("100.00"), 8),
        today=today,
        year_end=YEAR_END,
    )
    assert result.year_end_balance == D("100.00")
    assert result.outlook == Outlook.ON_TRACK


def test_periods_that_do_not_follow_on_are_refused():
    with pytest.raises(ValueError):
        forecast(
            Known(date(2026, 6, 30), D("0"), "k"),
            [SCHEDULE.period(3), SCHEDULE.period(5)],
            [],
            Rate(D("0"), "none"),
            Policy(D("0"), 8),
            today=date(2026, 7, 1),
            year_end=YEAR_END,
        )


pence = st.integers(min_value=-500_000, max_value=5_000_000).map(lambda p: D(p) / 100)


@given(
    known_offset=st.integers(min_value=0, max_value=400),
    today_offset=st.integers(min_value=0, max_value=360),
    balance=pence,
    per_day=st.decimals(min_value=D("0"), max_value=D("500"), places=4),
    payments=st.lists(st.tuples(st.integers(min_value=0, max_value=400), pence), max_size=20),
    weekly=st.decimals(min_value=D("0"), max_value=D("3000"), places=2),
    weeks=st.integers(min_value=0, max_value=12),
)
def test_every_forecast_adds_up_to_the_penny(
    known_offset, today_offset, balance, per_day, payments, weekly, weeks
):
    start = date(2026, 4, 1)
    known_day = start + timedelta(days=known_offset) - timedelta(days=1)
    today = min(start + timedelta(days=today_offset), YEAR_END)
    money = [MoneyIn(start + timedelta(days=d), amount, "p") for d, amount in payments]
    result = forecast(
        Known(known_day, balance, "k"),
        periods_from(today),
        money,
        Rate(per_day, "r"),
        Policy(weekly, weeks),
        today=today,
        year_end=YEAR_END,
    )
    opening = balance
    counted = D(0)
    for row in result.rows:
        assert row.opening == opening  # the chain is unbroken
        assert row.closing == row.opening + row.money_in - row.spending
        assert row.spending == row.spending.quantize(D("0.01"))  # rounded once, to the penny
        assert all(isinstance(v, D) for v in (row.opening, row.spending, row.closing))
        counted += row.money_in
        opening = row.closing
    # The rows cover each day from the day after the known balance to the year's end, once.
    days = sum(row.period.days for row in result.rows)
    assert days == max((YEAR_END - known_day).days, 0)
    inside = [m for m in money if known_day < m.day <= YEAR_END]
    assert counted == sum((m.amount for m in inside), D(0))
    assert result.year_end_balance == balance + result.total_in - result.total_spending
    # The warnings say what the figures say.
    if any(row.closing < 0 for row in result.rows):
        assert result.outlook == Outlook.OVERSPEND
    elif result.year_end_balance > (weekly * weeks).quantize(D("0.01")):
        assert result.outlook == Outlook.UNDERSPEND
    else:
        assert result.outlook == Outlook.ON_TRACK
