"""People see only the accounts they may see, whatever id they type into the address bar."""

from datetime import date

from dp_portal.auth.models import Role

from ..conftest import sign_in_as


def test_recipient_cannot_open_another_persons_account_by_editing_the_id(client, factory):
    mine, theirs = factory.account(), factory.account()
    me = factory.user(Role.RECIPIENT)
    factory.access(me, mine)
    sign_in_as(client, me)

    assert client.get(f"/accounts/{mine.id}").status_code == 200
    response = client.get(f"/accounts/{theirs.id}")
    assert response.status_code == 404
    assert theirs.person.last_name.encode() not in response.data


def test_recipient_list_shows_only_their_accounts(client, factory):
    mine, theirs = factory.account(), factory.account()
    me = factory.user(Role.RECIPIENT)
    factory.access(me, mine, capacity="representative")
    sign_in_as(client, me)
    page = client.get("/accounts").data
    assert mine.reference.encode() in page
    assert theirs.reference.encode() not in page
    home = client.get("/").data
    assert mine.reference.encode() in home and theirs.reference.encode() not in home


def test_revoked_access_hides_the_account(client, factory, db_session):
    account = factory.account()
    me = factory.user(Role.RECIPIENT)
    link = factory.access(me, account)
    link.is_current = False
    db_session.flush()
    sign_in_as(client, me)
    assert client.get(f"/accounts/{account.id}").status_code == 404


def test_brokerage_sees_only_accounts_with_a_current_mandate(client, factory, db_session):
    org, other_org = factory.organisation(), factory.organisation()
    broker = factory.user(Role.BROKERAGE_STAFF, organisation_id=org.id)
    current, ended, future, withdrawn, elsewhere = (factory.account() for _ in range(5))
    factory.mandate(current, org, starts_on=date(2025, 1, 1))
    factory.mandate(ended, org, starts_on=date(2025, 1, 1), ends_on=date(2025, 12, 31))
    factory.mandate(future, org, starts_on=date(2099, 1, 1))
    m = factory.mandate(withdrawn, org, starts_on=date(2025, 1, 1))
    from dp_portal.core.types import utcnow

    m.withdrawn_at, m.status = utcnow(), "withdrawn"
    factory.mandate(elsewhere, other_org, starts_on=date(2025, 1, 1))
    db_session.flush()
    sign_in_as(client, broker)

    assert client.get(f"/accounts/{current.id}").status_code == 200
    for hidden in (ended, future, withdrawn, elsewhere):
        assert client.get(f"/accounts/{hidden.id}").status_code == 404
    listing = client.get("/accounts").data
    assert current.reference.encode() in listing
    assert ended.reference.encode() not in listing


def test_recipient_sees_masked_account_number(client, factory):
    account = factory.account(payee_name="M TESTER", sort_code="089999", account_number="66374958")
    me = factory.user(Role.RECIPIENT)
    factory.access(me, account)
    sign_in_as(client, me)
    page = client.get(f"/accounts/{account.id}").data
    assert b"****4958" in page and b"66374958" not in page


def test_view_only_organisation_staff_see_returns_but_cannot_save_send_or_add_evidence(
    client, factory, db_session
):
    """Before, the mandate's scope was not consulted: view-only staff could save a draft and
    upload evidence. Now they see the account and its returns, and nothing they post is kept."""
    import io

    from sqlalchemy import func, select

    from dp_portal.monitoring.models import Evidence, MonitoringReturn

    org = factory.organisation()
    broker = factory.user(Role.BROKERAGE_STAFF, organisation_id=org.id)
    account = factory.account(start_date=date(2026, 4, 6))
    factory.mandate(account, org, scope="view_only", starts_on=date(2026, 1, 1))
    sign_in_as(client, broker)
    form_url = f"/accounts/{account.id}/returns/2026-04-06"

    returns_page = client.get(f"/accounts/{account.id}/returns")
    assert returns_page.status_code == 200
    assert form_url.encode() not in returns_page.data  # no "fill in" link
    assert client.get(form_url).status_code == 403
    figures = {"opening": "0", "spend_pa_wages": "10", "closing": "-10", "bank_balance": "-10"}
    assert client.post(form_url, data=figures | {"save": "y"}).status_code == 403
    assert client.post(form_url, data=figures | {"send": "y"}).status_code == 403
    upload = client.post(
        f"{form_url}/evidence",
        data={"kind": "bank_statement", "file": (io.BytesIO(b"%PDF-1.4 x"), "s.pdf")},
        content_type="multipart/form-data",
    )
    assert upload.status_code == 403
    assert db_session.execute(select(func.count(MonitoringReturn.id))).scalar() == 0
    assert db_session.execute(select(func.count(Evidence.id))).scalar() == 0


def test_managing_organisation_staff_may_fill_in_the_return(client, factory):
    org = factory.organisation()
    broker = factory.user(Role.BROKERAGE_STAFF, organisation_id=org.id)
    account = factory.account(start_date=date(2026, 4, 6))
    factory.mandate(account, org, scope="manage_money", starts_on=date(2026, 1, 1))
    sign_in_as(client, broker)
    assert client.get(f"/accounts/{account.id}/returns/2026-04-06").status_code == 200
