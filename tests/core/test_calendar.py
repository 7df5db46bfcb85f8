from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dp_portal.core.calendar import (
    Period,
    Region,
    WorkingCalendar,
    financial_quarter,
    financial_year_end,
    financial_year_start,
    four_weekly_period,
    latest_common_working_day,
    month_period,
)

SCOTLAND = WorkingCalendar(Region.SCOTLAND)
BACS = WorkingCalendar(Region.BACS)
days = st.dates(min_value=date(2000, 1, 1), max_value=date(2060, 12, 31))


def test_scottish_and_bacs_holidays_differ():
    # 2 January and St Andrew's Day are Scottish; Easter Monday and late August are not.
    assert not SCOTLAND.is_working_day(date(2026, 1, 2))
    assert BACS.is_working_day(date(2026, 1, 2))
    assert not SCOTLAND.is_working_day(date(2026, 11, 30))
    assert BACS.is_working_day(date(2026, 11, 30))
    assert SCOTLAND.is_working_day(date(2026, 4, 6))
    assert not BACS.is_working_day(date(2026, 4, 6))
    assert not SCOTLAND.is_working_day(date(2026, 8, 3))
    assert not BACS.is_working_day(date(2026, 8, 31))
    assert SCOTLAND.holiday_name(date(2026, 11, 30)) == "Saint Andrew's Day"


def test_weekends_and_christmas_are_not_working_days():
    assert not SCOTLAND.is_working_day(date(2026, 11, 28))  # Saturday
    assert not SCOTLAND.is_working_day(date(2026, 12, 25))
    assert not BACS.is_working_day(date(2026, 12, 28))  # Boxing Day observed


def test_next_working_day_and_working_day_sums_skip_holidays():
    assert SCOTLAND.next_working_day(date(2026, 11, 28)) == date(2026, 12, 1)
    assert SCOTLAND.add_working_days(date(2026, 12, 24), 1) == date(2026, 12, 29)
    assert SCOTLAND.add_working_days(date(2026, 12, 29), -1) == date(2026, 12, 24)


def test_council_overrides_close_and_open_days():
    local_holiday = date(2026, 9, 21)
    cal = WorkingCalendar(Region.SCOTLAND, closed=frozenset({local_holiday}))
    assert SCOTLAND.is_working_day(local_holiday)
    assert not cal.is_working_day(local_holiday)
    assert cal.holiday_name(local_holiday) == "Council closure"
    opened = WorkingCalendar(Region.SCOTLAND, opened=frozenset({date(2026, 11, 30)}))
    assert opened.is_working_day(date(2026, 11, 30))


def test_pay_date_must_suit_both_calendars():
    # Period starting Tuesday 1 Dec 2026: Monday 30 Nov is St Andrew's Day (Scotland only),
    # so the latest day both calendars work on or before 1 Dec is 1 Dec itself.
    assert latest_common_working_day(date(2026, 12, 1), SCOTLAND, BACS) == date(2026, 12, 1)
    # Starting Monday 6 April 2026: Easter Monday (Bacs only) and Good Friday are skipped.
    assert latest_common_working_day(date(2026, 4, 6), SCOTLAND, BACS) == date(2026, 4, 2)
    # Starting Tuesday 4 August 2026: Monday 3 August is a Scottish holiday only.
    assert latest_common_working_day(date(2026, 8, 3), SCOTLAND, BACS) == date(2026, 7, 31)


@pytest.mark.parametrize(
    ("day", "start", "quarter"),
    [
        (date(2026, 3, 31), date(2025, 4, 1), 4),
        (date(2026, 4, 1), date(2026, 4, 1), 1),
        (date(2026, 11, 23), date(2026, 4, 1), 3),
        (date(2027, 1, 1), date(2026, 4, 1), 4),
        (date(2099, 12, 31), date(2099, 4, 1), 3),
    ],
)
def test_financial_year_and_quarter(day, start, quarter):
    assert financial_year_start(day) == start
    assert financial_quarter(day)[0] == quarter


