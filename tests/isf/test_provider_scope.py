"""Provider staff see only their own provider's people, and only while an agreement is
waiting for confirmations or in force (issue 14): another provider's agreement, an ended
one, or any person's account pages answer "Page not found"."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from dp_portal.auth.models import Role
from dp_portal.core.types import local_today

from ..conftest import sign_in_as
from .helpers import agreement, funded_account, in_force, living_wage, provider


@pytest.fixture
def two_providers(factory, db_session):
    living_wage(db_session)
    first, second = provider(factory, name="First Care"), provider(factory, name="Second Care")
    mine = in_force(factory, org=first)
    theirs = in_force(factory, org=second)
    staff = factory.user(Role.PROVIDER_STAFF, organisation_id=first.id)
    return staff, mine, theirs


def _get(client, user, url):
    client.delete_cookie("session")
    sign_in_as(client, user)
    return client.get(url)


def test_provider_staff_see_their_own_agreement_and_never_another_providers(client, two_providers):
    staff, (_org, account, mine, _v), (_o, other_account, theirs, _w) = two_providers
    assert _get(client, staff, f"/isf/agreements/{mine.id}").status_code == 200
    assert _get(client, staff, f"/isf/agreements/{mine.id}/versions/1.pdf").status_code == 200
    assert _get(client, staff, f"/isf/agreements/{theirs.id}").status_code == 404
    assert _get(client, staff, f"/isf/agreements/{theirs.id}/versions/1.pdf").status_code == 404
    home = _get(client, staff, "/provider").get_data(as_text=True)
    assert account.reference in home and other_account.reference not in home
    # The person's own account pages are not the provider's to read.
    assert _get(client, staff, f"/accounts/{account.id}").status_code == 404


def test_an_ended_agreement_is_no_longer_the_providers_to_see(client, two_providers, db_session):
    staff, (_org, account, mine, version), _theirs = two_providers
    version.ends_on = local_today() - timedelta(days=1)
    db_session.flush()
    assert _get(client, staff, f"/isf/agreements/{mine.id}").status_code == 404
    assert account.reference not in _get(client, staff, "/provider").get_data(as_text=True)


def test_an_agreement_waiting_for_confirmations_is_seen_so_it_can_be_confirmed(
    client, factory, db_session
):
    living_wage(db_session)
    org = provider(factory)
    account, budget, line = funded_account(factory, org, start_date=date(2026, 4, 6))
    row, _version = agreement(factory, account, org, budget, line)
    staff = factory.user(Role.PROVIDER_STAFF, organisation_id=org.id)
    outsider = factory.user(Role.PROVIDER_STAFF)  # another provider's staff
    page = _get(client, staff, "/provider").get_data(as_text=True)
    assert "Waiting for you to confirm it" in page
    assert _get(client, outsider, f"/isf/agreements/{row.id}").status_code == 404
    denied = client.post(f"/isf/agreements/{row.id}/confirm", data={"agree": "y"})
    assert denied.status_code == 404


def test_a_person_sees_only_the_agreements_of_their_own_accounts(client, two_providers, factory):
    _staff, (_org, account, mine, _v), (_o, _other, theirs, _w) = two_providers
    person = factory.user(Role.RECIPIENT)
    factory.access(person, account)
    assert _get(client, person, f"/isf/agreements/{mine.id}").status_code == 200
    assert _get(client, person, f"/isf/agreements/{theirs.id}").status_code == 404
    statement = _get(client, person, f"/accounts/{account.id}/isf").get_data(as_text=True)
    assert "Your budget for the year" in statement and "£11,700.00" in statement


def test_an_organisation_acting_for_the_person_reads_the_statement(client, two_providers, factory):
    _staff, (_org, account, _mine, _v), _theirs = two_providers
    broker_org = factory.organisation()
    factory.mandate(account, broker_org, scope="view_only", starts_on=date(2026, 1, 1))
    broker = factory.user(Role.BROKERAGE_STAFF, organisation_id=broker_org.id)
    page = _get(client, broker, f"/accounts/{account.id}/isf").get_data(as_text=True)
    assert "Your budget for the year" in page and "Read the agreement" not in page
    stranger = factory.user(Role.BROKERAGE_STAFF)
    assert _get(client, stranger, f"/accounts/{account.id}/isf").status_code == 404
