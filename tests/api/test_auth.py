"""Who may call: only a client's bearer token with the right scope; every call (answered or
refused) is in the audit log without the token; each client has its own rate limit."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from dp_portal.api.rules import Scope
from dp_portal.auth.models import Role
from dp_portal.core.audit import AuditEvent
from dp_portal.extensions import limiter

from ..conftest import sign_in_as
from .conftest import bearer


def _calls(db_session) -> list[AuditEvent]:
    return list(
        db_session.execute(
            select(AuditEvent).where(AuditEvent.action == "api.call").order_by(AuditEvent.id)
        ).scalars()
    )


def test_without_a_token_nothing_opens_not_even_with_a_session(client, factory):
    anonymous = client.get("/api/v1/journal")
    assert anonymous.status_code == 401
    assert anonymous.mimetype == "application/problem+json"
    assert anonymous.headers["WWW-Authenticate"].startswith("Bearer")
    assert "Authorization: Bearer" in anonymous.get_json()["detail"]
    assert "Set-Cookie" not in anonymous.headers
    sign_in_as(client, factory.user(Role.FINANCE_OFFICER))
    assert client.get("/accounts").status_code == 200  # the session works for pages...
    assert client.get("/api/v1/journal").status_code == 401  # ...and opens no endpoint
    basic = client.get("/api/v1/journal", headers={"Authorization": "Basic dXNlcjpwYXNz"})
    assert basic.status_code == 401


def test_a_token_without_the_scope_is_refused(client, issue):
    _, token = issue(Scope.RETURNS_READ)
    assert client.get("/api/v1/returns", headers=bearer(token)).status_code == 200
    refused = client.get("/api/v1/journal", headers=bearer(token))
    assert refused.status_code == 403 and refused.mimetype == "application/problem+json"
    body = refused.get_json()
    assert "ledger:read" in body["detail"]
    assert (
        body["type"] == "/api/v1/docs#problem-forbidden" and body["instance"] == "/api/v1/journal"
    )


@pytest.fixture
def low_limit(app):
    saved = app.config["RATELIMIT_API_PER_CLIENT"]
    app.config["RATELIMIT_API_PER_CLIENT"] = "3 per minute"
    limiter.reset()
    yield
    app.config["RATELIMIT_API_PER_CLIENT"] = saved
    limiter.reset()


def test_each_client_has_its_own_rate_limit(client, issue, low_limit, db_session):
    _, busy = issue(Scope.LEDGER_READ, Scope.RETURNS_READ)
    _, other = issue(Scope.LEDGER_READ)
    for path in ("/api/v1/journal", "/api/v1/returns", "/api/v1/journal"):  # one count for all
        assert client.get(path, headers=bearer(busy)).status_code == 200
    limited = client.get("/api/v1/returns", headers=bearer(busy))
    assert limited.status_code == 429 and limited.mimetype == "application/problem+json"
    wait = int(limited.headers["Retry-After"])
    assert 1 <= wait <= 61  # the rest of the minute-long window
    body = limited.get_json()
    assert body["status"] == 429 and f"Wait {wait} seconds" in body["detail"]
    assert client.get("/api/v1/journal", headers=bearer(other)).status_code == 200
    assert [e.after["status"] for e in _calls(db_session)] == [200, 200, 200, 429, 200]


def test_every_call_is_in_the_audit_log_answered_or_refused(client, issue, db_session):
    row, token = issue(Scope.RETURNS_READ, name="Case management")
    client.get("/api/v1/returns?status=draft", headers=bearer(token))
    client.get("/api/v1/journal", headers=bearer(token))
    client.get("/api/v1/returns?limit=0", headers=bearer(token))
    client.get("/api/v1/returns", headers=bearer(token[:-1] + "x"))
    client.get("/api/v1/returns")
    calls = _calls(db_session)
    assert [(e.after["method"], e.after["path"], e.after["status"]) for e in calls] == [
        ("GET", "/api/v1/returns", 200),
        ("GET", "/api/v1/journal", 403),
        ("GET", "/api/v1/returns", 400),
        ("GET", "/api/v1/returns", 401),
        ("GET", "/api/v1/returns", 401),
    ]
    answered = calls[0]
    assert (
        answered.actor_id is None
        and answered.actor_label == f"API client {row.id}: Case management"
    )
    assert answered.object_type == "api_clients" and answered.object_id == row.id
    assert answered.summary == "GET /api/v1/returns?status=draft answered 200"
    assert calls[3].actor_label == f"API call with an unknown or revoked token {token[:12]}…"
    assert calls[4].actor_label == "API call without a valid token"
    for event in calls:
        assert token not in f"{event.summary} {event.after_json} {event.actor_label}"
    # The public description is not a call of a client's.
    client.get("/api/v1/openapi.json")
    assert len(_calls(db_session)) == 5


def test_a_change_made_by_a_call_is_audited_under_the_clients_name():
    from dp_portal.api.auth import Caller
    from dp_portal.api.endpoints import Call

    caller = Caller(7, "API client 7: Case management", "dpk_abcdefgh", frozenset())
    actor = Call({}, None, caller).actor
    assert actor.email == "API client 7: Case management" and actor.id is None  # no user
    with pytest.raises(RuntimeError):
        _ = Call({}, None, None).actor
