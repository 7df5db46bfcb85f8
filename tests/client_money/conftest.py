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
