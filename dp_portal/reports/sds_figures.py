"""The SDS reports' figures, each from one SQL aggregate over the morning's totals or the
recoveries (a single pass with a CASE for each quarter), never a Python loop over accounts or
payments: the same few queries at any council size. Quarters are financial-year quarters
(April to June is Q1), the last eight ending with the one asked about.

Definitions (the pages say them too):
- people: distinct supported people with an account open on any day of the quarter (from its
  start date to its end date, whatever its status), by the account's SDS option, from the
  totals rebuilt each morning (monitoring/report_totals.py);
- spend: direct payments the council paid (committed payments, corrections included) with a
  pay date in the quarter, from the totals rebuilt each morning (monitoring/spend_totals.py);
- recoveries raised: asked back in the quarter (by the day they were raised, UK time), and how
  much of them has been recovered to date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, func, literal, or_, select

from ..accounts.models import Account
from ..core.calendar import Period, financial_quarter, financial_year_label
from ..core.money import from_pence
from ..extensions import db
from ..monitoring.report_totals import PeopleTotal
from ..monitoring.spend_totals import SpendTotal
from ..payments.ledger_models import Recovery

OPTIONS = (1, 2, 4)
NO_LOCALITY = "Not recorded"


@dataclass(frozen=True)
class Quarter:
    number: int
    period: Period

    @property
    def label(self) -> str:
        return f"{financial_year_label(self.period.start)} Q{self.number}"

    @property
    def code(self) -> str:
        """'2026Q3': the financial year's first calendar year and the quarter, as the Source
        social care collection names its quarters."""
        year = self.period.start.year - (1 if self.number == 4 else 0)
        return f"{year}Q{self.number}"

    @property
    def months(self) -> str:
        return f"{self.period.start:%B} to {self.period.end:%B %Y}"


def quarter_of(day: date) -> Quarter:
    number, period = financial_quarter(day)
    return Quarter(number, period)


def last_quarters(day: date, count: int = 8) -> list[Quarter]:
    """The `count` quarters ending with the one containing `day`, oldest first."""
    quarters = [quarter_of(day)]
    while len(quarters) < count:
        quarters.append(quarter_of(quarters[-1].period.start - timedelta(days=1)))
    return quarters[::-1]


def open_during(period: Period):
    return and_(
        Account.start_date <= period.end,
        or_(Account.end_date.is_(None), Account.end_date >= period.start),
    )


@dataclass(frozen=True)
class OptionTrend:
    """People and spend by SDS option, quarter by quarter (oldest first)."""

    quarters: list[Quarter]
    people: dict[int, list[int]]
    spend: dict[int, list[Decimal]]


def _counted_quarters(quarters: list[Quarter]) -> list[date]:
    """The start of the quarter whose people totals hold each quarter's: itself, or for a
    quarter after the last one worked out, that last one (every later quarter holds the same
    accounts: those with no end date)."""
    last = db.session.execute(
        select(func.max(PeopleTotal.quarter_start)).where(PeopleTotal.whole_council.is_(True))
    ).scalar()
    return [q.period.start if last is None else min(q.period.start, last) for q in quarters]


def option_trend(quarters: list[Quarter]) -> OptionTrend:
    starts = _counted_quarters(quarters)
    found = {
        (start, option): people
        for start, option, people in db.session.execute(
            select(PeopleTotal.quarter_start, PeopleTotal.sds_option, PeopleTotal.people).where(
                PeopleTotal.whole_council.is_(True), PeopleTotal.quarter_start.in_(set(starts))
            )
        )
    }
    people = {option: [found.get((s, option), 0) for s in starts] for option in OPTIONS}
    spend_columns = [
        func.coalesce(
            func.sum(
                case(
                    (
                        SpendTotal.pay_date.between(q.period.start, q.period.end),
                        SpendTotal.amount_pence,
                    ),
                    else_=literal(0),
                )
            ),
            0,
        ).label(f"q{i}")
        for i, q in enumerate(quarters)
    ]
    spend = {option: [Decimal("0.00")] * len(quarters) for option in OPTIONS}
    for option, *sums in db.session.execute(
        select(SpendTotal.sds_option, *spend_columns)
        .where(SpendTotal.pay_date.between(quarters[0].period.start, quarters[-1].period.end))
        .group_by(SpendTotal.sds_option)
    ):
        spend[option] = [from_pence(int(s)) for s in sums]
    return OptionTrend(quarters, people, spend)


def people_open_in(quarter: Quarter) -> dict[int, int]:
    """Distinct people by option in one quarter, from the accounts as they stand now (the
    quarterly return's summary, which must agree with its rows, read at the same moment)."""
    found = dict.fromkeys(OPTIONS, 0)
    found |= dict(
        db.session.execute(
            select(Account.sds_option, func.count(func.distinct(Account.person_id)))
            .where(open_during(quarter.period))
            .group_by(Account.sds_option)
        ).all()
    )
    return found


@dataclass(frozen=True)
class LocalityRow:
    locality: str
    people: dict[int, int]
    spend: dict[int, Decimal]

    @property
    def total_people(self) -> int:
        return sum(self.people.values())

    @property
    def total_spend(self) -> Decimal:
        return sum(self.spend.values(), Decimal("0.00"))


def by_locality(quarter: Quarter) -> list[LocalityRow]:
    """People and spend by locality and option in one quarter, localities A to Z."""
    rows: dict[str, LocalityRow] = {}

    def row(locality: str) -> LocalityRow:
        return rows.setdefault(
            locality,
            LocalityRow(locality, dict.fromkeys(OPTIONS, 0), dict.fromkeys(OPTIONS, from_pence(0))),
        )

    for locality, option, people in db.session.execute(
        select(PeopleTotal.locality, PeopleTotal.sds_option, PeopleTotal.people).where(
            PeopleTotal.whole_council.is_(False),
            PeopleTotal.quarter_start == _counted_quarters([quarter])[0],
        )
    ):
        row(locality or NO_LOCALITY).people[option] = people
    for locality, option, pence in db.session.execute(
        select(SpendTotal.locality, SpendTotal.sds_option, func.sum(SpendTotal.amount_pence))
        .where(SpendTotal.pay_date.between(quarter.period.start, quarter.period.end))
        .group_by(SpendTotal.locality, SpendTotal.sds_option)
    ):
        row(locality or NO_LOCALITY).spend[option] = from_pence(int(pence))
    return [rows[name] for name in sorted(rows)]


def _uk_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=ZoneInfo("Europe/London")).astimezone(UTC)


