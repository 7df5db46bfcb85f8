"""Rate limits on sign-in, reset requests, set-password links and uploads: per client address
and per account name (or signed-in user), with a plain 429 page that reveals nothing."""

from datetime import date

import pytest

from dp_portal import create_app
from dp_portal.auth.models import Role, User
from dp_portal.auth.services import make_password_token
from dp_portal.extensions import limiter

from ..conftest import _TMP, database_url_for_tests, make_config, sign_in_as
from .test_sign_in_lock import same_page

HIGH = "1000 per minute"
GUESS = "not the right one"


@pytest.fixture
def limits(app, monkeypatch):
    """Set RATELIMIT_* settings for this test (low ones, to reach them), with clean counters."""

    def set_limits(**values):
        for key, value in values.items():
            monkeypatch.setitem(app.config, f"RATELIMIT_{key}", value)

    limiter.reset()
    yield set_limits
    limiter.reset()


def _from(address):
    return {"REMOTE_ADDR": address}


def _sign_in(client, email, address="127.0.0.1"):
    return client.post(
        "/sign-in", data={"email": email, "password": GUESS}, environ_base=_from(address)
    )


def _is_limited(response) -> bool:
    return response.status_code == 429 and b"Too many attempts" in response.data


def test_sign_in_is_limited_per_client_address(client, limits):
    limits(SIGN_IN_PER_ADDRESS="3 per minute", SIGN_IN_PER_ACCOUNT=HIGH)
    for n in range(3):
        assert _sign_in(client, f"guess{n}@test.example").status_code == 200
    assert _is_limited(_sign_in(client, "guess4@test.example"))
    # Someone else, elsewhere, is not held up.
    assert _sign_in(client, "guess5@test.example", address="10.0.0.9").status_code == 200
    # The page only needs a GET to show again.
    assert client.get("/sign-in").status_code == 200


def test_sign_in_is_limited_per_account_name_from_any_address(client, factory, db_session, limits):
    user = factory.user(email="target@test.example")
    limits(SIGN_IN_PER_ADDRESS=HIGH, SIGN_IN_PER_ACCOUNT="3 per minute")
    for n, typed in enumerate(
        ["target@test.example", "TARGET@test.example", " target@test.example"]
    ):
        assert _sign_in(client, typed, address=f"10.0.1.{n}").status_code == 200
    limited = _sign_in(client, "target@test.example", address="10.0.1.99")
    assert _is_limited(limited)
    # The refused attempt was never tried: it did not count towards the lock.
    db_session.expire_all()
    assert user.failed_sign_ins == 3
    assert _sign_in(client, "someone.else@test.example", address="10.0.1.99").status_code == 200


def test_the_limited_page_is_the_same_for_known_and_unknown_emails(client, factory, limits):
    factory.user(email="real@test.example")
    limits(SIGN_IN_PER_ADDRESS=HIGH, SIGN_IN_PER_ACCOUNT="1 per minute")
    pages = []
    for email in ("real@test.example", "made.up@test.example"):
        _sign_in(client, email)
        limited = _sign_in(client, email)
        assert _is_limited(limited)
        assert int(limited.headers["Retry-After"]) > 0
        assert b"Wait 1 minute, then go back and try again" in limited.data
        pages.append(same_page(limited))
    assert pages[0] == pages[1]


def test_spoofing_x_forwarded_for_does_not_dodge_the_address_limit(client, limits):
    limits(SIGN_IN_PER_ADDRESS="2 per minute", SIGN_IN_PER_ACCOUNT=HIGH)
    responses = [
        client.post(
            "/sign-in",
            data={"email": f"spoof{n}@test.example", "password": "x"},
            headers={"X-Forwarded-For": f"192.0.2.{n}"},
        )
        for n in range(3)
    ]
    assert [r.status_code for r in responses] == [200, 200, 429]


def test_behind_a_trusted_proxy_each_client_has_its_own_limit(app, db_session, limits):
    class BehindProxy(make_config(database_url_for_tests(), _TMP / "proxy-instance")):
        TRUSTED_PROXY_COUNT = 1
        RATELIMIT_SIGN_IN_PER_ADDRESS = "1 per minute"
        RATELIMIT_SIGN_IN_PER_ACCOUNT = HIGH

    proxied = create_app(BehindProxy).test_client()
    try:

        def via_proxy(client_address):
            return proxied.post(
                "/sign-in",
                data={"email": "x@test.example", "password": "x"},
                headers={"X-Forwarded-For": client_address},
                environ_base=_from("10.9.9.9"),  # the proxy
            )

        assert via_proxy("198.51.100.1").status_code == 200
        assert via_proxy("198.51.100.1").status_code == 429
        assert via_proxy("198.51.100.2").status_code == 200
    finally:
        limiter.init_app(app)  # the suite's app again holds the (shared) limiter's storage


