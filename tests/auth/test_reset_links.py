"""Password reset links: an hour, once, only the newest, never in logs, sent after the response."""

import logging
import time
from datetime import timedelta

import pytest
from itsdangerous import TimestampSigner

from dp_portal.auth.models import Role
from dp_portal.auth.services import LinkKind, make_password_token

from ..conftest import sign_in_as
from .test_auth import _link_from as link_from
from .test_sign_in_lock import same_page

NEW = {"new_password": "a brand new passphrase", "confirm_password": "a brand new passphrase"}


def _ask_for_reset(client, email):
    with client.post("/reset-password", data={"email": email}) as response:
        assert response.status_code == 200
        return response


def _link_issued_ago(app, db_session, monkeypatch, user, kind, age: timedelta) -> str:
    """A link as if it had been emailed `age` ago (the token carries its signing time)."""
    signed_at = int(time.time() - age.total_seconds())
    with monkeypatch.context() as patch:
        patch.setattr(TimestampSigner, "get_timestamp", lambda self: signed_at)
        with app.app_context():
            token = make_password_token(user, app.config["SECRET_KEY"], kind)
    db_session.flush()
    return f"/set-password/{token}"


@pytest.mark.parametrize(
    ("kind", "age", "works"),
    [
        (LinkKind.RESET, timedelta(minutes=59), True),
        (LinkKind.RESET, timedelta(minutes=61), False),
        (LinkKind.RESET, timedelta(days=2), False),
        (LinkKind.INVITATION, timedelta(days=6, hours=23), True),
        (LinkKind.INVITATION, timedelta(days=7, minutes=1), False),
    ],
)
def test_reset_links_last_an_hour_and_invitations_seven_days(
    app, client, factory, db_session, monkeypatch, kind, age, works
):
    user = factory.user()
    link = _link_issued_ago(app, db_session, monkeypatch, user, kind, age)
    assert client.get(link).status_code == (200 if works else 410)


def test_the_expired_link_page_says_how_long_links_last(app, client, factory, db_session):
    page = client.get("/set-password/not-a-real-token")
    assert page.status_code == 410
    assert b"works once, for 1 hour" in page.data and b"for 7 days" in page.data


def test_a_new_request_revokes_older_links_but_signs_nobody_out(app, client, factory, outbox):
    user = factory.user(Role.RECIPIENT, email="target@test.example")
    theirs = app.test_client()
    sign_in_as(theirs, user)

    _ask_for_reset(client, "target@test.example")
    first = link_from(outbox)
    _ask_for_reset(client, "target@test.example")  # anyone who knows the address can do this
    second = link_from(outbox)
    assert first != second

    assert client.get(first).status_code == 410
    assert theirs.get("/accounts").status_code == 200  # still signed in
    assert client.post(second, data=NEW).status_code == 302
    assert client.get(second).status_code == 410  # once only
    # Setting the password through the link ends the sessions (the account may be in the wrong
    # hands, which is why they reset it).
    assert theirs.get("/accounts").status_code == 302


def test_an_invitation_link_is_revoked_by_a_newer_one(app, client, factory, outbox):
    sign_in_as(client, factory.user(Role.ADMIN))
    invited = client.post(
        "/admin/users/invite",
        data={"full_name": "Ann New", "email": "ann@test.example", "role": "team_leader"},
    )
    first = link_from(outbox)
    client.post(invited.location + "/send-link")
    second = link_from(outbox)
    assert client.get(first).status_code == 410
    assert client.get(second).status_code == 200


def test_the_reset_email_goes_after_the_response(client, factory, outbox):
    factory.user(email="later@test.example")
    response = client.post("/reset-password", data={"email": "later@test.example"})
    assert response.status_code == 200
    assert list(outbox.glob("*.eml")) == []  # the page is done; nothing sent yet
    response.close()  # the server has sent the page
    assert len(list(outbox.glob("*.eml"))) == 1


def test_the_reset_page_is_the_same_for_known_and_unknown_addresses(client, factory, outbox):
    factory.user(email="known@test.example")
    known = _ask_for_reset(client, "known@test.example")
    unknown = _ask_for_reset(client, "unknown@test.example")
    assert same_page(known).replace(b"known@test", b"") == same_page(unknown).replace(
        b"unknown@test", b""
    )


def test_links_are_never_printed_or_logged(app, client, factory, outbox, capsys, caplog):
    caplog.set_level(logging.DEBUG)
    factory.user(email="quiet@test.example")
    sign_in_as(client, factory.user(Role.ADMIN))
    client.post(
        "/admin/users/invite",
        data={"full_name": "Quiet New", "email": "quietnew@test.example", "role": "team_leader"},
    )
    _ask_for_reset(client, "quiet@test.example")
    assert len(list(outbox.glob("*.eml"))) == 2  # the outbox is where they go
    captured = capsys.readouterr()
    for text in (captured.out, captured.err, caplog.text):
        assert "set-password" not in text


def test_a_mail_server_that_is_down_changes_nothing_the_user_sees(
    app, client, factory, outbox, monkeypatch, caplog
):
    factory.user(email="down@test.example")
    with_server = same_page(_ask_for_reset(client, "down@test.example"))
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", 9)  # nothing listens on discard here
    without = same_page(_ask_for_reset(client, "down@test.example"))
    assert with_server == without
    assert "Email (reset link for user" in caplog.text and "not sent" in caplog.text
    assert "set-password" not in caplog.text


def test_an_invitation_when_the_mail_server_is_down_says_so(
    app, client, factory, db_session, monkeypatch
):
    sign_in_as(client, factory.user(Role.ADMIN))
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", 9)
    response = client.post(
        "/admin/users/invite",
        data={"full_name": "Ann Offline", "email": "offline@test.example", "role": "team_leader"},
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert b"could not be sent" in response.data
    assert b"Invitation sent" not in response.data
