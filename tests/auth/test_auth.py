import email
import email.policy
import re
from datetime import timedelta

from sqlalchemy import select

from dp_portal.auth.models import Role, User
from dp_portal.core.audit import AuditEvent
from dp_portal.core.types import utcnow

from ..conftest import sign_in_as
from ..factories import PASSWORD


def _sign_in(client, email, password=PASSWORD):
    return client.post("/sign-in", data={"email": email, "password": password})


def test_sign_in_and_out(client, factory):
    user = factory.user(Role.FINANCE_OFFICER, email="fran@test.example")
    response = _sign_in(client, "FRAN@test.example ")
    assert response.status_code == 302 and response.location == "/"
    assert b"Signed in as" in client.get("/").data
    assert client.post("/sign-out").status_code == 302
    assert client.get("/accounts").status_code == 302
    assert user.id


def test_wrong_password_gives_one_message_for_unknown_and_known_emails(client, factory):
    factory.user(email="known@test.example")
    known = _sign_in(client, "known@test.example", "wrong password!")
    unknown = _sign_in(client, "nobody@test.example", "wrong password!")
    for response in (known, unknown):
        assert response.status_code == 200
        assert b"Enter a correct email address and password" in response.data
        assert b"There is a problem" in response.data


def test_repeated_failures_lock_the_account_across_requests(client, factory, db_session):
    user = factory.user(email="locked@test.example")
    for _ in range(5):
        _sign_in(client, "locked@test.example", "not the password")
    db_session.expire_all()
    assert user.locked_until is not None and user.locked_until > utcnow()
    # Even the right password is refused while locked, with the wrong-password message.
    response = _sign_in(client, "locked@test.example")
    assert response.status_code == 200
    assert b"Enter a correct email address and password" in response.data
    assert b"is locked" not in response.data
    locked_events = db_session.execute(
        select(AuditEvent).where(
            AuditEvent.action == "user.locked", AuditEvent.object_id == user.id
        )
    ).all()
    assert len(locked_events) == 1


def test_lock_expires(client, factory, db_session):
    user = factory.user(email="expired@test.example", locked_until=utcnow() - timedelta(minutes=1))
    assert _sign_in(client, "expired@test.example").status_code == 302
    db_session.expire_all()
    assert user.locked_until is None and user.failed_sign_ins == 0


def test_disabled_user_cannot_sign_in(client, factory):
    factory.user(email="off@test.example", is_enabled=False)
    response = _sign_in(client, "off@test.example")
    assert response.status_code == 200 and b"switched off" in response.data


def test_open_redirect_is_refused(client, factory):
    factory.user(email="redir@test.example")
    response = client.post(
        "/sign-in?next=https://evil.example/",
        data={"email": "redir@test.example", "password": PASSWORD},
    )
    assert response.location == "/"
    client.post("/sign-out")
    response = client.post(
        "/sign-in?next=/accounts", data={"email": "redir@test.example", "password": PASSWORD}
    )
    assert response.location == "/accounts"


def test_change_password_ends_other_sessions(app, client, factory, db_session):
    user = factory.user(email="change@test.example")
    other = app.test_client()
    sign_in_as(other, user)
    sign_in_as(client, user)
    assert other.get("/accounts").status_code == 200

    bad = client.post(
        "/your-account/password",
        data={
            "current_password": "wrong",
            "new_password": "a new long passphrase",
            "confirm_password": "a new long passphrase",
        },
    )
    assert b"Your current password is not correct" in bad.data
    short = client.post(
        "/your-account/password",
        data={"current_password": PASSWORD, "new_password": "short", "confirm_password": "short"},
    )
    assert b"at least 12 characters" in short.data
    ok = client.post(
        "/your-account/password",
        data={
            "current_password": PASSWORD,
            "new_password": "a new long passphrase",
            "confirm_password": "a new long passphrase",
        },
    )
    assert ok.status_code == 302
    assert client.get("/accounts").status_code == 200  # this session carries on
    assert other.get("/accounts").status_code == 302  # the other is signed out
    client.post("/sign-out")
    assert _sign_in(client, "change@test.example", "a new long passphrase").status_code == 302


def _link_from(outbox):
    emails = sorted(outbox.glob("*.eml"))
    assert emails, "no email was written to the outbox"
    message = email.message_from_bytes(emails[-1].read_bytes(), policy=email.policy.default)
    body = message.get_content()
    return re.search(r"http://localhost(/set-password/\S+)", body).group(1)


