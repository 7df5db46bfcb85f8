"""The SDS reports' morning totals, so that each report page adds up a few thousand rows
instead of every payment, budget or account at the council. Rebuilt each morning with the
balance forecasts (forecast_jobs.py), each by INSERT ... SELECT in the database; the pages are
as of that morning. Kept here, beside the forecasts that also read payments made: nothing may
import reports, so the scheduler reaches it through monitoring.

- spend_totals: direct payments paid, by pay date, SDS option and locality;
- budget_steps: how the total of the weekly budgets in force (and the number of accounts whose
  budget pays for PA hours) changes from one day to the next, so that the total on any day is
  one sum over the steps up to it;
- people_totals: distinct supported people with an account open in each financial quarter, by
  SDS option, across the council and in each locality."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, Integer, String, delete, func, insert, select
from sqlalchemy.orm import Mapped, mapped_column

from ..accounts.models import Account
from ..extensions import db
from ..payments.ledger_models import Payment
from . import report_totals  # its tables are registered with these
from .models import SummaryRefresh

NAME = "spend_totals"


class SpendTotal(db.Model):
    """Payments (corrections included) with one pay date, SDS option and locality ('' when
    the account has none): how many, and their total in pence."""

    __tablename__ = "spend_totals"

    pay_date: Mapped[date] = mapped_column(Date, primary_key=True)
    sds_option: Mapped[int] = mapped_column(Integer, primary_key=True)
    locality: Mapped[str] = mapped_column(String(60), primary_key=True)
    payments: Mapped[int] = mapped_column(Integer, nullable=False)
    amount_pence: Mapped[int] = mapped_column(Integer, nullable=False)


def rebuild_spend_totals(today: date) -> int:
    """Replace every SDS report total with the payments, budgets and accounts as they stand;
    returns how many spend rows."""
    db.session.execute(delete(SpendTotal))
    place = func.coalesce(Account.locality, "")
    totals = (
        select(
            Payment.pay_date,
            Account.sds_option,
            place,
            func.count(),
            func.sum(Payment.amount_pence),
        )
        .join(Account, Account.id == Payment.account_id)
        .group_by(Payment.pay_date, Account.sds_option, place)
    )
    db.session.execute(
        insert(SpendTotal).from_select(
            ["pay_date", "sds_option", "locality", "payments", "amount_pence"], totals
        )
    )
    report_totals.rebuild_budget_steps()
    report_totals.rebuild_people_totals(today)
    stamp = db.session.get(SummaryRefresh, NAME)
    if stamp is None:
        db.session.add(SummaryRefresh(name=NAME, refreshed_on=today))
    else:
        stamp.refreshed_on = today
    return db.session.execute(select(func.count()).select_from(SpendTotal)).scalar()


def totals_as_of() -> date | None:
    stamp = db.session.get(SummaryRefresh, NAME)
    return stamp.refreshed_on if stamp else None
