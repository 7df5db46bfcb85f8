"""Mandates: the "prepare returns" scope, consent (who, how, when), and access that starts
and ends with the mandate's dates."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from dp_portal.accounts.scope import Need, allows
from dp_portal.auth.models import Role
from dp_portal.core.audit import AuditEvent
from dp_portal.core.errors import RuleError
from dp_portal.core.permissions import Viewer
from dp_portal.core.types import local_today
from dp_portal.third_party.models import Mandate, MandateStatus
from dp_portal.third_party.organisations import MANDATE_TRANSITIONS, move_mandate

from ..conftest import sign_in_as
from ..hostile_files import PDF

TODAY = local_today()


def _form(org, **over) -> dict:
    data = {
        "organisation_id": str(org.id),
        "scope": "manage_money",
        "starts_on": ["1", "4", "2026"],
        "ends_on": ["", "", ""],
        "consent_method": "signed_form",
        "consent_given_by": "person",
        "consent_recorded_on": ["20", "3", "2026"],
        "consent_form": (io.BytesIO(PDF), "consent.pdf"),
        "letters_to_organisation": "yes",
    }
    return data | over


def _mandates(db_session, account):
    return list(
        db_session.execute(select(Mandate).where(Mandate.account_id == account.id)).scalars()
    )


def test_prepare_returns_sends_returns_but_neither_employs_nor_holds_money(app_ctx, factory):
    org = factory.organisation()
    staff = factory.user(Role.BROKERAGE_STAFF, organisation_id=org.id)
    account = factory.account()
    factory.mandate(account, org, scope="prepare_returns")
    reader = Viewer(staff, TODAY)
    assert allows(reader, account.id, Need.VIEW)
    assert allows(reader, account.id, Need.RETURNS)
    assert not allows(reader, account.id, Need.EMPLOYER)
    assert not allows(reader, account.id, Need.CLIENT_MONEY)


def test_prepare_returns_staff_may_open_the_return_form_but_not_the_employer_tick(client, factory):
    org = factory.organisation()
    staff = factory.user(Role.BROKERAGE_STAFF, organisation_id=org.id)
    account = factory.account()
    factory.mandate(account, org, scope="prepare_returns")
    sign_in_as(client, staff)
    assert client.get(f"/accounts/{account.id}").status_code == 200
    assert client.get(f"/accounts/{account.id}/employer-checklist/insurance").status_code == 403


def test_only_managing_the_money_holds_it(app_ctx, factory):
    org = factory.organisation()
    staff = factory.user(Role.BROKERAGE_STAFF, organisation_id=org.id)
    managed, viewed = factory.account(), factory.account()
    factory.mandate(managed, org, scope="manage_money")
    factory.mandate(viewed, org, scope="view_only")
    reader = Viewer(staff, TODAY)
    assert allows(reader, managed.id, Need.CLIENT_MONEY)
    assert not allows(reader, viewed.id, Need.CLIENT_MONEY)


def test_access_starts_and_ends_with_the_dates_with_no_manual_step(app_ctx, factory):
    org = factory.organisation()
    staff = factory.user(Role.BROKERAGE_STAFF, organisation_id=org.id)
    account = factory.account()
    factory.mandate(
        account, org, starts_on=TODAY + timedelta(days=1), ends_on=TODAY + timedelta(days=30)
    )
    assert not allows(Viewer(staff, TODAY), account.id, Need.VIEW)
    assert allows(Viewer(staff, TODAY + timedelta(days=1)), account.id, Need.VIEW)
    assert allows(Viewer(staff, TODAY + timedelta(days=30)), account.id, Need.VIEW)
    assert not allows(Viewer(staff, TODAY + timedelta(days=31)), account.id, Need.VIEW)


def test_a_signed_form_is_stored_and_gives_consent_at_once(client, factory, db_session):
    account = factory.account()
    rep = factory.representative(account.person, full_name="Iain Carer")
    org = factory.organisation()
    officer = factory.user(Role.FINANCE_OFFICER)
    sign_in_as(client, officer)
    response = client.post(
        f"/accounts/{account.id}/mandates/new", data=_form(org, consent_given_by=str(rep.id))
    )
    assert response.status_code == 302
    (mandate,) = _mandates(db_session, account)
    assert mandate.status == MandateStatus.CONSENTED
    assert (mandate.consent_given_by, mandate.consent_representative_id) == (
        "representative",
        rep.id,
    )
    assert mandate.consent_method == "signed_form"
    assert mandate.consent_recorded_on == date(2026, 3, 20)
    assert mandate.consent_file_name == "consent.pdf" and len(mandate.consent_sha256) == 64
    download = client.get(f"/mandates/{mandate.id}/consent-form")
    assert download.status_code == 200 and download.data == PDF
    page = client.get(f"/accounts/{account.id}").get_data(as_text=True)
    assert "Given by Iain Carer (signed form)" in page
    assert f'href="/mandates/{mandate.id}/consent-form"' in page


def test_a_consent_form_that_is_not_a_pdf_or_photo_saves_nothing(client, factory, db_session):
    account = factory.account()
    org = factory.organisation()
    sign_in_as(client, factory.user(Role.FINANCE_OFFICER))
    response = client.post(
        f"/accounts/{account.id}/mandates/new",
        data=_form(org, consent_form=(io.BytesIO(b"MZ\x90\x00 not a form"), "consent.pdf")),
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "There is a problem" in page and "The consent form was not added" in page
    assert _mandates(db_session, account) == []


def test_a_signed_form_mandate_needs_the_form(client, factory, db_session):
    account = factory.account()
    org = factory.organisation()
    sign_in_as(client, factory.user(Role.FINANCE_OFFICER))
    data = _form(org)
    del data["consent_form"]
    response = client.post(f"/accounts/{account.id}/mandates/new", data=data)
    assert "Choose the signed consent form to upload" in response.get_data(as_text=True)
    assert _mandates(db_session, account) == []


def test_on_screen_consent_gives_access_only_once_the_person_confirms(client, factory, db_session):
    account = factory.account()
    person_login = factory.user(Role.RECIPIENT)
    factory.access(person_login, account, capacity="person")
    org = factory.organisation()
    staff = factory.user(Role.BROKERAGE_STAFF, organisation_id=org.id)
    sign_in_as(client, factory.user(Role.FINANCE_OFFICER))
    data = _form(org, consent_method="on_screen", starts_on=["1", "1", "2026"])
    assert client.post(f"/accounts/{account.id}/mandates/new", data=data).status_code == 302
    (mandate,) = _mandates(db_session, account)
    assert mandate.status == MandateStatus.AWAITING_CONSENT
    sign_in_as(client, staff)
    assert client.get(f"/accounts/{account.id}").status_code == 404

    sign_in_as(client, person_login)
    page = client.get(f"/accounts/{account.id}").get_data(as_text=True)
    assert f'href="/mandates/{mandate.id}/consent"' in page
    refused = client.post(f"/mandates/{mandate.id}/consent", data={})
    assert "Tick the box to say you agree" in refused.get_data(as_text=True)
    assert client.post(f"/mandates/{mandate.id}/consent", data={"agree": "y"}).status_code == 302
    db_session.refresh(mandate)
    assert mandate.status == MandateStatus.CONSENTED
    assert mandate.consent_confirmed_by_id == person_login.id
    assert mandate.consent_recorded_on == local_today()  # not TODAY: the suite may cross midnight
    sign_in_as(client, staff)
    assert client.get(f"/accounts/{account.id}").status_code == 200
    actions = db_session.execute(
        select(AuditEvent.action, AuditEvent.actor_id).where(AuditEvent.account_id == account.id)
    ).all()
    assert ("mandate.consented", person_login.id) in actions


def test_a_representative_cannot_confirm_on_the_persons_behalf(client, factory, db_session):
    account = factory.account()
    rep_login = factory.user(Role.RECIPIENT)
    factory.access(rep_login, account, capacity="representative")
    mandate = factory.mandate(
        account,
        factory.organisation(),
        status="awaiting_consent",
        consent_method="on_screen",
        consent_recorded_on=None,
    )
    sign_in_as(client, rep_login)
    assert client.post(f"/mandates/{mandate.id}/consent", data={"agree": "y"}).status_code == 403
    db_session.refresh(mandate)
    assert mandate.status == MandateStatus.AWAITING_CONSENT


def test_on_screen_consent_needs_the_persons_own_login(client, factory, db_session):
    account = factory.account()
    org = factory.organisation()
    sign_in_as(client, factory.user(Role.FINANCE_OFFICER))
    response = client.post(
        f"/accounts/{account.id}/mandates/new", data=_form(org, consent_method="on_screen")
    )
    assert "The person has no login of their own" in response.get_data(as_text=True)
    assert _mandates(db_session, account) == []


def test_independent_support_may_not_manage_the_money(client, factory, db_session):
    account = factory.account()
    org = factory.organisation(kind="independent_support")
    sign_in_as(client, factory.user(Role.FINANCE_OFFICER))
    response = client.post(f"/accounts/{account.id}/mandates/new", data=_form(org))
    assert "only a money management service or a brokerage" in response.get_data(as_text=True)
    ok = client.post(
        f"/accounts/{account.id}/mandates/new", data=_form(org, scope="prepare_returns")
    )
    assert ok.status_code == 302


def test_two_organisations_never_manage_the_same_money_at_once(client, factory, db_session):
    account = factory.account()
    factory.mandate(account, factory.organisation(), starts_on=date(2026, 1, 1))
    sign_in_as(client, factory.user(Role.FINANCE_OFFICER))
    response = client.post(
        f"/accounts/{account.id}/mandates/new", data=_form(factory.organisation())
    )
    assert "Another organisation already manages the money" in response.get_data(as_text=True)
    assert len(_mandates(db_session, account)) == 1


@pytest.mark.parametrize("start", list(MandateStatus))
@pytest.mark.parametrize("to", list(MandateStatus))
def test_the_mandate_lifecycle_allows_exactly_its_table(factory, start, to):
    mandate = factory.mandate(factory.account(), factory.organisation())
    mandate.status = str(start)
    if start == MandateStatus.AWAITING_CONSENT:
        mandate.consent_recorded_on = None
    if to in MANDATE_TRANSITIONS[start]:
        move_mandate(mandate, to)
        assert mandate.status == to
        assert (mandate.withdrawn_at is not None) == (to == MandateStatus.WITHDRAWN)
    else:
        with pytest.raises(RuleError):
            move_mandate(mandate, to)
        assert mandate.status == start