def test_quarter_boundaries():
    assert financial_quarter(date(2026, 11, 23))[1] == Period(date(2026, 10, 1), date(2026, 12, 31))
    assert financial_quarter(date(2027, 2, 28))[1] == Period(date(2027, 1, 1), date(2027, 3, 31))


def test_four_weekly_cycle_from_anchor():
    anchor = date(2026, 4, 6)
    assert four_weekly_period(anchor, anchor) == (0, Period(date(2026, 4, 6), date(2026, 5, 3)))
    assert four_weekly_period(anchor, date(2026, 5, 4))[0] == 1
    assert four_weekly_period(anchor, date(2026, 4, 5)) == (
        -1,
        Period(date(2026, 3, 9), date(2026, 4, 5)),
    )
    # 13 whole cycles in a year, plus the one overlapping its start.
    first, _ = four_weekly_period(anchor, date(2026, 4, 1))
    last, _ = four_weekly_period(anchor, date(2027, 3, 31))
    assert last - first + 1 == 14


@given(days)
def test_next_working_day_is_a_working_day_on_or_after(day):
    for cal in (SCOTLAND, BACS):
        result = cal.next_working_day(day)
        assert result >= day and cal.is_working_day(result)
        assert all(not cal.is_working_day(day + timedelta(n)) for n in range((result - day).days))


@given(days)
def test_common_working_day_is_on_or_before_and_latest(day):
    result = latest_common_working_day(day, SCOTLAND, BACS)
    assert result <= day
    assert SCOTLAND.is_working_day(result) and BACS.is_working_day(result)
    for n in range(1, (day - result).days + 1):
        between = result + timedelta(n)
        assert not (SCOTLAND.is_working_day(between) and BACS.is_working_day(between))


@given(days, st.integers(min_value=-60, max_value=60))
def test_add_working_days_counts_working_days(day, count):
    result = SCOTLAND.add_working_days(day, count)
    low, high = sorted([day, result])
    between = [low + timedelta(n) for n in range(1, (high - low).days + 1)]
    if count < 0:
        between = [low + timedelta(n) for n in range((high - low).days)]
    assert sum(SCOTLAND.is_working_day(d) for d in between) == abs(count)


@given(days, st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)))
def test_every_day_is_in_exactly_one_four_weekly_cycle(day, anchor):
    index, period = four_weekly_period(anchor, day)
    assert day in period and period.days == 28
    assert (period.start - anchor).days == index * 28


@given(days)
def test_quarters_and_months_contain_their_day_and_tile_the_year(day):
    quarter, period = financial_quarter(day)
    assert day in period and 1 <= quarter <= 4
    assert financial_year_start(day) <= period.start <= period.end <= financial_year_end(day)
    assert day in month_period(day)
    nxt = period.end + timedelta(days=1)
    assert financial_quarter(nxt)[0] == quarter % 4 + 1


def test_monthly_schedule_counts_months_from_the_anchor():
    from dp_portal.core.calendar import Cycle, PaymentSchedule

    monthly = PaymentSchedule(Cycle.MONTHLY, date(2026, 4, 6))
    assert monthly.period(0) == Period(date(2026, 4, 1), date(2026, 4, 30))
    assert monthly.period(10) == Period(date(2027, 2, 1), date(2027, 2, 28))
    assert monthly.index_of(date(2026, 11, 23)) == 7
    four = PaymentSchedule(Cycle.FOUR_WEEKLY, date(2026, 4, 6))
    assert four.period(1) == Period(date(2026, 5, 4), date(2026, 5, 31))


@given(days, st.sampled_from(["four_weekly", "monthly"]))
def test_every_day_is_in_the_period_its_index_names(day, cycle):
    from dp_portal.core.calendar import Cycle, PaymentSchedule

    schedule = PaymentSchedule(Cycle(cycle), date(2026, 4, 6))
    index = schedule.index_of(day)
    assert day in schedule.period(index)
    assert schedule.period(index + 1).start == schedule.period(index).end + timedelta(days=1)
