"""The quick invoice path (one query for every person an invoice names, the lines written in
one statement) decides each line as the plain path does (reference_invoices.py: one person
at a time): the same rate, amount, state and reason for holding it, the same period and
planned hours, on small invoices over varied histories (earlier payments in and out of the
year and to the person, invoices waiting, held, rejected and paid, two kinds of support for
one person, agreed corrections not yet paid)."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from dp_portal.auth.models import Role
from dp_portal.extensions import db
from dp_portal.isf import change_requests, invoice_services
from dp_portal.isf.change_requests import ChangeIn
from dp_portal.isf.delivery_models import IsfPeriod
from dp_portal.isf.invoice_services import InvoiceIn, LineIn
from dp_portal.payments.ledger_models import Payment
from dp_portal.payments.rate_models import ProviderRate

from ..payments.test_run_controls import SCHEDULE
from .helpers import in_force, living_wage, provider
from .invoice_helpers import PERIOD, send
from .reference_invoices import expected_lines, expected_planned

SECOND = (date(2026, 5, 4), date(2026, 5, 31))
TODAY = date(2026, 5, 6)


def _payment(account, pence: int, pay_date: date, payee_type: str = "organisation") -> None:
    db.session.add(
        Payment(
            account_id=account.id,
            period_index=-1 if pay_date.year == 2026 else -2,
            period_start=date(2026, 3, 9),
            period_end=date(2026, 4, 5),
            payee_type=payee_type,
            amount_pence=pence,
            pay_date=pay_date,
            breakdown_json="{}",
        )
    )


def _history(rng, org, staff, officer, accounts) -> None:
    """Earlier money and invoices, different for each seed."""
    for account in accounts:
        if rng.random() < 0.5:
            _payment(account, rng.randrange(5000, 60000), date(2026, 4, 6))
        if rng.random() < 0.3:
            _payment(account, 40000, date(2025, 3, 2))  # last financial year
        if rng.random() < 0.3:
            _payment(account, 30000, date(2026, 4, 6), payee_type="person")
    db.session.flush()
    # Each person on one earlier invoice of the first period, whose fate is drawn: waiting
    # (some lines held), approved (held lines decided, corrections agreed) or rejected.
    fates: dict[str, list] = {"received": [], "approved": [], "rejected": [], "none": []}
    for account in accounts:
        fates[rng.choice(list(fates))].append(account)
    for fate, chosen in fates.items():
        if fate == "none" or not chosen:
            continue
        invoice = send(
            org,
            staff,
            [(a.reference, "day", rng.choice((8, 20, 35.5))) for a in chosen],
            reference=f"EARLIER-{fate}",
        )
        for line in invoice.lines:
            if fate != "received" and line.state == "held":
                invoice_services.decide_line(
                    line, rng.random() < 0.5, "Decided in the test", actor=officer
                )
        if fate == "approved":
            invoice_services.approve_invoice(invoice, actor=officer)
            _corrections(rng, invoice, staff, officer)
        elif fate == "rejected":
            invoice_services.reject_invoice(invoice, "Wrong hours", actor=officer)


def _corrections(rng, invoice, staff, officer) -> None:
    """Agreed corrections to some of the sealed periods, owed to or by the provider, not
    yet paid (and one still being argued, which does not count)."""
    for line in invoice.lines:
        if rng.random() < 0.5:
            period = db.session.get(IsfPeriod, line.period_id)
            change = change_requests.raise_change(
                period, ChangeIn("Hours missed", "Please correct"), actor=staff, today=TODAY
            )
            if rng.random() < 0.8:
                amount = Decimal(rng.choice((-150, 200, 640)))
                change_requests.agree(change, amount, "Agreed", actor=officer)


def _scenario(factory, seed: int):
    rng = random.Random(seed)
    org = provider(factory)
    factory.session.add(
        ProviderRate(
            organisation_id=org.id,
            effective_from=date(2025, 4, 1),
            hourly_pence=2675,
            service_type="night",
            source_note="contract",
        )
    )
    staff = factory.user(Role.PROVIDER_STAFF, organisation_id=org.id)
    officer = factory.user(Role.FINANCE_OFFICER)
    accounts = [
        in_force(
            factory,
            org=org,
            payment_basis="invoice",
            annual_budget_pence=rng.choice((30000, 90000, 150000, 400000)),
        )[1]
        for _ in range(5)
    ]
    _history(rng, org, staff, officer, accounts)
    lines = [
        LineIn(a.reference.lower() if rng.random() < 0.2 else a.reference, kind, hours, f"Line {n}")
        for n, (a, kind, hours) in enumerate(
            [(a, "day", rng.choice((1000, 2550, 4000, 6000))) for a in accounts]
            + [(a, "night", rng.choice((300, 1200))) for a in accounts if rng.random() < 0.4],
            start=1,
        )
    ]
    return org, staff, InvoiceIn("NEXT", *SECOND, lines)


def _written(invoice) -> list[tuple]:
    return [
        (
            line.account_id,
            line.agreement_id,
            line.service_type,
            line.hours_hundredths,
            line.rate_pence,
            line.amount_pence,
            line.state,
            line.hold_reason,
        )
        for line in invoice.lines
    ]


@pytest.mark.parametrize("seed", range(12))
def test_the_quick_path_decides_every_line_as_the_plain_path_does(
    app_ctx, db_session, factory, seed
):
    living_wage(db_session)
    org, staff, data = _scenario(factory, seed)
    expected = expected_lines(org, data)
    planned = expected_planned(org, data)
    invoice = invoice_services.submit_invoice(org, data, actor=staff, schedule=SCHEDULE)
    db.session.flush()
    db.session.expire_all()
    assert _written(invoice) == [tuple(vars(e).values()) for e in expected]
    assert invoice.total_pence == sum(e.amount_pence for e in expected)
    periods = {
        line.agreement_id: db.session.get(IsfPeriod, line.period_id) for line in invoice.lines
    }
    assert {a: (p.period_start, p.planned_hours_hundredths) for a, p in periods.items()} == {
        a: (SECOND[0], hours) for a, hours in planned.items()
    }


def test_an_existing_period_is_reused_not_made_again(app_ctx, db_session, factory):
    living_wage(db_session)
    org, account, _row, _version = in_force(factory, payment_basis="invoice")
    staff = factory.user(Role.PROVIDER_STAFF, organisation_id=org.id)
    first = send(org, staff, [(account.reference, "day", 5)])
    invoice_services.reject_invoice(first, "Wrong", actor=factory.user(Role.FINANCE_OFFICER))
    again = send(org, staff, [(account.reference, "day", 6)], reference="INV-2")
    assert again.lines[0].period_id == first.lines[0].period_id
    assert db.session.execute(select(IsfPeriod.period_start)).scalars().all() == [PERIOD[0]]
