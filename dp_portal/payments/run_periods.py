"""Which periods an officer may build a run for, and in what order runs may be committed.

A period is paid in advance: its pay date is the latest day on or before it starts that the
council and Bacs both work (shared/design.md 2.2). A period whose pay date has passed is
never offered first; paying it needs the officer to say it is late and why, and its money
goes on the next day both work (a Bacs file cannot be dated in the past). A later period is
not committed while an earlier one has a run built or approved and neither committed nor
cancelled, so payments leave in order; a period with no run at all (before go-live, or
skipped on purpose) never blocks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from ..core.calendar import (
    PaymentSchedule,
    Period,
    Region,
    WorkingCalendar,
    earliest_common_working_day,
    latest_common_working_day,
)
from ..core.calendar_models import working_calendar
from ..core.errors import RuleError
from ..extensions import db
from .lifecycles import RunStatus
from .run_models import PaymentRun

LATE_LOOKBACK = 3  # periods before the current one that may still be paid late


Calendars = tuple[WorkingCalendar, WorkingCalendar]


def calendars() -> Calendars:
    """The council's and Bacs's working calendars, read once for a page's worth of dates."""
    return working_calendar(Region.SCOTLAND), working_calendar(Region.BACS)


def pay_date_for(period: Period, both: Calendars | None = None) -> date:
    """The latest day on or before the period starts that the council and Bacs both work."""
    return latest_common_working_day(period.start, *(both or calendars()))


def late_pay_date(today: date, both: Calendars | None = None) -> date:
    return earliest_common_working_day(today, *(both or calendars()))


@dataclass(frozen=True)
class PeriodChoice:
    index: int
    period: Period
    pay_date: date
    late: bool


def _live_periods() -> set[int]:
    return set(
        db.session.execute(
            select(PaymentRun.period_index).where(PaymentRun.status != RunStatus.CANCELLED)
        ).scalars()
    )


def period_choices(
    schedule: PaymentSchedule, today: date, count: int = 3
) -> tuple[list[PeriodChoice], list[PeriodChoice]]:
    """(periods still to be paid on time, soonest first; periods whose pay date has passed,
    most recent first), leaving out periods that already have a live run."""
    live = _live_periods()
    both = calendars()
    current = schedule.index_of(today)
    on_time, late = [], []
    index = max(current - LATE_LOOKBACK, 0)
    while len(on_time) < count:
        period = schedule.period(index)
        pay_date = pay_date_for(period, both)
        if index not in live:
            if pay_date >= today:
                on_time.append(PeriodChoice(index, period, pay_date, late=False))
            else:
                late.append(PeriodChoice(index, period, late_pay_date(today, both), late=True))
        index += 1
    return on_time, late[::-1]


def check_build(schedule: PaymentSchedule, index: int, today: date, late_reason: str) -> date:
    """The pay date for a run of period `index` built today, or RuleError."""
    if index < 0:
        raise RuleError("Payments start with the first period after go-live")
    both = calendars()
    pay_date = pay_date_for(schedule.period(index), both)
    if pay_date >= today:
        return pay_date
    if not late_reason.strip():
        raise RuleError(
            f"The pay date for this period, {pay_date:%d %B %Y}, has passed. To pay it late, "
            "confirm that you mean to and say why"
        )
    return late_pay_date(today, both)


def check_commit_order(run: PaymentRun) -> None:
    earlier = db.session.execute(
        select(PaymentRun.period_start)
        .where(
            PaymentRun.period_index < run.period_index,
            PaymentRun.status.in_([RunStatus.BUILT, RunStatus.APPROVED]),
        )
        .order_by(PaymentRun.period_index)
        .limit(1)
    ).scalar_one_or_none()
    if earlier is not None:
        raise RuleError(
            f"The run for the period starting {earlier:%d %B %Y} has not been committed or "
            "cancelled. Commit or cancel it first, so payments leave in order"
        )
