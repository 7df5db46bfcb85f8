"""An organisation that manages people's money, two of its staff, and a managed account."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest

from dp_portal.accounts.models import Account
from dp_portal.auth.models import Role, User
from dp_portal.client_money import ledger
from dp_portal.core.permissions import Viewer
from dp_portal.third_party.models import Organisation
from dp_portal.third_party.money_models import PostingKind

TODAY = date(2026, 12, 3)


@dataclass
class Office:
    org: Organisation
    preparer: User
    checker: User
    account: Account

    def viewer(self, user: User | None = None, today: date = TODAY) -> Viewer:
        return Viewer(user or self.preparer, today)


def make_office(factory, **org) -> Office:
    organisation = factory.organisation(kind="money_management", **org)
    staff = [factory.user(Role.BROKERAGE_STAFF, organisation_id=organisation.id) for _ in "ab"]
    account = factory.account()
    factory.mandate(account, organisation, scope="manage_money")
    return Office(organisation, staff[0], staff[1], account)


@pytest.fixture
def office(app_ctx, factory) -> Office:
    return make_office(factory)


def put(office: Office, kind: PostingKind, amount: str, on: date, account=None, actor=None):
    """Post a line to the office's client's sub-ledger, as its first staff member."""
    balance = ledger.balance_for(office.org.id, (account or office.account).id)
    entry = ledger.Entry(kind, Decimal(amount), on, "test line")
    return ledger.post(balance, entry, actor=actor or office.preparer)


def committed_payment(db_session, account, day: date, pence: int, builder) -> int:
    """A payment of a run that committed (posted to the managed person's sub-ledger by the
    run's hook, as a real commit does). Returns the payment's id."""
    from dp_portal.client_money.services import post_committed_run
    from dp_portal.payments.ledger_models import Payment
    from dp_portal.payments.run_models import PaymentRun

    run = PaymentRun(
        period_index=day.month * 100 + day.day,  # one run a period
        period_start=day,
        period_end=day.replace(day=28),
        pay_date=day,
        built_by_id=builder.id,
    )
    db_session.add(run)
    db_session.flush()
    payment = Payment(
        run_id=run.id,
        account_id=account.id,
        period_index=day.month * 100 + day.day,
        period_start=day,
        period_end=day.replace(day=28),
        payee_type="organisation",
        amount_pence=pence,
        pay_date=day,
        breakdown_json='{"segments": [], "offsets": []}',
    )
    db_session.add(payment)
    db_session.flush()
    post_committed_run(run.id)
    return payment.id
