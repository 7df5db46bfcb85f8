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

    m.withdrawn_at = utcnow()
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