def test_reset_requests_are_limited_per_account_and_per_address(client, factory, outbox, limits):
    factory.user(email="bombed@test.example")
    limits(RESET_PER_ADDRESS=HIGH, RESET_PER_ACCOUNT="2 per minute")
    for n in range(2):
        response = client.post(
            "/reset-password",
            data={"email": "bombed@test.example"},
            environ_base=_from(f"10.2.0.{n}"),
        )
        response.close()
        assert response.status_code == 200
    limited = client.post(
        "/reset-password", data={"email": "bombed@test.example"}, environ_base=_from("10.2.0.9")
    )
    limited.close()
    assert _is_limited(limited)
    assert len(list(outbox.glob("*.eml"))) == 2  # the mailbox is not flooded

    limits(RESET_PER_ADDRESS="1 per minute", RESET_PER_ACCOUNT=HIGH)
    limiter.reset()
    client.post("/reset-password", data={"email": "a@test.example"}).close()
    limited = client.post("/reset-password", data={"email": "b@test.example"})
    limited.close()
    assert _is_limited(limited)


def test_setting_a_password_from_a_link_is_limited(app, client, factory, db_session, limits):
    user = factory.user(email="linked@test.example")
    with app.app_context():
        link = "/set-password/" + make_password_token(user, app.config["SECRET_KEY"])
    db_session.flush()
    limits(LINK_PER_ADDRESS=HIGH, LINK_PER_ACCOUNT="2 per minute")
    short = {"new_password": "short", "confirm_password": "short"}
    for n in range(2):
        assert client.post(link, data=short, environ_base=_from(f"10.3.0.{n}")).status_code == 200
    good = {"new_password": "a long new passphrase", "confirm_password": "a long new passphrase"}
    assert _is_limited(client.post(link, data=good, environ_base=_from("10.3.0.9")))
    db_session.expire_all()
    assert db_session.get(User, user.id).password_link_nonce is not None  # nothing was set

    limits(LINK_PER_ADDRESS="1 per minute", LINK_PER_ACCOUNT=HIGH)
    limiter.reset()
    client.post("/set-password/made-up-token", data=short)
    assert _is_limited(client.post(link, data=short))


def _evidence_url(factory, user):
    account = factory.account(start_date=date(2026, 4, 6))
    factory.access(user, account)
    return f"/accounts/{account.id}/returns/2026-04-06/evidence"


@pytest.mark.parametrize("route", ["evidence", "upload"])
def test_uploads_are_limited_per_signed_in_user(app, factory, limits, route):
    me, neighbour = factory.user(Role.RECIPIENT), factory.user(Role.RECIPIENT)
    url = _evidence_url(factory, me).replace("/evidence", f"/{route}")
    neighbour_url = _evidence_url(factory, neighbour).replace("/evidence", f"/{route}")
    limits(UPLOAD_PER_ADDRESS=HIGH, UPLOAD_PER_USER="2 per minute")
    mine, theirs = app.test_client(), app.test_client()
    sign_in_as(mine, me)
    sign_in_as(theirs, neighbour)
    for n in range(2):
        assert mine.post(url, data={}, environ_base=_from(f"10.4.0.{n}")).status_code < 400
    assert _is_limited(mine.post(url, data={}, environ_base=_from("10.4.0.9")))
    assert theirs.post(neighbour_url, data={}).status_code < 400


def test_uploads_are_limited_per_client_address(app, factory, limits):
    me, neighbour = factory.user(Role.RECIPIENT), factory.user(Role.RECIPIENT)
    url, neighbour_url = _evidence_url(factory, me), _evidence_url(factory, neighbour)
    limits(UPLOAD_PER_ADDRESS="2 per minute", UPLOAD_PER_USER=HIGH)
    mine, theirs = app.test_client(), app.test_client()
    sign_in_as(mine, me)
    sign_in_as(theirs, neighbour)
    assert mine.post(url, data={}).status_code < 400
    assert theirs.post(neighbour_url, data={}).status_code < 400
    assert _is_limited(mine.post(url, data={}))
    assert theirs.post(neighbour_url, data={}, environ_base=_from("10.5.0.1")).status_code < 400
