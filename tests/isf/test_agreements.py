"""ISF agreements through the pages (issue 14): a finance officer proposes one, the person,
the council and the provider each confirm it on screen (name, time and login recorded), it
is in force once all three have; a change is a new version confirmed again while the old one
stays in force; every version stays readable and downloads as a PDF."""

from __future__ import annotations

from sqlalchemy import select

from dp_portal.auth.models import Role
from dp_portal.isf.models import IsfAgreement, IsfAgreementVersion

from ..conftest import sign_in_as
from .helpers import funded_account, living_wage, provider

TERMS = {
    "starts_on": ["6", "4", "2026"],
    "annual_budget": "11700",
    "money_holder": "council",
    "payment_basis": "scheduled",
    "management_fee": "0",
    "contribution_to": "none",
    "bankable_hours": "20",
    "reporting_frequency": "quarterly",
    "underspend": "reviewed",
}


def _parties(factory, db_session):
    living_wage(db_session)
    org = provider(factory)
    account, _budget, _line = funded_account(factory, org)
    person = factory.user(Role.RECIPIENT, full_name="Morag Person")
    factory.access(person, account)
    officer = factory.user(Role.FINANCE_OFFICER, full_name="Fran Officer")
    staff = factory.user(Role.PROVIDER_STAFF, organisation_id=org.id, full_name="Pat Provider")
    return org, account, person, officer, staff


def _propose(client, db_session, officer, account, org, **changes):
    sign_in_as(client, officer)
    response = client.post(
        f"/accounts/{account.id}/isf/new", data=TERMS | {"provider_id": str(org.id)} | changes
    )
    agreement = db_session.execute(
        select(IsfAgreement).where(IsfAgreement.account_id == account.id)
    ).scalar_one_or_none()
    return response, agreement


def _confirm(client, user, agreement_id):
    client.delete_cookie("session")
    sign_in_as(client, user)
    return client.post(f"/isf/agreements/{agreement_id}/confirm", data={"agree": "y"})


def test_the_agreement_is_in_force_once_all_three_have_confirmed(client, factory, db_session):
    org, account, person, officer, staff = _parties(factory, db_session)
    response, agreement = _propose(client, db_session, officer, account, org)
    assert response.status_code == 302
    version = agreement.versions[0]
    assert (version.status, version.annual_budget_pence) == ("awaiting", 1170000)
    assert [line.budget_line.hours for line in version.funded_lines] == [10]
    for user in (person, staff):
        assert _confirm(client, user, agreement.id).status_code == 302
        db_session.refresh(version)
        assert version.status == "awaiting"
    assert _confirm(client, officer, agreement.id).status_code == 302
    db_session.refresh(version)
    assert version.status == "active"
    assert {(c.party, c.name, c.user_id) for c in version.confirmations} == {
        ("person", "Morag Person", person.id),
        ("provider", "Pat Provider", staff.id),
        ("council", "Fran Officer", officer.id),
    }
    page = client.get(f"/isf/agreements/{agreement.id}").get_data(as_text=True)
    assert "In force" in page and "Pat Provider" in page


def test_confirming_twice_or_without_ticking_changes_nothing(client, factory, db_session):
    org, account, person, officer, _staff = _parties(factory, db_session)
    _response, agreement = _propose(client, db_session, officer, account, org)
    client.delete_cookie("session")
    sign_in_as(client, person)
    page = client.post(f"/isf/agreements/{agreement.id}/confirm", data={})
    assert page.status_code == 200
    assert "Tick the box to say you have read and agree to it" in page.get_data(as_text=True)
    assert _confirm(client, person, agreement.id).status_code == 302
    again = client.post(f"/isf/agreements/{agreement.id}/confirm", data={"agree": "y"})
    assert "already confirmed" in again.get_data(as_text=True)
    db_session.expire_all()
    assert len(agreement.versions[0].confirmations) == 1


def test_a_change_is_a_new_version_confirmed_again_while_the_old_stays_in_force(
    client, factory, db_session
):
    org, account, person, officer, staff = _parties(factory, db_session)
    _response, agreement = _propose(client, db_session, officer, account, org)
    for user in (person, staff, officer):
        _confirm(client, user, agreement.id)
    response = client.post(
        f"/isf/agreements/{agreement.id}/change",
        data=TERMS | {"annual_budget": "12000", "change_note": "More hours at weekends"},
    )
    assert response.status_code == 302
    db_session.expire_all()
    first, second = db_session.execute(
        select(IsfAgreementVersion)
        .where(IsfAgreementVersion.agreement_id == agreement.id)
        .order_by(IsfAgreementVersion.version)
    ).scalars()
    assert (first.status, second.status, second.confirmations) == ("active", "awaiting", [])
    for user in (person, staff, officer):
        _confirm(client, user, agreement.id)
    db_session.refresh(first)
    db_session.refresh(second)
    assert (first.status, second.status) == ("superseded", "active")
    history = client.get(f"/isf/agreements/{agreement.id}").get_data(as_text=True)
    assert "More hours at weekends" in history and "Replaced by a newer version" in history
    pdf = client.get(f"/isf/agreements/{agreement.id}/versions/1.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


def test_bad_terms_are_named_and_change_nothing(client, factory, db_session):
    org, account, _person, officer, _staff = _parties(factory, db_session)
    response, agreement = _propose(
        client, db_session, officer, account, org, money_holder="provider", payment_basis="invoice"
    )
    assert response.status_code == 200 and agreement is None
    assert "When the provider holds the budget" in response.get_data(as_text=True)
    response, agreement = _propose(client, db_session, officer, account, org, management_fee="x")
    assert agreement is None and "Enter a number, like 5.5" in response.get_data(as_text=True)


def test_scheduled_payment_is_for_option_2_accounts(client, factory, db_session):
    living_wage(db_session)
    org = provider(factory)
    account, _budget, _line = funded_account(factory, org, sds_option=4)
    officer = factory.user(Role.FINANCE_OFFICER)
    response, agreement = _propose(client, db_session, officer, account, org)
    assert agreement is None
    assert "choose payment on the provider" in response.get_data(as_text=True)


def test_an_account_without_provider_hours_cannot_have_an_agreement(client, factory, db_session):
    living_wage(db_session)
    org = provider(factory)
    account = factory.account(sds_option=2)
    officer = factory.user(Role.FINANCE_OFFICER)
    response, agreement = _propose(client, db_session, officer, account, org)
    assert agreement is None
    assert "no approved budget with provider hours" in response.get_data(as_text=True)
