"""Two of the SDS reports' morning totals (spend_totals.py rebuilds them with the spend):
- budget_steps: how the total of the weekly budgets in force, and the number of accounts
  whose budget pays for PA hours, changes from one day to the next, so that the total on any
  day is one sum over the steps up to it (a few thousand rows, not every budget);
- people_totals: distinct supported people with an account open in each financial quarter, by
  SDS option, across the council and in each locality.
Each is rebuilt by one aggregate in the database; Python sees only the council-wide people
counts (three rows a quarter), to write the quarters with nobody as zeros.

Budget steps. The reports want, for any day, the sum over accounts open that day of the
weekly budget of the approved version in force then (the latest effective on or before the
day; of two approved versions from the same day, the larger weekly amount, and "pays for PA
hours" if either has a PA-hours line). Each version is in force from the later of its own
date and the account's start until the day before the next version, or the account's end
date, whichever comes first. A spell adds its amount on its first day and takes it away on
the next version's date (from that day) or after the account's end date (from the day
after), so the total on day d is the sum of the steps on or before d, less the end-date
steps on d itself."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    Integer,
    String,
    and_,
    case,
    delete,
    exists,
    false,
    func,
    insert,
    literal,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.orm import Mapped, mapped_column

from ..accounts.models import Account
from ..core.calendar import financial_quarter
from ..extensions import db
from ..payments.models import Budget, BudgetLine

OPTIONS = (1, 2, 4)


class BudgetStep(db.Model):
    """A change on `day` (after=False: from that day on) or just after it (after=True: from
    the next day, when an account's last open day was `day`) in the total weekly budget in force
    across open accounts, and in how many of those budgets pay for PA hours."""

    __tablename__ = "budget_steps"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    after: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    # A council's weekly total passes 2^31 pence (£21 million) at 100,000 accounts.
    weekly_pence: Mapped[int] = mapped_column(BigInteger, nullable=False)
    pa_accounts: Mapped[int] = mapped_column(Integer, nullable=False)


class PeopleTotal(db.Model):
    """Distinct people with an account of one SDS option open on any day of the financial
    quarter starting `quarter_start`: across the council (whole_council, locality '') or in
    one locality ('' when the account has none). A person with accounts in two localities
    counts once in each, and once across the council."""

    __tablename__ = "people_totals"

    quarter_start: Mapped[date] = mapped_column(Date, primary_key=True)
    sds_option: Mapped[int] = mapped_column(Integer, primary_key=True)
    whole_council: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    locality: Mapped[str] = mapped_column(String(60), primary_key=True)
    people: Mapped[int] = mapped_column(Integer, nullable=False)


def _spells():
    """Each approved version's spell on its account: first day, next version's date (or
    None), the account's end date (or None), weekly pence and 1 when it pays for PA hours."""
    has_pa = exists().where(BudgetLine.budget_id == Budget.id, BudgetLine.kind == "pa_hours")
    versions = (
        select(
            Budget.account_id,
            Budget.effective_from.label("since"),
            func.max(Budget.weekly_at_proposal_pence).label("pence"),
            func.max(case((has_pa, 1), else_=0)).label("pa"),
        )
        .where(Budget.status == "approved")
        .group_by(Budget.account_id, Budget.effective_from)
        .subquery()
    )
    following = func.lead(versions.c.since).over(
        partition_by=versions.c.account_id, order_by=versions.c.since
    )
    chained = select(versions, following.label("until")).subquery()
    first = case(
        (chained.c.since > Account.start_date, chained.c.since), else_=Account.start_date
    ).label("first")
    return (
        select(
            first,
            chained.c.until,
            Account.end_date.label("ends"),
            chained.c.pence,
            chained.c.pa,
        )
        .join(Account, Account.id == chained.c.account_id)
        .where(
            or_(Account.end_date.is_(None), first <= Account.end_date),
            or_(chained.c.until.is_(None), first < chained.c.until),
        )
        .cte("spells")  # read three times below: worked out once
    )


def rebuild_budget_steps() -> None:
    spell = _spells()
    starts = select(spell.c.first, false(), spell.c.pence, spell.c.pa)
    replaced = select(spell.c.until, false(), -spell.c.pence, -spell.c.pa).where(
        spell.c.until.is_not(None), or_(spell.c.ends.is_(None), spell.c.until <= spell.c.ends)
    )
    closed = select(spell.c.ends, true(), -spell.c.pence, -spell.c.pa).where(
        spell.c.ends.is_not(None), or_(spell.c.until.is_(None), spell.c.until > spell.c.ends)
    )
    steps = union_all(starts, replaced, closed).subquery()
    day, after, pence, pa = steps.c
    db.session.execute(delete(BudgetStep))
    db.session.execute(
        insert(BudgetStep).from_select(
            ["day", "after", "weekly_pence", "pa_accounts"],
            select(day, after, func.sum(pence), func.sum(pa)).group_by(day, after),
        )
    )


def _quarters(today: date) -> list[tuple[date, date]]:
    """Every financial quarter from the first with an account open to the one after the
    last date any account starts or ends on (or today): after that, every quarter holds the
    same accounts (those with no end date), so the reports read that last one for them."""
    first, last_start, last_end = db.session.execute(
        select(
            func.min(Account.start_date), func.max(Account.start_date), func.max(Account.end_date)
        )
    ).one()
    if first is None:
        return []
    horizon = max(today, last_start, last_end or last_start)
    horizon = financial_quarter(horizon)[1].end + timedelta(days=1)
    quarters, day = [], financial_quarter(first)[1].start
    while day <= horizon:
        period = financial_quarter(day)[1]
        quarters.append((period.start, period.end))
        day = period.end + timedelta(days=1)
    return quarters


def rebuild_people_totals(today: date) -> None:
    """Every quarter and option across the council, zeros included (so the last quarter is
    always there to read), and each quarter, option and locality with anyone in it."""
    db.session.execute(delete(PeopleTotal))
    quarters = _quarters(today)
    if not quarters:
        return
    calendar = union_all(
        *(
            select(literal(s, Date).label("start"), literal(e, Date).label("end"))
            for s, e in quarters
        )
    ).subquery()
    place = func.coalesce(Account.locality, "")
    people = func.count(func.distinct(Account.person_id))
    joined = select(calendar.c.start, Account.sds_option).join(
        Account,
        and_(
            Account.start_date <= calendar.c.end,
            or_(Account.end_date.is_(None), Account.end_date >= calendar.c.start),
        ),
    )
    council = dict(
        ((start, option), count)
        for start, option, count in db.session.execute(
            joined.add_columns(people).group_by(calendar.c.start, Account.sds_option)
        )
    )
    rows = [
        {
            "quarter_start": start,
            "sds_option": option,
            "whole_council": True,
            "locality": "",
            "people": council.get((start, option), 0),
        }
        for start, _ in quarters
        for option in OPTIONS
    ]
    db.session.execute(insert(PeopleTotal), rows)
    by_place = joined.add_columns(false(), place, people).group_by(
        calendar.c.start, Account.sds_option, place
    )
    db.session.execute(
        insert(PeopleTotal).from_select(
            ["quarter_start", "sds_option", "whole_council", "locality", "people"], by_place
        )
    )
