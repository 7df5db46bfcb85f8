"""The client money home lists the returns its clients owe, soonest due first then by account
reference, and only its own clients' (found without joining every account in the council)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from dp_portal.accounts.models import Account
from dp_portal.client_money import home
from dp_portal.extensions import db
from dp_portal.monitoring.models import ExpectedReturn
from dp_portal.third_party.models import Mandate

from .conftest import TODAY, make_office


def _owes(account: Account, due: date) -> None:
    start = due - timedelta(days=60)
    db.session.add(
        ExpectedReturn(
            account_id=account.id,
            period_start=start,
            period_end=start + timedelta(days=27),
            due_date=due,
        )
    )


def _every_return_owed(covered) -> list[tuple[str, date]]:
    """What the list must show, worked out the plain way (every row, then sorted)."""
    rows = db.session.execute(
        select(Account.reference, ExpectedReturn.due_date)
        .join(ExpectedReturn, ExpectedReturn.account_id == Account.id)
        .where(Account.id.in_(covered))
    ).all()
    return sorted((due, reference) for reference, due in rows)


@pytest.mark.parametrize("limit", [1, 3, 5, 8, 50])
def test_returns_due_are_the_soonest_by_date_then_reference(app_ctx, factory, limit):
    office = make_office(factory)
    stranger = factory.account(reference="AAA000001")  # another organisation's: never listed
    _owes(stranger, date(2026, 10, 1))
    dates = [date(2026, 11, 28), date(2026, 10, 28), date(2027, 1, 28)]
    for n, reference in enumerate(["DPZ1", "DPA2", "DPM3", "DPB4", "DPY5", "DPC6"]):
        account = factory.account(reference=reference)
        factory.mandate(account, office.org, scope="manage_money")
        _owes(account, dates[n % 3])
        if n % 2:
            _owes(account, dates[(n + 1) % 3] + timedelta(days=1))
    db.session.flush()
    covered = select(Mandate.account_id).where(
        Mandate.organisation_id == office.org.id, Mandate.current_on(TODAY)
    )
    shown = [
        (owed.due_date, account.reference) for account, owed in home.returns_due(covered, limit)
    ]
    assert shown == [(due, ref) for due, ref in _every_return_owed(covered)][:limit]
    assert "AAA000001" not in {reference for _due, reference in shown}


def test_the_home_lists_the_first_clients_by_name_and_says_where_the_others_are(
    client, app_ctx, factory
):
    from ..conftest import sign_in_as

    office = make_office(factory)
    for n in range(home.CLIENTS_SHOWN + 4):  # the office's own client is "Tester…"
        account = factory.account(factory.person(last_name=f"Aitken{n:03d}"))
        factory.mandate(account, office.org)
    sign_in_as(client, office.preparer)
    page = client.get("/money").get_data(as_text=True)
    shown = home.CLIENTS_SHOWN
    assert f"These are the first {shown} of your {shown + 5} clients by name." in page
    assert f"Aitken{shown - 1:03d}" in page and f"Aitken{shown:03d}" not in page
    assert 'href="/accounts">Find a client by name or reference</a>' in page
