"""What the balance forecast reads, for one account or a batch of them at once: the accepted
returns, the ledger since the last one, the periods already paid, and the approved budgets
priced for each period still to pay. The same code serves the account's page and the morning
rebuild of every account's summary, so the list and the page never disagree.

Money in from the schedule: each payment period of the year not yet paid is priced from the
approved budget versions (the one in force and any approved for later) as a payment run would
price it (payments/pricing.py), on its pay date (payments/run_periods.py); a net payer's own
contribution is paid in with it. A suspended or closed account has nothing scheduled."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from ..accounts.models import Account, AccountStatus
from ..core.calendar import PaymentSchedule, Period
from ..core.money import ZERO, format_money, from_pence
from ..extensions import db
from ..payments.ledger_models import LedgerEntry, Payment
from ..payments.plans import load_plans, rate_book
from ..payments.pricing import PeriodPricer, PlanVersion, weekly_on
from ..payments.rates import RateBook
from ..payments.run_periods import calendars, pay_date_for
from .forecast import Known, MoneyIn, Policy, Rate, long_day
from .lifecycle import ReturnStatus
from .models import SPEND_COLUMNS, MonitoringReturn

SPEND_LOOKBACK = timedelta(days=365)  # the rate of spending: the last year's accepted returns
SEVEN = Decimal(7)


@dataclass
class Facts:
    """One account's rows, as read."""

    account_id: int
    start: date
    end: date | None
    status: str
    accepted: list[tuple[date, date, int, int]] = field(default_factory=list)
    ledger: list[tuple[date, int, str]] = field(default_factory=list)
    paid: set[int] = field(default_factory=set)


@dataclass(frozen=True)
class Year:
    """The forecast's frame: today, the year's end and its payment periods from today."""

    today: date
    end: date
    schedule: PaymentSchedule

    @property
    def indexes(self) -> range:
        return range(self.schedule.index_of(self.today), self.schedule.index_of(self.end) + 1)

    @property
    def periods(self) -> list[Period]:
        return [self.schedule.period(i) for i in self.indexes]


def read_facts(accounts: list[Account] | list[tuple], year: Year) -> dict[int, Facts]:
    """Accounts (rows of id, start, end, status) -> their facts, in four queries."""
    facts = {a[0]: Facts(*a) for a in accounts}
    ids = list(facts)
    spend = sum(getattr(MonitoringReturn, column) for column in SPEND_COLUMNS)
    for account_id, start, end, closing, spent in db.session.execute(
        select(
            MonitoringReturn.account_id,
            MonitoringReturn.period_start,
            MonitoringReturn.period_end,
            MonitoringReturn.closing_pence,
            spend,
        )
        .where(
            MonitoringReturn.account_id.in_(ids),
            MonitoringReturn.status == ReturnStatus.ACCEPTED,
        )
        .order_by(MonitoringReturn.account_id, MonitoringReturn.period_end)
    ):
        facts[account_id].accepted.append((start, end, closing, spent))
    earliest = min((_known_day(f) for f in facts.values()), default=year.today)
    for account_id, day, pence, description in db.session.execute(
        select(
            LedgerEntry.account_id,
            LedgerEntry.entry_date,
            LedgerEntry.amount_pence,
            LedgerEntry.description,
        )
        .where(
            LedgerEntry.account_id.in_(ids),
            LedgerEntry.entry_date > earliest,
            LedgerEntry.entry_date <= year.end,
        )
        .order_by(LedgerEntry.entry_date, LedgerEntry.id)
    ):
        facts[account_id].ledger.append((day, pence, description))
    for account_id, index in db.session.execute(
        select(Payment.account_id, Payment.period_index).where(
            Payment.account_id.in_(ids),
            Payment.kind == "regular",
            Payment.period_index.in_(list(year.indexes)),
        )
    ):
        facts[account_id].paid.add(index)
    return facts


def _known_day(facts: Facts) -> date:
    if facts.accepted:
        return facts.accepted[-1][1]
    return facts.start - timedelta(days=1)


