"""The rules of paying a provider on its invoices of delivered hours (issue 14, part B). Pure:
no Flask, no session; the services (invoice_services.py, sealing.py, change_requests.py) call
these, and tests check them one by one.

- An invoice covers one period of the council's payment cycle, so what it pays lines up with
  the runs that pay it (and a correction's arrears item names that period).
- A line is priced at the provider's agreed rate for its kind of support on the period's first
  day, and capped by what remains of the person's budget for the year: the agreement's annual
  budget less what has been paid to the provider this financial year and less what is approved
  or accepted and waiting to be paid. A line over the cap is held for an officer, the reason
  shown (never silently cut, never silently paid).
- Planned against delivered: hours planned but not delivered are banked for later in the year
  up to the agreement's limit; beyond the limit they are recorded as over the limit, reported
  at the year end and never silently lost. Hours delivered beyond the plan draw on the bank.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from ..core.calendar import PaymentSchedule, Period, WorkingCalendar
from ..core.errors import RuleError
from ..core.money import format_money, from_pence, round_money, to_pence
from .lifecycles import CHANGE_REQUEST_WORKING_DAYS

HUNDRED = Decimal(100)
# Two workers all day every day of a monthly period: more than this on one line is a typo.
MOST_HOURS_A_PERIOD = 2 * 24 * 31


def hours_text(hundredths: int) -> str:
    """12.5 hours as "12.5", 3 hours as "3"."""
    value = Decimal(hundredths) / HUNDRED
    return f"{value.normalize():f}"


def check_hours(hours: Decimal) -> int:
    """Hours a person typed (or a cell held) as hundredths, or RuleError saying why not."""
    if hours <= 0:
        raise RuleError("enter the hours delivered, more than 0")
    if hours > MOST_HOURS_A_PERIOD:
        raise RuleError(f"enter no more than {MOST_HOURS_A_PERIOD} hours for one period")
    hundredths = hours * HUNDRED
    if hundredths != hundredths.to_integral_value():
        raise RuleError("enter hours with no more than 2 decimal places, like 7.25")
    return int(hundredths)


def line_amount_pence(hours_hundredths: int, rate_pence: int) -> int:
    """Hours at the agreed hourly rate, rounded to the penny once (core/money)."""
    return to_pence(round_money(Decimal(hours_hundredths) / HUNDRED * from_pence(rate_pence)))


def check_period(schedule: PaymentSchedule, start: date, end: date) -> int:
    """The payment cycle's index of the invoice's period, or RuleError when the dates are not
    exactly one period of the council's payment cycle."""
    index = schedule.index_of(start)
    period = schedule.period(index)
    if (period.start, period.end) != (start, end):
        raise RuleError(
            f"An invoice covers one payment period: {start:%d %B %Y} is in the period "
            f"{period.start:%d %B %Y} to {period.end:%d %B %Y}"
        )
    return index


@dataclass(frozen=True)
class Remaining:
    """What is left of a person's budget for the year, and how it was worked out: what is
    paid, and what is committed and not yet paid (approved or accepted invoice lines, lines
    held for an officer, agreed corrections), all count against it."""

    budget_pence: int
    paid_pence: int
    waiting_pence: int  # accepted or released, not yet paid
    held_pence: int = 0  # held over the cap for an officer, not yet released or refused
    corrections_pence: int = 0  # agreed corrections not yet paid (signed: owed to or by)

    @property
    def pence(self) -> int:
        return (
            self.budget_pence
            - self.paid_pence
            - self.waiting_pence
            - self.held_pence
            - self.corrections_pence
        )

    def after(self, amount_pence: int) -> Remaining:
        """What remains once a line within it is accepted."""
        waiting = self.waiting_pence + amount_pence
        return Remaining(
            self.budget_pence, self.paid_pence, waiting, self.held_pence, self.corrections_pence
        )

    def after_held(self, amount_pence: int) -> Remaining:
        """What remains once a line over it is held for an officer."""
        held = self.held_pence + amount_pence
        return Remaining(
            self.budget_pence, self.paid_pence, self.waiting_pence, held, self.corrections_pence
        )


def hold_reason(amount_pence: int, remaining: Remaining) -> str | None:
    """Why a line is held for an officer, or None when it is within the cap."""
    if amount_pence <= remaining.pence:
        return None
    left = max(remaining.pence, 0)
    parts = [
        f"{_pounds(remaining.budget_pence)} budget",
        f"{_pounds(remaining.paid_pence)} paid",
        f"{_pounds(remaining.waiting_pence)} approved and waiting to be paid",
    ]
    if remaining.held_pence:
        parts.append(f"{_pounds(remaining.held_pence)} held for an officer")
    if remaining.corrections_pence:
        parts.append(f"{_pounds(remaining.corrections_pence)} of agreed corrections not yet paid")
    return (
        f"{_pounds(amount_pence)} is more than the {_pounds(left)} that remains of the budget "
        f"for the year ({', '.join(parts)})"
    )


def _pounds(pence: int) -> str:
    return format_money(from_pence(pence))


def banking(planned: int, delivered: int, balance: int, limit: int) -> list[tuple[str, int]]:
    """What a sealed period adds to the bank, in hundredths of an hour, as (kind, hours) rows:
    unused hours banked up to the limit and the rest over the limit; hours delivered beyond
    the plan drawn from what is banked (never below nothing)."""
    rows: list[tuple[str, int]] = []
    unused = planned - delivered
    if unused > 0:
        room = max(limit - balance, 0)
        if min(unused, room):
            rows.append(("banked", min(unused, room)))
        if unused > room:
            rows.append(("over_limit", unused - room))
    elif unused < 0 and balance > 0:
        rows.append(("used", min(-unused, balance)))
    return rows


def change_due(day: date, calendar: WorkingCalendar) -> date:
    """When a change request raised or answered on `day` becomes overdue: 10 Scottish working
    days on (issue 14; the council's own closures count as the calendar says)."""
    return calendar.add_working_days(day, CHANGE_REQUEST_WORKING_DAYS)


def planned_hours(weekly_hundredths: int, period: Period) -> int:
    """The hours planned for a period: the funded hours a week, pro rata by day."""
    return int(round_money(Decimal(weekly_hundredths) * period.days / 7 / HUNDRED) * HUNDRED)


def plans(weekly: Iterable[int], period: Period) -> dict[int, int]:
    """planned_hours of each distinct funded hours a week in `weekly`, worked out once each
    (a council's people share a few plans)."""
    return {hours: planned_hours(hours, period) for hours in set(weekly)}
