"""The person's ISF statement in plain English (issue 14): budget for the year, paid so far,
hours planned, delivered and banked, and what remains. Delivered and banked hours come from
the provider's invoices and the banked hours (part B's tables): none until they exist."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from dp_portal.isf import statement
from dp_portal.isf.delivery_models import IsfBankedHours, IsfInvoice, IsfInvoiceLine, IsfPeriod
from dp_portal.payments.ledger_models import Payment

from .helpers import in_force, living_wage

TODAY = date(2026, 5, 3)  # 4 weeks into the agreement (6 April 2026)


def _payment(db_session, account, pence: int, payee_type="organisation") -> None:
    db_session.add(
        Payment(
            account_id=account.id,
            period_index=0,
            period_start=date(2026, 4, 6),
            period_end=date(2026, 5, 3),
            payee_type=payee_type,
            amount_pence=pence,
            pay_date=date(2026, 4, 2) if payee_type == "person" else date(2026, 4, 6),
            breakdown_json="{}",
        )
    )


def test_the_statement_adds_up_from_the_agreement_payments_and_delivery(
    app_ctx, factory, db_session
):
    living_wage(db_session)
    org, account, row, _version = in_force(factory)
    empty = statement.statement(row, TODAY)
    assert (empty.paid, empty.delivered_hours, empty.banked_hours) == (0, 0, 0)
    assert empty.planned_hours == Decimal("40.00")  # 10 hours a week for 4 weeks
    _payment(db_session, account, 90000)
    _payment(db_session, account, 5000, payee_type="person")  # not the provider's
    invoice = IsfInvoice(
        organisation_id=org.id,
        provider_reference="INV-1",
        period_start=date(2026, 4, 6),
        period_end=date(2026, 5, 3),
        source="form",
        submitted_by_id=row.created_by_id,
    )
    # The period the invoice made (lines always belong to one), with its planned hours.
    period = IsfPeriod(
        agreement_id=row.id,
        account_id=account.id,
        period_start=date(2026, 4, 6),
        period_end=date(2026, 5, 3),
        planned_hours_hundredths=4000,
    )
    db_session.add_all([invoice, period])
    db_session.flush()
    for hours, state in ((3600, "accepted"), (200, "held"), (100, "released")):
        db_session.add(
            IsfInvoiceLine(
                invoice_id=invoice.id,
                agreement_id=row.id,
                period_id=period.id,
                account_id=account.id,
                service_type="day",
                hours_hundredths=hours,
                rate_pence=2250,
                amount_pence=hours * 2250 // 100,
                state=state,
                hold_reason="Over the budget" if state == "held" else None,
                decided_by_id=row.created_by_id if state == "released" else None,
                decision_note="Agreed" if state == "released" else None,
            )
        )
    for kind, hours in (("banked", 400), ("used", 150)):
        db_session.add(
            IsfBankedHours(
                agreement_id=row.id, year_start=date(2026, 4, 1), kind=kind, hours_hundredths=hours
            )
        )
    db_session.flush()
    result = statement.statement(row, TODAY)
    assert result.budget == Decimal("11700.00")
    assert result.paid == Decimal("900.00")
    # Accepted and released (£810 + £22.50) wait to be paid and the held line (£45) waits on
    # an officer: all of it counts against what remains, as it does on the next invoice.
    assert (result.waiting, result.held, result.corrections) == (
        Decimal("832.50"),
        Decimal("45.00"),
        Decimal("0.00"),
    )
    assert result.remaining == Decimal("9922.50")
    assert result.delivered_hours == Decimal("37")  # the held line is not delivered yet
    assert result.banked_hours == Decimal("2.5")
    assert result.hours_difference == Decimal("-3")


def test_the_person_reads_what_is_held_and_agreed_but_not_yet_paid(client, factory, db_session):
    from dp_portal.auth.models import Role
    from dp_portal.extensions import db

    from ..conftest import sign_in_as
    from .invoice_helpers import invoiced, send

    living_wage(db_session)
    with client.application.app_context():
        org, account, _row, staff, _officer = invoiced(factory, annual_budget_pence=50000)
        send(org, staff, [(account.reference, "day", 30)])  # £675: more than £500, held
        db.session.commit()  # the savepoint the request's session reads
    person = factory.user(Role.RECIPIENT)
    factory.access(person, account)
    sign_in_as(client, person)
    page = client.get(f"/accounts/{account.id}/isf").get_data(as_text=True)
    assert "Invoiced but held for a council officer to check" in page and "£675.00" in page
    assert "What remains for the rest of the year" in page and "-£175.00" in page