class Pricing:
    """The rate book, every account's plans, and one pricer and pay date per period."""

    def __init__(self, year: Year, account_ids: set[int] | None):
        self.year = year
        self.book: RateBook = rate_book()
        self.plans = load_plans(account_ids)
        self.pricers = {i: PeriodPricer(year.schedule.period(i), self.book) for i in year.indexes}
        both = calendars()
        self.pay_dates = {i: pay_date_for(year.schedule.period(i), both) for i in year.indexes}

    def weekly(self, facts: Facts, day: date) -> Decimal:
        versions: tuple[PlanVersion, ...] = self.plans.get(facts.account_id, ())
        try:
            return weekly_on(versions, self.book, facts.start, facts.end, day).budget
        except LookupError:
            return ZERO


@dataclass(frozen=True)
class Inputs:
    known: Known
    money_in: list[MoneyIn]
    rate: Rate
    policy: Policy
    notes: list[str]


def inputs_for(facts: Facts, pricing: Pricing, underspend_weeks: int) -> Inputs:
    year = pricing.year
    known = _known(facts)
    money = [
        MoneyIn(day, from_pence(pence), _ledger_label(description, day, year.today))
        for day, pence, description in facts.ledger
        if day > known.day
    ]
    notes: list[str] = []
    money += _scheduled(facts, pricing, notes)
    weekly_now = pricing.weekly(facts, year.today)
    rate = _rate(facts, year.today, weekly_now)
    weekly_end = pricing.weekly(facts, year.end) or weekly_now
    return Inputs(known, money, rate, Policy(weekly_end, underspend_weeks), notes)


def _known(facts: Facts) -> Known:
    if not facts.accepted:
        day = facts.start - timedelta(days=1)
        return Known(
            day,
            ZERO,
            f"No return has been accepted yet, so the forecast starts from nothing in the "
            f"account on {long_day(facts.start)}, the day it started.",
        )
    start, end, closing, _ = facts.accepted[-1]
    return Known(
        end,
        from_pence(closing),
        f"The closing balance of the last accepted return, for {long_day(start)} to "
        f"{long_day(end)}: {format_money(from_pence(closing))}.",
    )


def _ledger_label(description: str, day: date, today: date) -> str:
    return f"{description} ({'due to be paid' if day > today else 'paid'} {long_day(day)})"


def _scheduled(facts: Facts, pricing: Pricing, notes: list[str]) -> list[MoneyIn]:
    if facts.status != AccountStatus.ACTIVE:
        notes.append(
            f"The account is {AccountStatus(facts.status).label.lower()}, so no payments are "
            "scheduled."
        )
        return []
    year, money = pricing.year, []
    plans = pricing.plans.get(facts.account_id, ())
    for index in year.indexes:
        if index in facts.paid:
            continue
        try:
            amount = pricing.pricers[index].amount(plans, facts.start, facts.end)
        except LookupError as exc:
            notes.append(f"A period could not be priced ({exc}), so it is left out.")
            continue
        period = amount.period
        day = max(pricing.pay_dates[index], year.today)
        span = f"{long_day(period.start)} to {long_day(period.end)}"
        if amount.total_pence:
            money.append(MoneyIn(day, amount.total, f"Payment for {span} (scheduled)", True))
        if amount.contribution_pence:
            money.append(
                MoneyIn(
                    day,
                    from_pence(amount.contribution_pence),
                    f"Your contribution for {span}, paid in by you (expected)",
                    True,
                )
            )
    return money


def _rate(facts: Facts, today: date, weekly: Decimal) -> Rate:
    recent = [r for r in facts.accepted if r[1] > today - SPEND_LOOKBACK] or facts.accepted[-1:]
    if not recent:
        return Rate(
            weekly / SEVEN,
            f"No return has been accepted yet, so the budget is taken to be spent as planned: "
            f"{format_money(weekly)} a week, divided by 7.",
        )
    spent = from_pence(sum(r[3] for r in recent))
    days = sum((r[1] - r[0]).days + 1 for r in recent)
    per_day = spent / days
    return Rate(
        per_day,
        f"{format_money(spent)} spent in {days} days, in the accepted returns from "
        f"{long_day(recent[0][0])} to {long_day(recent[-1][1])}: "
        f"{format_money(per_day)} a day.",
    )


def group_by_batch(rows, size: int):
    """Rows in lists of `size`, in order (the morning rebuild's batches)."""
    batch: list = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