def test_invitation_end_to_end(client, factory, outbox, db_session):
    admin = factory.user(Role.ADMIN)
    sign_in_as(client, admin)
    response = client.post(
        "/admin/users/invite",
        data={
            "full_name": "Nina New",
            "email": "Nina@Test.example",
            "role": "finance_officer",
            "organisation_id": "",
        },
    )
    assert response.status_code == 302
    invited = db_session.execute(select(User).where(User.email == "nina@test.example")).scalar_one()
    assert invited.password_hash is None
    link = _link_from(outbox)

    client.post("/sign-out")
    assert client.get(link).status_code == 200
    mismatch = client.post(
        link, data={"new_password": "one long password", "confirm_password": "another long one"}
    )
    assert b"The passwords do not match" in mismatch.data
    saved = client.post(
        link,
        data={
            "new_password": "a fresh long passphrase",
            "confirm_password": "a fresh long passphrase",
        },
    )
    assert saved.status_code == 302
    # The link works once.
    assert client.get(link).status_code == 410
    assert _sign_in(client, "nina@test.example", "a fresh long passphrase").status_code == 302

    actions = (
        db_session.execute(
            select(AuditEvent.action).where(
                AuditEvent.object_type == "users", AuditEvent.object_id == invited.id
            )
        )
        .scalars()
        .all()
    )
    assert actions == ["user.invited", "user.password_link_sent", "user.password_set"]


def test_invite_validation(client, factory):
    sign_in_as(client, factory.user(Role.ADMIN))
    factory.user(email="taken@test.example")
    response = client.post(
        "/admin/users/invite",
        data={
            "full_name": "",
            "email": "not-an-email",
            "role": "brokerage_staff",
            "organisation_id": "999999",
        },
    )
    assert b"Enter the person&#39;s full name" in response.data
    assert b"Enter an email address in the correct format" in response.data
    assert b"Choose the organisation this person works for" in response.data
    taken = client.post(
        "/admin/users/invite",
        data={
            "full_name": "X",
            "email": "taken@test.example",
            "role": "admin",
            "organisation_id": "",
        },
    )
    assert b"already exists" in taken.data
    forged = client.post(
        "/admin/users/invite",
        data={
            "full_name": "X",
            "email": "x@test.example",
            "role": "superuser",
            "organisation_id": "abc",
        },
    )
    assert forged.status_code == 200 and b"There is a problem" in forged.data


def test_reset_password_reveals_nothing_and_sends_a_link(client, factory, outbox):
    factory.user(email="forgot@test.example")
    for address in ("forgot@test.example", "nobody@test.example"):
        with client.post("/reset-password", data={"email": address}) as response:
            assert response.status_code == 200 and b"Check your email" in response.data
            assert b"for 1 hour" in response.data
    assert len(list(outbox.glob("*.eml"))) == 1
    link = _link_from(outbox)
    assert client.get(link).status_code == 200


def test_tampered_or_expired_links_are_refused(app, client, factory, db_session):
    from dp_portal.auth.services import LinkKind, make_password_token, user_for_password_token

    user = factory.user()
    day = {LinkKind.INVITATION: timedelta(days=1), LinkKind.RESET: timedelta(days=1)}
    gone = {LinkKind.INVITATION: timedelta(seconds=-1), LinkKind.RESET: timedelta(seconds=-1)}
    with app.app_context():
        token = make_password_token(user, app.config["SECRET_KEY"])
        db_session.flush()
        assert user_for_password_token(token, app.config["SECRET_KEY"], day)[0].id == user.id
        assert user_for_password_token(token + "x", app.config["SECRET_KEY"], day) is None
        assert user_for_password_token(token, "other-secret", day) is None
        assert user_for_password_token(token, app.config["SECRET_KEY"], gone) is None


def test_admin_can_change_role_and_switch_off_but_not_themselves(client, factory, db_session):
    admin = factory.user(Role.ADMIN)
    target = factory.user(Role.TEAM_LEADER)
    sign_in_as(client, admin)
    response = client.post(
        f"/admin/users/{target.id}", data={"role": "finance_officer", "organisation_id": ""}
    )
    assert response.status_code == 302
    db_session.expire_all()
    assert target.role == "finance_officer" and target.is_enabled is False
    own = client.post(
        f"/admin/users/{admin.id}",
        data={"role": "recipient", "organisation_id": "", "is_enabled": "y"},
    )
    assert b"cannot remove your own administrator access" in own.data
    db_session.expire_all()
    assert admin.role == "admin"