@dataclass(frozen=True)
class RecoveryRow:
    quarter: Quarter
    raised: int
    raised_amount: Decimal
    recovered_amount: Decimal
    outstanding: Decimal  # still to recover on the open ones (cancelled ones are not owed)
    offset: int
    invoiced: int
    cancelled: int

    @property
    def methods(self) -> tuple[int, int, int]:
        return self.offset, self.invoiced, self.cancelled


def recoveries(quarters: list[Quarter]) -> list[RecoveryRow]:
    """Recoveries raised in each quarter, and how much of them is recovered to date."""
    first, after = _uk_midnight(quarters[0].period.start), _uk_midnight(quarters[-1].period.end)
    after += timedelta(days=1)
    column = case(
        *(
            (Recovery.created_at < _uk_midnight(q.period.end + timedelta(days=1)), i)
            for i, q in enumerate(quarters)
        ),
    )
    found = {
        index: values
        for index, *values in db.session.execute(
            select(
                column,
                func.count(),
                func.sum(Recovery.amount_pence),
                func.sum(Recovery.recovered_pence),
                func.sum(
                    case(
                        (
                            Recovery.status == "open",
                            Recovery.amount_pence - Recovery.recovered_pence,
                        ),
                        else_=0,
                    )
                ),
                func.sum(case((Recovery.method == "offset", 1), else_=0)),
                func.sum(case((Recovery.method == "invoice", 1), else_=0)),
                func.sum(case((Recovery.status == "cancelled", 1), else_=0)),
            )
            .where(Recovery.created_at >= first, Recovery.created_at < after)
            .group_by(column)
        )
    }
    rows = []
    for i, quarter in enumerate(quarters):
        count, amount, recovered, owed, *methods = (int(v or 0) for v in found.get(i, [0] * 7))
        rows.append(
            RecoveryRow(
                quarter,
                count,
                from_pence(amount),
                from_pence(recovered),
                from_pence(owed),
                *methods,
            )
        )
    return rows
