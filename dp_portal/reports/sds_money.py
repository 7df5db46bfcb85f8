"""The SDS reports' money and duty figures, each from SQL aggregates over a few rows a year:
direct-payment spend against budget by financial year, reminders issued on time (the reminder
report's measure), and living-wage compliance.

Living-wage compliance compares the hourly wage the council funds PA hours at (the rate
book's living wage row in force) with the Scottish Government's minimum for adult social care
workers, which applies to PAs employed through a direct payment, all hours including
sleepovers (shared/facts/rates.md, from gov.scot "adult social care workers minimum pay"). The
2026/27 figure is the one expected (the Real Living Wage); confirm it when it is announced."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import and_, case, func, or_, select

from ..core.calendar import Period, financial_year_end, financial_year_label, financial_year_start
from ..core.money import from_pence
from ..extensions import db
from ..monitoring.models import SPEND_COLUMNS, MonitoringReturn, ReminderTally
from ..monitoring.report_totals import BudgetStep
from ..monitoring.spend_totals import SpendTotal
from ..payments.rate_models import RateRow
from .sds_figures import Quarter

# (from, pounds an hour, source)
SCOTTISH_MINIMUM = (
    (date(2024, 4, 1), Decimal("12.00"), "Scottish Government, April 2024"),
    (date(2025, 4, 1), Decimal("12.60"), "Scottish Government, April 2025"),
    (date(2026, 4, 1), Decimal("13.45"), "expected for 2026/27 (Real Living Wage): confirm"),
)
WEEKS_A_YEAR = 52


@dataclass(frozen=True)
class YearRow:
    label: str
    period: Period
    budget: Decimal  # the weekly budgets in force at the year's end (or today) x 52
    paid: Decimal
    reported: Decimal  # spending on the accepted returns for periods ending in the year

    @property
    def paid_share(self) -> Decimal | None:
        return None if not self.budget else (self.paid * 100 / self.budget).quantize(Decimal("0.1"))


def in_force(day: date) -> tuple[int, int]:
    """(pence a week, accounts): every account open on `day`, the weekly amount of its
    approved budget in force that day, and how many of those budgets pay for PA hours; from
    the budget steps rebuilt each morning (monitoring/report_totals.py)."""
    counted = or_(
        and_(BudgetStep.after.is_(False), BudgetStep.day <= day),
        and_(BudgetStep.after.is_(True), BudgetStep.day < day),
    )
    weekly, with_pa = db.session.execute(
        select(
            func.coalesce(func.sum(BudgetStep.weekly_pence), 0),
            func.coalesce(func.sum(BudgetStep.pa_accounts), 0),
        ).where(counted)
    ).one()
    return int(weekly), int(with_pa)


def spend_against_budget(today: date, years: int = 3) -> list[YearRow]:
    """This financial year and the `years - 1` before it, newest first."""
    rows = []
    start = financial_year_start(today)
    for _ in range(years):
        period = Period(start, financial_year_end(start))
        paid = db.session.execute(
            select(func.coalesce(func.sum(SpendTotal.amount_pence), 0)).where(
                SpendTotal.pay_date.between(period.start, period.end)
            )
        ).scalar()
        spent = sum(getattr(MonitoringReturn, column) for column in SPEND_COLUMNS)
        reported = db.session.execute(
            select(func.coalesce(func.sum(spent), 0)).where(
                MonitoringReturn.status == "accepted",
                MonitoringReturn.period_end.between(period.start, period.end),
            )
        ).scalar()
        weekly, _ = in_force(min(period.end, today))
        rows.append(
            YearRow(
                financial_year_label(start),
                period,
                from_pence(weekly * WEEKS_A_YEAR),
                from_pence(int(paid)),
                from_pence(int(reported)),
            )
        )
        start = financial_year_start(start.replace(year=start.year - 1))
    return rows


@dataclass(frozen=True)
class ReminderRow:
    quarter: Quarter
    issued: int
    late: int  # issued after the date printed on the letter

    @property
    def on_time_share(self) -> Decimal | None:
        if not self.issued:
            return None
        return (Decimal(self.issued - self.late) * 100 / self.issued).quantize(Decimal("0.1"))


def reminders_on_time(quarters: list[Quarter]) -> list[ReminderRow]:
    """First reminders for returns due in each quarter, and how many went out late (the
    reminder report's measure, from its tallies)."""
    issued_late = ReminderTally.issued_on > ReminderTally.stage_date
    index = case(
        *((ReminderTally.due_date <= q.period.end, i) for i, q in enumerate(quarters)),
    )
    found = {
        i: (int(issued), int(late or 0))
        for i, issued, late in db.session.execute(
            select(
                index,
                func.sum(ReminderTally.reminders),
                func.sum(case((issued_late, ReminderTally.reminders), else_=0)),
            )
            .where(
                ReminderTally.stage == "first",
                ReminderTally.due_date.between(quarters[0].period.start, quarters[-1].period.end),
            )
            .group_by(index)
        )
    }
    return [ReminderRow(q, *found.get(i, (0, 0))) for i, q in enumerate(quarters)]


@dataclass(frozen=True)
class WageRow:
    quarter: Quarter
    funded: Decimal | None
    minimum: Decimal | None
    source: str

    @property
    def compliant(self) -> bool | None:
        if self.funded is None or self.minimum is None:
            return None
        return self.funded >= self.minimum


def minimum_on(day: date) -> tuple[Decimal | None, str]:
    found = [(pounds, source) for start, pounds, source in SCOTTISH_MINIMUM if start <= day]
    return found[-1] if found else (None, "no published minimum on file")


def living_wage(quarters: list[Quarter]) -> list[WageRow]:
    """The funded PA wage at each quarter's end against the Scottish minimum then."""
    rows = db.session.execute(
        select(RateRow.effective_from, RateRow.id, RateRow.value)
        .where(RateRow.kind == "living_wage")
        .order_by(RateRow.effective_from, RateRow.id)
    ).all()  # a row a year or so: read whole
    result = []
    for quarter in quarters:
        end = quarter.period.end
        funded = [value for start, _, value in rows if start <= end]
        minimum, source = minimum_on(end)
        result.append(WageRow(quarter, from_pence(funded[-1]) if funded else None, minimum, source))
    return result


def pa_employers(day: date) -> int:
    """Accounts open on `day` whose budget in force then pays for PA hours."""
    return in_force(day)[1]
