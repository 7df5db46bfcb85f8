"""Paying approved invoices and agreed corrections through the payment runs (issue 14, part
B): the next run pays the provider's approved account the approved lines, with the payee
snapshot and the runs' approval; a correction to a sealed period is a change request with a
conversation, overdue after 10 Scottish working days, and when agreed an arrears line in the
next run naming the sealed period, which itself never changes."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from dp_portal.core.errors import NotAllowed, RuleError
from dp_portal.extensions import db
from dp_portal.isf import change_requests, invoice_payments, invoice_services
from dp_portal.isf.change_requests import ChangeIn
from dp_portal.isf.delivery_models import IsfPeriod
from dp_portal.payments import run_decisions
from dp_portal.payments.ledger_models import Payment
from dp_portal.payments.run_models import RunLine

from ..payments.test_run_controls import _build
from .helpers import living_wage
from .invoice_helpers import invoiced, send


@pytest.fixture
def approved(app_ctx, db_session, factory):
    """An approved invoice of 12 hours (£270) for the first period."""
    living_wage(db_session)
    org, account, _row, staff, officer = invoiced(factory)
    invoice = send(org, staff, [(account.reference, "day", 12)])
    invoice_services.approve_invoice(invoice, actor=officer)
    return org, account, invoice, staff, officer


def _line(run, account) -> RunLine:
    return db.session.execute(
        select(RunLine).where(RunLine.run_id == run.id, RunLine.account_id == account.id)
    ).scalar_one()


def _commit(run, factory):
    from dp_portal.auth.models import Role

    approver = factory.user(Role.FINANCE_OFFICER)
    run_decisions.approve_run(run, actor=approver)
    run_decisions.commit_run(run.id, actor=approver)


def test_the_next_run_pays_the_provider_the_approved_invoice(approved, factory):
    _org, account, invoice, _staff, officer = approved
    run = _build(1, officer)
    line = _line(run, account)
    assert (line.outcome, line.payee_type, line.amount_pence) == ("pay", "organisation", 27000)
    assert (line.payee_name, line.sort_code) == ("CARRICK CARE", "309634")
    assert line.breakdown["isf_invoice"]["lines"][0]["invoice"] == "INV-1"
    _commit(run, factory)
    payment = db.session.execute(select(Payment)).scalar_one()
    assert (payment.amount_pence, payment.account_number) == (27000, "00733445")
    assert invoice.status == "paid" and invoice.lines[0].payment_id == payment.id
    # Paid once: the run after pays nothing more for it.
    assert _line(_build(2, officer), account).outcome == "withhold"


def test_an_invoice_waiting_for_approval_is_not_paid(app_ctx, db_session, factory):
    living_wage(db_session)
    org, account, _row, staff, officer = invoiced(factory)
    send(org, staff, [(account.reference, "day", 12)])
    assert _line(_build(1, officer), account).outcome == "withhold"


def test_a_line_paid_by_another_run_stops_the_commit(approved, factory):
    _org, _account, _invoice, _staff, officer = approved
    first, second = _build(1, officer), _build(2, officer)
    _commit(first, factory)
    # The run built before the first was committed is stale; were it not, the lines it would
    # pay again stop it (invoice_payments.paid_in_run).
    with pytest.raises(RuleError, match="another run was committed"):
        _commit(second, factory)
    with pytest.raises(RuleError, match="already been paid by another run"):
        invoice_payments.paid_in_run(second.id)


def _sealed_period() -> IsfPeriod:
    return db.session.execute(select(IsfPeriod)).scalar_one()


def test_a_change_request_is_only_for_a_sealed_period(app_ctx, db_session, factory):
    living_wage(db_session)
    org, account, _row, staff, _officer = invoiced(factory)
    send(org, staff, [(account.reference, "day", 12)])
    with pytest.raises(RuleError, match="not sealed yet"):
        change_requests.raise_change(
            _sealed_period(),
            ChangeIn("More hours", "We did 2 more"),
            actor=staff,
            today=date(2026, 5, 1),
        )


def test_a_change_request_is_due_in_ten_scottish_working_days(approved):
    _org, _account, _invoice, staff, _officer = approved
    # Raised on Thursday 30 April 2026: Monday 4 May is a bank holiday in Scotland.
    change = change_requests.raise_change(
        _sealed_period(),
        ChangeIn("More hours", "We did 2 more"),
        actor=staff,
        today=date(2026, 4, 30),
    )
    assert (change.status, change.due_on) == ("open", date(2026, 5, 15))
    assert change_requests.mark_overdue(date(2026, 5, 15)) == 0
    assert change_requests.mark_overdue(date(2026, 5, 16)) == 1
    db.session.refresh(change)
    assert change.status == "overdue"


def test_the_conversation_moves_the_request_between_open_and_answered(approved):
    _org, _account, _invoice, staff, officer = approved
    change = change_requests.raise_change(
        _sealed_period(),
        ChangeIn("More hours", "We did 2 more"),
        actor=staff,
        today=date(2026, 5, 6),
    )
    change_requests.reply(
        change, "Please send the timesheets", actor=officer, today=date(2026, 5, 7)
    )
    assert change.status == "answered"
    change_requests.reply(
        change, "Attached to the next invoice", actor=staff, today=date(2026, 5, 8)
    )
    assert change.status == "open"
    db.session.flush()
    assert [m.party for m in change.messages] == ["provider", "council", "provider"]
    with pytest.raises(NotAllowed):
        change_requests.agree(change, Decimal("45.00"), "Timesheets seen", actor=staff)


def test_an_agreed_correction_is_paid_in_the_next_run_naming_the_sealed_period(approved, factory):
    _org, account, _invoice, staff, officer = approved
    _commit(_build(1, officer), factory)
    period = _sealed_period()
    change = change_requests.raise_change(
        period,
        ChangeIn("Two more hours", "Timesheet attached"),
        actor=staff,
        today=date(2026, 5, 6),
    )
    adjustment = change_requests.agree(change, Decimal("45.00"), "Timesheets seen", actor=officer)
    assert (change.status, adjustment.status) == ("agreed", "pending")
    run = _build(2, officer)
    line = _line(run, account)
    assert (line.outcome, line.amount_pence, line.arrears_pence) == ("pay", 0, 4500)
    (item,) = line.breakdown["arrears"]
    assert (item["from"], item["to"], item["period_index"]) == ("2026-04-06", "2026-05-03", 0)
    _commit(run, factory)
    arrears = db.session.execute(select(Payment).where(Payment.kind == "arrears")).scalar_one()
    assert (arrears.amount_pence, arrears.period_start) == (4500, date(2026, 4, 6))
    assert json.loads(arrears.breakdown_json)["isf_adjustment_id"] == adjustment.id
    assert (adjustment.status, adjustment.payment_id) == ("paid", arrears.id)
    # The sealed period itself is untouched: same planned hours, same invoice, still sealed.
    db.session.refresh(period)
    assert (period.status, period.planned_hours_hundredths) == ("sealed", 4000)
    with pytest.raises(RuleError, match="has been decided"):
        change_requests.reply(change, "Thanks", actor=staff, today=date(2026, 5, 20))


def test_a_refused_correction_pays_nothing(approved, factory):
    _org, account, _invoice, staff, officer = approved
    change = change_requests.raise_change(
        _sealed_period(), ChangeIn("More", "More"), actor=staff, today=date(2026, 5, 6)
    )
    with pytest.raises(RuleError, match="Say why"):
        change_requests.refuse(change, "", actor=officer)
    change_requests.refuse(change, "Not delivered", actor=officer)
    assert change.status == "refused"
    run = _build(1, officer)
    assert _line(run, account).arrears_pence == 0


def test_the_provider_opens_the_remittance_of_its_own_payments_only(approved, factory):
    """A payment is the provider's to read when it paid one of its invoice lines or one of
    its agreed corrections (invoice_scope.load_provider_payment); another provider's staff
    are told it is not there."""
    from dp_portal.auth.models import Role
    from dp_portal.core.errors import NotFound
    from dp_portal.core.permissions import Viewer
    from dp_portal.isf import invoice_scope

    from .helpers import provider

    _org, _account, invoice, staff, officer = approved
    _commit(_build(1, officer), factory)
    change = change_requests.raise_change(
        _sealed_period(), ChangeIn("Two more", "Timesheet"), actor=staff, today=date(2026, 5, 6)
    )
    change_requests.agree(change, Decimal("45.00"), "Timesheets seen", actor=officer)
    _commit(_build(2, officer), factory)
    for_the_line = invoice.lines[0].payment_id
    for_the_correction = db.session.execute(
        select(Payment.id).where(Payment.kind == "arrears")
    ).scalar_one()
    theirs = factory.user(Role.PROVIDER_STAFF, organisation_id=provider(factory, name="Else").id)
    for payment_id in (for_the_line, for_the_correction):
        found = invoice_scope.load_provider_payment(Viewer(staff, date(2026, 6, 1)), payment_id)
        assert found.id == payment_id
        with pytest.raises(NotFound):
            invoice_scope.load_provider_payment(Viewer(theirs, date(2026, 6, 1)), payment_id)
