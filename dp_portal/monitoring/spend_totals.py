"""Direct payments paid, added up by pay date, SDS option and locality, for the SDS reports
(which add up a few thousand rows a year instead of every payment to every account). Rebuilt
each morning with the balance forecasts (forecast_jobs.py), by one INSERT ... SELECT in the
database. Kept here, beside the forecasts that also read payments made: nothing may import
reports, so the scheduler reaches it through monitoring."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, Integer, String, delete, func, insert, select
from sqlalchemy.orm import Mapped, mapped_column

from ..accounts.models import Account
from ..extensions import db
from ..payments.ledger_models import Payment
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
    """Replace the totals with the payments as they stand; returns how many rows."""
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
    stamp = db.session.get(SummaryRefresh, NAME)
    if stamp is None:
        db.session.add(SummaryRefresh(name=NAME, refreshed_on=today))
    else:
        stamp.refreshed_on = today
    return db.session.execute(select(func.count()).select_from(SpendTotal)).scalar()


def totals_as_of() -> date | None:
    stamp = db.session.get(SummaryRefresh, NAME)
    return stamp.refreshed_on if stamp else None
