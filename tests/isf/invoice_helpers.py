"""An Option 2 person paid to a provider on its invoices, and an invoice of delivered hours
for the first payment period (6 April to 3 May 2026): 10 hours a week planned, so 40."""

from __future__ import annotations

from datetime import date

from dp_portal.auth.models import Role
from dp_portal.isf import invoice_services
from dp_portal.isf.invoice_services import InvoiceIn, LineIn

from ..payments.test_run_controls import SCHEDULE
from .helpers import in_force

PERIOD = (date(2026, 4, 6), date(2026, 5, 3))


def invoiced(factory, **terms):
    """(provider, account, agreement, provider staff member, finance officer)."""
    terms.setdefault("payment_basis", "invoice")
    org, account, row, _version = in_force(factory, **terms)
    staff = factory.user(Role.PROVIDER_STAFF, organisation_id=org.id)
    return org, account, row, staff, factory.user(Role.FINANCE_OFFICER)


def send(org, staff, lines, *, reference="INV-1", period=PERIOD):
    data = InvoiceIn(
        reference,
        *period,
        [
            LineIn(ref, kind, int(hours * 100), f"Line {n}")
            for n, (ref, kind, hours) in enumerate(lines, 1)
        ],
    )
    return invoice_services.submit_invoice(org, data, actor=staff, schedule=SCHEDULE)
