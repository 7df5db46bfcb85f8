"""Sessions end on the server: a cookie kept after signing out (copied, or left in a shared
browser's history) does not sign anyone in again."""

from datetime import timedelta

from sqlalchemy import select, update

from dp_portal.auth.models import Role, UserSession
from dp_portal.core.audit import AuditEvent
from dp_portal.core.types import utcnow

from ..conftest import sign_in_as
from ..factories import PASSWORD


def _signed_in_client(app, email):
    client = app.test_client()
    response = client.post("/sign-in", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def _replay(app, cookie_value):
    """A different browser that presents a copy of the cookie."""
    other = app.test_client()
    other.set_cookie("session", cookie_value)
    return other.get("/accounts")


def test_a_cookie_kept_after_signing_out_no_longer_works(app, factory):
    factory.user(Role.FINANCE_OFFICER, email="leaver@test.example")
    client = _signed_in_client(app, "leaver@test.example")
    cookie = client.get_cookie("session").value
    assert _replay(app, cookie).status_code == 200  # the copy works while signed in

    assert client.post("/sign-out").status_code == 302
    replayed = _replay(app, cookie)
    assert replayed.status_code == 302
    assert replayed.location.startswith("/sign-in")


def test_the_session_table_keeps_only_a_hash_of_the_token(app, factory, db_session):
    user = factory.user(email="hashed@test.example")
    client = _signed_in_client(app, "hashed@test.example")
    with client.session_transaction() as cookie:
        token = cookie["_user_id"].split(":", 1)[1]
    stored = db_session.execute(
        select(UserSession.token_hash).where(UserSession.user_id == user.id)
    ).scalars()
    stored = list(stored)
    assert len(stored) == 1 and token not in stored[0] and len(token) >= 40


def test_sign_out_of_all_devices_ends_every_session_and_is_audited(app, factory, db_session):
    user = factory.user(Role.RECIPIENT, email="everywhere@test.example")
    bystander = factory.user(Role.RECIPIENT)
    laptop = _signed_in_client(app, "everywhere@test.example")
    phone = app.test_client()
    sign_in_as(phone, user)
    other_person = app.test_client()
    sign_in_as(other_person, bystander)
    laptop_cookie = laptop.get_cookie("session").value

    page = phone.get("/your-account")
    assert page.status_code == 200
    assert b"Sign out of all devices" in page.data
    assert b"everywhere@test.example" in page.data
    assert b'href="/your-account"' in page.data  # the header links here

    response = phone.post("/your-account/sign-out-everywhere")
    assert response.status_code == 302 and response.location.startswith("/sign-in")
    for client in (phone, laptop):
        assert client.get("/accounts").location.startswith("/sign-in")
    assert _replay(app, laptop_cookie).status_code == 302
    assert other_person.get("/accounts").status_code == 200  # nobody else is affected

    events = db_session.execute(
        select(AuditEvent).where(
            AuditEvent.action == "user.signed_out_everywhere", AuditEvent.object_id == user.id
        )
    ).scalars()
    [event] = list(events)
    assert event.actor_id == user.id
    # Signing in again works as normal.
    assert _signed_in_client(app, "everywhere@test.example").get("/accounts").status_code == 200


def test_switching_a_user_off_ends_their_sessions_for_good(app, client, factory):
    admin = factory.user(Role.ADMIN)
    target = factory.user(Role.TEAM_LEADER, email="switched@test.example")
    theirs = _signed_in_client(app, "switched@test.example")
    cookie = theirs.get_cookie("session").value
    sign_in_as(client, admin)
    client.post(f"/admin/users/{target.id}", data={"role": "team_leader", "organisation_id": ""})
    assert theirs.get("/accounts").status_code == 302
    # Switched back on, the old cookie still does not work: they sign in again.
    client.post(
        f"/admin/users/{target.id}",
        data={"role": "team_leader", "organisation_id": "", "is_enabled": "y"},
    )
    assert _replay(app, cookie).status_code == 302


def test_a_session_older_than_its_lifetime_is_refused(app, factory, db_session):
    user = factory.user(email="stale@test.example")
    client = _signed_in_client(app, "stale@test.example")
    assert client.get("/accounts").status_code == 200
    db_session.execute(
        update(UserSession)
        .where(UserSession.user_id == user.id)
        .values(expires_at=utcnow() - timedelta(seconds=1))
    )
    db_session.flush()
    assert client.get("/accounts").location.startswith("/sign-in")
