"""Opening each payment period of the agreements paid on invoice, with its planned hours, on
the period's first day (a scheduled job, daily; and `flask --app dp_portal dp isf-periods
--as-of YYYY-MM-DD` by hand). Safe to run twice: a period made already is left as it is.

Why ahead of the invoice: a period that no invoice ever covered used to have no row at all,
so its planned hours were never compared with anything, never banked and never reached the
year-end report of unused hours, which issue 14 asks to be "reported, not silently lost".
Made on its first day, every period is on the finance page until an approved invoice seals
it, and the year-end report lists what was planned in periods never sealed. The job looks at
the current period every day, so an agreement confirmed part-way through it, from a start on
or before its first day, gets it the next morning. An invoice for a period the job never
opened (the scheduler was stopped throughout, or the agreement was confirmed after the period
ended) still makes it as it always did (invoice_writes.py), with the same plan.
"""

from __future__ import annotations

from datetime import date

from flask import Flask, current_app
from sqlalchemy.dialects import postgresql, sqlite

from ..core import audit
from ..core.calendar import PaymentSchedule
from ..core.daily_jobs import daily_command, run_daily
from ..extensions import db
from ..payments.run_build import payment_schedule
from . import invoice_queries, invoices
from .delivery_models import IsfPeriod
from .lifecycles import PeriodStatus

# Rows an INSERT carries: far under SQLite's 32,766 parameters (6 a row).
BATCH = 2000


def open_periods(day: date, schedule: PaymentSchedule) -> int:
    """Open the period of `schedule` that `day` falls in for every agreement paid on invoice
    then that has none yet, each with its plan (the funded hours a week, pro rata: the rule
    invoices.plans, as when an invoice makes it). Returns how many were opened."""
    period = schedule.period(schedule.index_of(day))
    rows = db.session.execute(invoice_queries.unplanned_query(), {"day": period.start}).all()
    planned = invoices.plans((int(weekly) for _, _, weekly in rows), period)
    values = [
        {
            "agreement_id": agreement_id,
            "account_id": account_id,
            "period_start": period.start,
            "period_end": period.end,
            "planned_hours_hundredths": planned[int(weekly)],
            "status": str(PeriodStatus.OPEN),
        }
        for agreement_id, account_id, weekly in rows
    ]
    connection = db.session.connection()
    dialect_insert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    opened = 0
    for first in range(0, len(values), BATCH):
        # An invoice may have made one of these periods since the query: it stays as made.
        made = connection.execute(
            dialect_insert(IsfPeriod.__table__)
            .on_conflict_do_nothing()
            .returning(IsfPeriod.__table__.c.id),
            values[first : first + BATCH],
        )
        opened += len(made.all())
    if opened:
        audit.record(
            None,
            "isf.periods_opened",
            object_type="isf_periods",
            summary=(
                f"{opened} ISF {'period' if opened == 1 else 'periods'} opened for "
                f"{period.start:%d %B %Y} to {period.end:%d %B %Y}, with the hours planned"
            ),
            after={"period_start": period.start.isoformat(), "opened": opened},
        )
    return opened


def open_todays_periods(today: date) -> int:
    return open_periods(today, payment_schedule(current_app.config))


def periods_job(app: Flask) -> int:
    """For the scheduler's JOBS registry (daily)."""
    return run_daily(app, open_todays_periods, "ISF periods opened")


periods_command = daily_command(
    "isf-periods",
    open_todays_periods,
    "ISF periods",
    "Open the current payment period, with its planned hours, for every ISF agreement paid "
    "on invoice that has none yet. Running it twice changes nothing.",
)
