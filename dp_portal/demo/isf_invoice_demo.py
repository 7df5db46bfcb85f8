"""Demo invoices (issue 14, part B), on the agreement paid on the provider's invoices: an
approved invoice whose period is sealed, with an open change request asking for two hours
left off it, and a later invoice with a line held over what remains of the budget.

Needs: isf_demo's agreement paid on invoice, its provider's staff login and a finance officer.
"""

from __future__ import annotations

from datetime import date

from flask import current_app

from ..isf import change_requests, invoice_services
from ..isf.change_requests import ChangeIn
from ..isf.delivery_models import IsfPeriod
from ..isf.invoice_services import InvoiceIn, LineIn
from ..isf.models import IsfAgreement
from ..payments.run_build import payment_schedule


def invoice_demo(agreement: IsfAgreement, staff, officer, today: date) -> None:
    schedule = payment_schedule(current_app.config)
    version = next(v for v in agreement.versions if v.status == "active")
    first = schedule.period(schedule.index_of(version.starts_on) + 1)
    second = schedule.period(schedule.index_of(first.start) + 1)
    reference = agreement.account.reference

    def send(number: int, period, hours: int):
        line = LineIn(reference, "day", hours * 100, "Line 1")
        data = InvoiceIn(f"CC-{number}", period.start, period.end, [line])
        return invoice_services.submit_invoice(
            agreement.provider, data, actor=staff, schedule=schedule
        )

    approved = send(101, first, 30)
    invoice_services.approve_invoice(approved, actor=officer)
    period = next(line.period_id for line in approved.lines)
    change_requests.raise_change(
        _period(period),
        ChangeIn(
            "Two hours left off the invoice",
            "Our carer stayed two extra hours on the last Friday of the period; the timesheet "
            "is signed by the person.",
            amount=None,
        ),
        actor=staff,
        today=today,
    )
    # A line far over what remains of the budget for the year: held for an officer.
    send(102, second, 600)


def _period(period_id: int) -> IsfPeriod:
    from ..extensions import db

    return db.session.get(IsfPeriod, period_id)
