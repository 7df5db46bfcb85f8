"""Dates the council works by: financial years, quarters, payment cycles and working days.

Scottish bank holidays decide letters and due dates; England-and-Wales bank holidays decide
Bacs processing days. Holidays come from the `holidays` package (data shipped with it, no
network) plus the council's own overrides, which callers pass in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from functools import lru_cache

# The United Kingdom's class itself, not holidays.country_holidays("GB"): that looks the
# country up through a registry which imports all 251 countries' modules on first use (half
# a second inside whatever asked first, a payment run's build or someone's page). Importing
# the class costs the same once, but when the app starts.
from holidays.countries.united_kingdom import UnitedKingdom

FOUR_WEEKS = timedelta(days=28)


class Region(StrEnum):
    SCOTLAND = "scotland"  # the council's working days: letters, due dates
    BACS = "bacs"  # England and Wales: Bacs processing days


_SUBDIVISION = {Region.SCOTLAND: "SCT", Region.BACS: "ENG"}


@lru_cache(maxsize=256)
def bank_holidays(region: Region, year: int) -> dict[date, str]:
    """Bank holidays of one year for a region, as {date: name}."""
    days = UnitedKingdom(subdiv=_SUBDIVISION[Region(region)], years=year)
    return dict(days.items())


@dataclass(frozen=True)
class WorkingCalendar:
    """Working days for a region, with the council's own closures and openings.

    `closed` adds non-working days (a local holiday); `opened` makes a bank holiday a working day.
    """

    region: Region
    closed: frozenset[date] = field(default_factory=frozenset)
    opened: frozenset[date] = field(default_factory=frozenset)

    def holiday_name(self, day: date) -> str | None:
        if day in self.opened:
            return None
        if day in self.closed:
            return "Council closure"
        return bank_holidays(self.region, day.year).get(day)

    def is_working_day(self, day: date) -> bool:
        if day in self.opened:
            return True
        if day.weekday() >= 5:
            return False
        return self.holiday_name(day) is None

    def next_working_day(self, day: date) -> date:
        """The day itself if it is a working day, otherwise the next one."""
        return _next_working_day(self, day)

    def add_working_days(self, day: date, count: int) -> date:
        """Move `count` working days on (or back, if negative) from `day`."""
        step = timedelta(days=1 if count >= 0 else -1)
        remaining = abs(count)
        while remaining:
            day += step
            if self.is_working_day(day):
                remaining -= 1
        return day


def latest_common_working_day(day: date, *calendars: WorkingCalendar) -> date:
    """The latest day on or before `day` that is a working day in every calendar given."""
    while not all(cal.is_working_day(day) for cal in calendars):
        day -= timedelta(days=1)
    return day


def earliest_common_working_day(day: date, *calendars: WorkingCalendar) -> date:
    """The earliest day on or after `day` that is a working day in every calendar given."""
    while not all(cal.is_working_day(day) for cal in calendars):
        day += timedelta(days=1)
    return day


# --- UK financial year (1 April to 31 March) ------------------------------------------------


def financial_year_start(day: date) -> date:
    year = day.year if day.month >= 4 else day.year - 1
    return date(year, 4, 1)


def financial_year_end(day: date) -> date:
    return date(financial_year_start(day).year + 1, 3, 31)


def financial_year_label(day: date) -> str:
    """'2026/27' for any day from 1 April 2026 to 31 March 2027."""
    start = financial_year_start(day).year
    return f"{start}/{(start + 1) % 100:02d}"


@dataclass(frozen=True, order=True)
class Period:
    """An inclusive range of days."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError("a period cannot end before it starts")

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end

    def each_day(self):
        day = self.start
        while day <= self.end:
            yield day
            day += timedelta(days=1)


@lru_cache(maxsize=16_384)  # due dates repeat across 100,000 accounts; a calendar never changes
def _next_working_day(calendar: WorkingCalendar, day: date) -> date:
    while not calendar.is_working_day(day):
        day += timedelta(days=1)
    return day


def financial_quarter(day: date) -> tuple[int, Period]:
    """(quarter number 1-4, its period): Apr-Jun, Jul-Sep, Oct-Dec, Jan-Mar."""
    fy = financial_year_start(day)
    index = ((day.year - fy.year) * 12 + day.month - 4) // 3
    start = _add_months(fy, index * 3)
    end = _add_months(start, 3) - timedelta(days=1)
    return index + 1, Period(start, end)


def month_period(day: date) -> Period:
    start = day.replace(day=1)
    return Period(start, _add_months(start, 1) - timedelta(days=1))


def four_weekly_period(anchor: date, day: date) -> tuple[int, Period]:
    """The 4-weekly cycle containing `day`, counted from `anchor` (cycle 0 starts on it).

    Days before the anchor belong to negative cycles, so the cycle is defined for any day.
    """
    index = (day - anchor).days // 28
    start = anchor + index * FOUR_WEEKS
    return index, Period(start, start + FOUR_WEEKS - timedelta(days=1))


def _add_months(day: date, months: int) -> date:
    """First-of-month arithmetic only (callers pass the 1st)."""
    total = day.year * 12 + day.month - 1 + months
    return date(total // 12, total % 12 + 1, 1)


class Cycle(StrEnum):
    FOUR_WEEKLY = "four_weekly"
    MONTHLY = "monthly"


@dataclass(frozen=True)
class PaymentSchedule:
    """How a council pays: every 4 weeks from an anchor date (the Scottish norm), or monthly
    from the anchor's month. Period 0 contains the anchor; periods are numbered from it."""

    cycle: Cycle
    anchor: date

    def period(self, index: int) -> Period:
        if self.cycle == Cycle.MONTHLY:
            start = _add_months(self.anchor.replace(day=1), index)
            return Period(start, _add_months(start, 1) - timedelta(days=1))
        start = self.anchor + FOUR_WEEKS * index
        return Period(start, start + FOUR_WEEKS - timedelta(days=1))

    def index_of(self, day: date) -> int:
        if self.cycle == Cycle.MONTHLY:
            return (day.year - self.anchor.year) * 12 + day.month - self.anchor.month
        return four_weekly_period(self.anchor, day)[0]
