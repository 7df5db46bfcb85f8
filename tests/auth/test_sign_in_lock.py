"""The failed-sign-in lock: counted by the database, silent, and never longer than the policy."""

import re
from datetime import timedelta

from sqlalchemy import select, text

from dp_portal.auth.models import User
from dp_portal.auth.services import attempt_sign_in
from dp_portal.core.audit import AuditEvent
from dp_portal.core.types import utcnow
from dp_portal.extensions import db

from ..factories import PASSWORD
from .test_auth import _link_from as link_from

POLICY = {"max_failures": 5, "lock_minutes": 15}


def same_page(response) -> bytes:
    """The page without what differs on every response (the CSP nonce, the form's token, which
    carries a timestamp) or echoes what was typed."""
    body = re.sub(rb'nonce="[^"]+"', b'nonce=""', response.data)
    body = re.sub(rb'(name="csrf_token" value=")[^"]*"', rb'\1"', body)
    return re.sub(rb'(id="email"[^>]*value=")[^"]*"', rb'\1"', body)


def test_a_locked_account_gets_exactly_the_wrong_password_page(client, factory):
    factory.user(email="lockme@test.example", locked_until=utcnow() + timedelta(minutes=10))
    factory.user(email="open@test.example")
    locked_right_password = client.post(
        "/sign-in", data={"email": "lockme@test.example", "password": PASSWORD}
    )
    wrong_password = client.post(
        "/sign-in", data={"email": "open@test.example", "password": "not the password"}
    )
    unknown = client.post(
        "/sign-in", data={"email": "nobody@test.example", "password": "not the password"}
    )
    assert locked_right_password.status_code == wrong_password.status_code == 200
    assert same_page(locked_right_password) == same_page(wrong_password) == same_page(unknown)
    assert b"Enter a correct email address and password" in locked_right_password.data


def test_failures_are_counted_by_the_database_not_from_a_stale_copy(app_ctx, factory):
    """Another worker counted four failures after this one read the row: the fifth locks."""
    user = factory.user(email="race@test.example")
    found = db.session.get(User, user.id)
    assert found.failed_sign_ins == 0  # this worker's copy of the row
    db.session.execute(text("UPDATE users SET failed_sign_ins = 4 WHERE id = :id"), {"id": user.id})
    attempt_sign_in("race@test.example", "not the password", **POLICY)
    db.session.refresh(found)
    assert found.locked_until is not None and found.locked_until > utcnow()
    assert found.failed_sign_ins == 0  # the count starts again after a lock


def test_attempts_while_locked_do_not_extend_the_lock(app_ctx, factory):
    user = factory.user(email="patient@test.example")
    start = utcnow()
    for _ in range(5):
        attempt_sign_in("patient@test.example", "wrong guess here", now=start, **POLICY)
    db.session.expire_all()
    locked = db.session.get(User, user.id)
    assert locked.locked_until == start + timedelta(minutes=15)

    # Someone keeps guessing (and even the right password) all through the lock...
    for minutes in (1, 14):
        during = start + timedelta(minutes=minutes)
        for password in ("wrong guess here", PASSWORD):
            result = attempt_sign_in("patient@test.example", password, now=during, **POLICY)
            assert result.problem == "Enter a correct email address and password"
    db.session.expire_all()
    assert db.session.get(User, user.id).locked_until == start + timedelta(minutes=15)
    locks = db.session.execute(
        select(AuditEvent).where(
            AuditEvent.action == "user.locked", AuditEvent.object_id == user.id
        )
    ).all()
    assert len(locks) == 1
    # ...and the real user is in as soon as the 15 minutes are up.
    after = start + timedelta(minutes=15, seconds=1)
    assert attempt_sign_in("patient@test.example", PASSWORD, now=after, **POLICY).problem is None


def test_a_password_reset_unlocks(client, factory, db_session, outbox):
    user = factory.user(email="unlockme@test.example")
    for _ in range(5):
        client.post("/sign-in", data={"email": "unlockme@test.example", "password": "nope nope"})
    db_session.expire_all()
    assert user.locked_until > utcnow()
    with client.post("/reset-password", data={"email": "unlockme@test.example"}):
        pass
    link = link_from(outbox)
    new = "a brand new passphrase"
    assert client.post(link, data={"new_password": new, "confirm_password": new}).status_code == 302
    signed_in = client.post("/sign-in", data={"email": "unlockme@test.example", "password": new})
    assert signed_in.status_code == 302
