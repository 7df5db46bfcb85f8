"""A balance forecast to the end of the financial year: pure, no Flask, no session.

Councils and recipients both fear "boom and bust": money piling up unspent (and then asked
back) or running out before the year ends. This rule walks an account's balance forward,
period by period, from the last balance the council knows to 31 March:

    balance at the end of a period = balance at its start
                                     + money paid in during it (payments made, due or scheduled)
                                     - spending during it (days x the rate of spending)

- Where it starts (`Known`): the closing balance of the last accepted return, on the last day
  of its period (or nothing, the day before the account started, when no return has been
  accepted yet).
- Money in (`MoneyIn`): the ledger since that day (payments made or due to be paid, the
  contributions a net payer pays in, corrections), and each payment period not yet paid,
  priced from the approved budgets (the one in force and any approved for later) on its pay
  date. The service gathers these; this module only adds them up.
- Spending (`Rate`): the rate per day the accepted returns show, or the budget's own rate
  when there is none. Each period's spending is rounded once, to the penny (core/money.py).
- The warning: an overspend when the balance is forecast to go below zero at the end of any
  period (money comes in at the start of a period, paid in advance, so a period's end is its
  lowest point); an underspend when the balance at the year's end is forecast to be more than
  the policy's number of weeks of budget (by default the contingency a person may keep,
  shared/design.md 2.3), the money a council may ask back after the year's last return.

Every figure carries its working, so a page can show how it was worked out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from itertools import pairwise

from ..core.calendar import Period
from ..core.money import ZERO, format_money, round_money


@dataclass(frozen=True)
class Known:
    """The balance the council knows, at the end of `day`, and where it comes from."""

    day: date
    balance: Decimal
    working: str


@dataclass(frozen=True)
class MoneyIn:
    """Money paid into the account on a day: made, due to be paid, or only scheduled."""

    day: date
    amount: Decimal
    label: str
    scheduled: bool = False


@dataclass(frozen=True)
class Rate:
    """Spending a day (not rounded) and how it was found."""

    per_day: Decimal
    working: str


@dataclass(frozen=True)
class Policy:
    """Above `underspend_weeks` of the weekly budget at the year's end is an underspend."""

    weekly_budget: Decimal
    underspend_weeks: int

    @property
    def allowed(self) -> Decimal:
        return round_money(self.weekly_budget * self.underspend_weeks)


class Outlook(StrEnum):
    OVERSPEND = "overspend"
    UNDERSPEND = "underspend"
    ON_TRACK = "on_track"

    @property
    def label(self) -> str:
        return {
            "overspend": "Likely to run out",
            "underspend": "Likely underspend",
            "on_track": "On track",
        }[self.value]


@dataclass(frozen=True)
class Row:
    """One period of the forecast (clipped to the days the forecast covers)."""

    period: Period
    opening: Decimal
    items: tuple[MoneyIn, ...]
    spending: Decimal
    spending_working: str
    closing: Decimal

    @property
    def money_in(self) -> Decimal:
        return sum((item.amount for item in self.items), ZERO)

    @property
    def scheduled(self) -> bool:
        """True when any money in it is only scheduled (not yet paid or due)."""
        return any(item.scheduled for item in self.items)


@dataclass(frozen=True)
class Forecast:
    known: Known
    rate: Rate
    policy: Policy
    today: date
    year_end: date
    rows: tuple[Row, ...]

    @property
    def year_end_balance(self) -> Decimal:
        return self.rows[-1].closing if self.rows else self.known.balance

    @property
    def total_in(self) -> Decimal:
        return sum((row.money_in for row in self.rows), ZERO)

    @property
    def total_spending(self) -> Decimal:
        return sum((row.spending for row in self.rows), ZERO)

    @property
    def runs_out(self) -> Row | None:
        """The first period whose closing balance is below zero."""
        return next((row for row in self.rows if row.closing < 0), None)

    @property
    def excess(self) -> Decimal:
        """How far the year-end balance is above what the policy lets a person keep."""
        return max(self.year_end_balance - self.policy.allowed, ZERO)

    @property
    def outlook(self) -> Outlook:
        if self.runs_out is not None:
            return Outlook.OVERSPEND
        if self.excess > 0:
            return Outlook.UNDERSPEND
        return Outlook.ON_TRACK

    def headline(self, *, you: bool) -> str:
        """One plain sentence: what is likely, in the reader's words."""
        who = "you are" if you else "this account is"
        end = long_day(self.year_end)
        if self.outlook == Outlook.OVERSPEND:
            row = self.runs_out
            assert row is not None
            spending = f"At the rate {'you have' if you else 'it has'} been spending, "
            money = f"{'your' if you else 'the'} money"
            if row.period.end < self.today:
                # The periods since the last accepted return are worked out too: a shortfall
                # in one already over is news about the past, and must read so.
                return (
                    f"{spending}{money} may already have run out, by "
                    f"{long_day(row.period.end)}. Please check the balance and get in touch."
                )
            by = long_day(row.period.end)
            return f"{spending}{money} is likely to run out by {by}, before {end}."
        left = format_money(self.year_end_balance)
        if self.outlook == Outlook.UNDERSPEND:
            return (
                f"{who.capitalize()} likely to have {left} left at {end}: "
                f"{format_money(self.excess)} more than the {self.policy.underspend_weeks} "
                f"weeks' budget ({format_money(self.policy.allowed)}) that may be kept."
            )
        return f"{who.capitalize()} likely to have {left} left at {end}."


def forecast(
    known: Known,
    periods: Sequence[Period],
    money_in: Sequence[MoneyIn],
    rate: Rate,
    policy: Policy,
    *,
    today: date,
    year_end: date,
) -> Forecast:
    """The balance at the end of each period from the day after `known` to `year_end`.

    `periods` are the payment periods from the one containing today to the one containing
    the year's end, in order; days between `known` and the first of them form one catch-up
    row. Money in dated outside the forecast's days is not counted."""
    spans = _spans(known.day + timedelta(days=1), periods, year_end)
    rows: list[Row] = []
    balance = known.balance
    for span in spans:
        items = tuple(sorted((m for m in money_in if m.day in span), key=lambda m: m.day))
        spending = round_money(rate.per_day * span.days)
        working = (
            f"{span.days} days at {format_money(rate.per_day)} a day = {format_money(spending)}"
        )
        closing = balance + sum((m.amount for m in items), ZERO) - spending
        rows.append(Row(span, balance, items, spending, working, closing))
        balance = closing
    return Forecast(known, rate, policy, today, year_end, tuple(rows))


def _spans(first_day: date, periods: Sequence[Period], year_end: date) -> list[Period]:
    """The forecast's rows: a catch-up span before the first period if needed, then each
    period clipped to [first_day, year_end]."""
    for earlier, later in pairwise(periods):
        if later.start != earlier.end + timedelta(days=1):
            raise ValueError("payment periods must follow on from each other")
    if first_day > year_end:
        return []
    spans: list[Period] = []
    if periods and first_day < periods[0].start:
        spans.append(Period(first_day, min(periods[0].start - timedelta(days=1), year_end)))
    for period in periods:
        start, end = max(period.start, first_day), min(period.end, year_end)
        if start <= end:
            spans.append(Period(start, end))
    after = max(periods[-1].end + timedelta(days=1), first_day) if periods else first_day
    if after <= year_end:  # days the periods given do not reach
        spans.append(Period(after, year_end))
    return spans


def long_day(day: date) -> str:
    """'31 March 2027', as the pages write dates."""
    return f"{day.day} {day:%B %Y}"
