"""From a return with a surplus to money recovered by the next payment run: a recovery can only
be raised after a recorded conversation, and a payment never goes below zero."""

import re
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from dp_portal.auth.models import Role
from dp_portal.core.letters import Letter
from dp_portal.monitoring.models import MonitoringReturn
from dp_portal.payments.ledger_models import Payment, Recovery
from dp_portal.payments.models import Budget, BudgetLine
from dp_portal.payments.rate_models import RateRow
from dp_portal.payments.run_models import PaymentRun

from ..conftest import sign_in_as


def _world(factory, db_session):
    recipient = factory.user(Role.RECIPIENT)
    builder, approver = factory.user(Role.FINANCE_OFFICER), factory.user(Role.FINANCE_OFFICER)
    account = factory.account(
        start_date=date(2026, 4, 6),
        payee_name="A TESTER",
        sort_code="089999",
        account_number="66374958",
    )
    factory.access(recipient, account)
    db_session.add(
        RateRow(kind="living_wage", effective_from=date(2025, 4, 1), value=1000, source_note="t")
    )
    budget = Budget(
        account_id=account.id,
        version=1,
        effective_from=date(2026, 4, 6),
        status="approved",
        weekly_at_proposal_pence=10000,
        proposed_by_id=builder.id,
        decided_by_id=approver.id,
    )
    db_session.add(budget)
    db_session.flush()
    db_session.add(
        BudgetLine(budget_id=budget.id, kind="pa_hours", description="Care", hours_hundredths=1000)
    )
    db_session.flush()
    return recipient, builder, approver, account


def test_surplus_is_recovered_from_the_next_payment_after_a_conversation(
    client, factory, db_session
):
    recipient, builder, approver, account = _world(factory, db_session)
    # Weekly budget: 10 hours x £10 = £100, so the 8-week contingency is £800.
    sign_in_as(client, recipient)
    client.post(
        f"/accounts/{account.id}/returns/2026-04-06",
        data={"opening": "1000", "closing": "1000", "bank_balance": "1000", "send": "y"},
    )
    row = db_session.execute(select(MonitoringReturn)).scalar_one()
    assert row.surplus_pence == 20000  # £1,000 - £800 contingency

    sign_in_as(client, builder)
    early = client.post(
        f"/returns/{row.id}/recovery",
        data={"recovery-amount": "200", "recovery-method": "offset", "recovery-reason": "Surplus"},
    )
    assert b"Record the conversation with the person first" in early.data
    talk = client.post(
        f"/returns/{row.id}/conversation",
        data={
            "talk-held_on": ["1", "8", "2026"],
            "talk-with_whom": "The person and their social worker",
            "talk-reasons": "A carer was off sick for a month",
            "talk-outcome": "recover",
        },
    )
    assert talk.status_code == 302
    too_much = client.post(
        f"/returns/{row.id}/recovery",
        data={"recovery-amount": "250", "recovery-method": "offset", "recovery-reason": "Surplus"},
    )
    assert b"The most that can be recovered is the surplus" in too_much.data
    raised = client.post(
        f"/returns/{row.id}/recovery",
        data={
            "recovery-amount": "200",
            "recovery-method": "offset",
            "recovery-reason": "Unspent while a carer was off",
        },
    )
    assert raised.status_code == 302
    letter = db_session.execute(select(Letter).where(Letter.kind == "recovery")).scalar_one()
    assert letter.context["amount"] == "200.00" and letter.context["contingency"] == "800.00"

    first_offered = re.search(r'name="period"[^>]*value="(\d+)"', client.get("/payment-runs").text)
    client.post("/payment-runs", data={"period": first_offered.group(1)})
    run = db_session.execute(select(PaymentRun)).scalar_one()
    sign_in_as(client, approver)
    client.post(f"/payment-runs/{run.id}/approve")
    client.post(f"/payment-runs/{run.id}/commit")
    payment = db_session.execute(select(Payment)).scalar_one()
    assert payment.amount_pence == 40000 - 20000  # four weeks of £100, less the £200 recovered
    db_session.expire_all()
    recovery = db_session.execute(select(Recovery)).scalar_one()
    ((label, amount),) = payment.breakdown["offsets"]
    assert label == f"Recovery {recovery.id}" and Decimal(amount) == Decimal("200")
    assert (recovery.recovered_pence, recovery.status) == (20000, "recovered")
