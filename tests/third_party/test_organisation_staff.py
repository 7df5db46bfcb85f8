"""An organisation run by its own administrators: staff, contact details, the activity log,
and strict isolation from every other organisation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from dp_portal.auth.models import Role, User, UserSession
from dp_portal.core.audit import AuditEvent, record
from dp_portal.core.types import local_today

from ..conftest import sign_in_as

TODAY = local_today()


def _org_with_admin(factory, **kw):
    org = factory.organisation(kind="money_management", **kw)
    admin = factory.user(Role.BROKERAGE_STAFF, organisation_id=org.id, is_organisation_admin=True)
    return org, admin


def test_an_administrator_invites_a_member_of_staff(client, factory, db_session, outbox):
    org, admin = _org_with_admin(factory)
    sign_in_as(client, admin)
    response = client.post(
        "/organisation/staff/invite",
        data={"full_name": "Fiona Reid", "email": "Fiona.Reid@mms.example"},
    )
    assert response.status_code == 302
    user = db_session.execute(
        select(User).where(User.email == "fiona.reid@mms.example")
    ).scalar_one()
    assert (user.role, user.organisation_id, user.is_organisation_admin) == (
        "brokerage_staff",
        org.id,
        False,
    )
    assert user.password_hash is None  # they choose one from the invitation
    assert len(list(outbox.glob("*.eml"))) == 1
    page = client.get("/organisation").get_data(as_text=True)
    assert "Fiona Reid" in page and "Invited" in page


def test_an_invitation_form_with_mistakes_shows_them_and_invites_nobody(
    client, factory, db_session
):
    org, admin = _org_with_admin(factory)
    sign_in_as(client, admin)
    response = client.post("/organisation/staff/invite", data={"email": "not an address"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "There is a problem" in page
    assert "Enter the person&#39;s full name" in page
    assert "Enter an email address in the correct format" in page
    taken = client.post(
        "/organisation/staff/invite", data={"full_name": "Again", "email": admin.email}
    )
    assert "already uses the portal" in taken.get_data(as_text=True)
    staff = db_session.execute(select(User).where(User.organisation_id == org.id)).all()
    assert len(staff) == 1


def test_staff_who_are_not_administrators_only_read(client, factory):
    org, _admin = _org_with_admin(factory)
    member = factory.user(Role.BROKERAGE_STAFF, organisation_id=org.id)
    sign_in_as(client, member)
    assert client.get("/organisation").status_code == 200
    for url in (
        "/organisation/contact",
        "/organisation/staff/invite",
        "/organisation/activity",
        "/organisation/pooled-account",
    ):
        assert client.get(url).status_code == 403, url
    assert client.post(f"/organisation/staff/{_admin.id}/remove").status_code == 403


def test_an_administrator_never_reaches_another_organisations_staff(client, factory, db_session):
    _org, admin = _org_with_admin(factory)
    other_org, other_admin = _org_with_admin(factory)
    other_member = factory.user(Role.BROKERAGE_STAFF, organisation_id=other_org.id)
    sign_in_as(client, admin)
    assert client.post(f"/organisation/staff/{other_member.id}/remove").status_code == 404
    assert client.post(f"/organisation/staff/{other_admin.id}/administrator").status_code == 404
    assert client.get(f"/organisations/{other_org.id}").status_code == 403
    db_session.refresh(other_member)
    assert other_member.is_enabled


def test_removing_a_member_signs_them_out_and_keeps_their_history(client, factory, db_session):
    org, admin = _org_with_admin(factory)
    member = factory.user(Role.BROKERAGE_STAFF, organisation_id=org.id)
    sign_in_as(client, member)  # a live session
    sign_in_as(client, admin)
    assert client.post(f"/organisation/staff/{member.id}/remove").status_code == 302
    db_session.refresh(member)
    assert not member.is_enabled and member.organisation_id == org.id
    sessions = db_session.execute(select(UserSession).where(UserSession.user_id == member.id))
    assert sessions.first() is None
    page = client.get("/organisation").get_data(as_text=True)
    assert "Removed" in page
    client.post(f"/organisation/staff/{admin.id}/remove")
    db_session.refresh(admin)
    assert admin.is_enabled  # nobody removes themselves


def test_contact_details_are_checked_and_audited(client, factory, db_session):
    org, admin = _org_with_admin(factory)
    sign_in_as(client, admin)
    bad = client.post(
        "/organisation/contact",
        data={"address_line_1": "1 Bank Street", "town": "Glenarden", "postcode": "NOT A CODE"},
    )
    assert "Enter a real postcode" in bad.get_data(as_text=True)
    good = client.post(
        "/organisation/contact",
        data={
            "address_line_1": "1 Bank Street",
            "town": "Glenarden",
            "postcode": "eh1 1yz",
            "email": "office@mms.example",
        },
    )
    assert good.status_code == 302
    db_session.refresh(org)
    assert (org.postcode, org.email) == ("EH1 1YZ", "office@mms.example")
    actions = db_session.execute(
        select(AuditEvent.action).where(AuditEvent.object_type == "organisations")
    ).scalars()
    assert "organisation.contact_changed" in list(actions)


def test_the_activity_log_shows_the_organisations_own_work_only(client, factory, db_session):
    org, admin = _org_with_admin(factory)
    member = factory.user(Role.BROKERAGE_STAFF, organisation_id=org.id)
    _other, stranger = _org_with_admin(factory)
    record(member, "test.ours", object_type="test", summary="Sent a return", session=db_session)
    record(stranger, "test.theirs", object_type="test", summary="Not yours", session=db_session)
    sign_in_as(client, admin)
    page = client.get("/organisation/activity").get_data(as_text=True)
    assert "Sent a return" in page
    assert "Not yours" not in page


def test_history_on_an_account_is_read_only_for_the_retention_period(
    app, client, factory, db_session
):
    org, admin = _org_with_admin(factory)
    days = app.config["MANDATE_HISTORY_DAYS"]
    recent, old = factory.account(), factory.account()
    factory.mandate(
        recent,
        org,
        starts_on=TODAY - timedelta(days=days + 400),
        ends_on=TODAY - timedelta(days=days - 1),
    )
    factory.mandate(
        old,
        org,
        starts_on=TODAY - timedelta(days=days + 400),
        ends_on=TODAY - timedelta(days=days + 1),
    )
    for account, words in ((recent, "Recent work"), (old, "Long ago work")):
        record(
            admin, "test.work", account, account_id=account.id, summary=words, session=db_session
        )
    sign_in_as(client, admin)
    page = client.get("/organisation/activity").get_data(as_text=True)
    assert "Recent work" in page
    assert "Long ago work" not in page
    # The account itself is closed to the organisation as soon as the mandate ends.
    assert client.get(f"/accounts/{recent.id}").status_code == 404


def test_the_council_administrator_names_an_organisations_administrator(
    client, factory, db_session
):
    org = factory.organisation(kind="money_management")
    member = factory.user(Role.BROKERAGE_STAFF, organisation_id=org.id)
    sign_in_as(client, member)
    assert client.get("/organisation/staff/invite").status_code == 403
    sign_in_as(client, factory.user(Role.ADMIN))
    assert client.post(f"/organisation-staff/{member.id}/administrator").status_code == 302
    db_session.refresh(member)
    assert member.is_organisation_admin
    sign_in_as(client, member)
    assert client.get("/organisation/staff/invite").status_code == 200


def test_only_staff_can_be_administrators(app_ctx, factory, db_session):
    officer = factory.user(Role.FINANCE_OFFICER)
    officer.is_organisation_admin = True
    with pytest.raises(IntegrityError), db_session.begin_nested():
        db_session.flush()


def test_a_council_administrator_moving_an_organisation_administrator_ends_the_flag(
    client, factory, db_session
):
    _org, admin = _org_with_admin(factory)
    sign_in_as(client, factory.user(Role.ADMIN))
    response = client.post(
        f"/admin/users/{admin.id}",
        data={"role": "team_leader", "organisation_id": "", "is_enabled": "y"},
    )
    assert response.status_code == 302
    db_session.refresh(admin)
    assert (admin.role, admin.organisation_id, admin.is_organisation_admin) == (
        "team_leader",
        None,
        False,
    )
