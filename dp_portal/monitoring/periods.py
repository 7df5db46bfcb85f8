"""Monitoring periods and due dates, derived from an account's tier history: nobody creates
them by hand (shared/design.md 2.3)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from ..core.calendar import (
    Period,
    WorkingCalendar,
    financial_quarter,
    financial_year_end,
    financial_year_start,
    month_period,
)
from ..core.types import LabelledEnum

DUE_AFTER = timedelta(days=28)
FIRST_RETURN_WEEKS = 12


class Tier(LabelledEnum):
    NEW = "new", "New account: a first return after 12 weeks, then quarterly"
    STANDARD = "standard", "Standard: quarterly"
    LIGHT = "light", "Light touch: once a year"
    MONTHLY = "monthly", "Monthly (higher risk)"


@dataclass(frozen=True)
class ReturnPeriod:
    start: date
    end: date
    due: date


@lru_cache(maxsize=16_384)  # period starts repeat across accounts (quarter starts)
def _period_containing(tier: Tier, day: date) -> Period:
    if tier == Tier.MONTHLY:
        return month_period(day)
    if tier == Tier.LIGHT:
        return Period(financial_year_start(day), financial_year_end(day))
    return financial_quarter(day)[1]


def return_periods(
    account_start: date,
    tiers: list[tuple[date, Tier]],
    up_to: date,
    calendar: WorkingCalendar,
) -> list[ReturnPeriod]:
    """Every monitoring period from the account's start whose end is on or before `up_to`
    (plus the one in progress), with its due date: 28 days after the end, moved to the next
    Scottish working day. `tiers` is the tier history as (effective from, tier), oldest first;
    with none recorded the account is standard."""
    history = sorted(tiers) or [(account_start, Tier.STANDARD)]

    def tier_on(day: date) -> Tier:
        current = history[0][1]
        for start, tier in history:
            if start <= day:
                current = tier
        return current

    periods = []
    day = account_start
    after_first = False
    if tier_on(account_start) == Tier.NEW:
        end = account_start + timedelta(weeks=FIRST_RETURN_WEEKS) - timedelta(days=1)
        periods.append(Period(account_start, end))
        day = end + timedelta(days=1)
        after_first = True
    while day <= up_to:
        tier = tier_on(day)
        natural = _period_containing(Tier.STANDARD if tier == Tier.NEW else tier, day)
        if after_first and (natural.end - day).days < 28:
            # No return for a few days' stub after the first one: run on to the next quarter.
            natural = _period_containing(Tier.STANDARD, natural.end + timedelta(days=1))
        after_first = False
        period = Period(day, natural.end)
        periods.append(period)
        day = period.end + timedelta(days=1)
    return [
        ReturnPeriod(p.start, p.end, calendar.next_working_day(p.end + DUE_AFTER)) for p in periods
    ]
