from dp_portal import create_app
from dp_portal.auth.models import Role

from ..conftest import _TMP, database_url_for_tests, make_config, sign_in_as


def test_security_headers(client):
    response = client.get("/sign-in")
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert "script-src 'self' 'nonce-" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"
    # The one inline script (GOV.UK's js-enabled class) carries this response's nonce.
    nonce = csp.split("'nonce-")[1].split("'")[0]
    assert f'nonce="{nonce}"'.encode() in response.data


def test_session_cookie_is_httponly_and_samesite(client, factory):
    from ..factories import PASSWORD

    factory.user(email="cookie@test.example")
    response = client.post("/sign-in", data={"email": "cookie@test.example", "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_forms_without_a_csrf_token_are_refused(db_session):
    class WithCsrf(make_config(database_url_for_tests(), _TMP / "csrf-instance")):
        WTF_CSRF_ENABLED = True

    app = create_app(WithCsrf)
    client = app.test_client()
    response = client.post("/sign-in", data={"email": "a@b.example", "password": "x"})
    assert response.status_code == 400
    assert b"this form has expired" in response.data


def test_friendly_error_pages(client, factory):
    missing = client.get("/no-such-page")
    assert missing.status_code == 404 and b"Page not found" in missing.data
    sign_in_as(client, factory.user(Role.RECIPIENT))
    forbidden = client.get("/audit")
    assert forbidden.status_code == 403 and b"You do not have permission" in forbidden.data


def test_oversized_upload_is_refused_kindly(client, factory, app):
    sign_in_as(client, factory.user(Role.ADMIN))
    too_big = b"0" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    response = client.post(
        "/admin/bank-checking",
        data={"label": "x", "valacdos": (__import__("io").BytesIO(too_big), "valacdos.txt")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 413 and b"The file is too large" in response.data
