"""Integration clients as an administrator manages them: the token is shown once and kept only
as a hash, a new token stops the old one, and a revoked client is refused; every change is in
the audit log and the token is in none of it."""

from __future__ import annotations

import re
from hashlib import sha256

import pytest
from sqlalchemy import select

from dp_portal.api.models import ApiClient
from dp_portal.api.rules import TRANSITIONS, ClientStatus, move
from dp_portal.core.audit import AuditEvent
from dp_portal.core.errors import RuleError
from dp_portal.extensions import db

from ..conftest import sign_in_as
from .conftest import bearer

TOKEN = re.compile(r"dpk_[A-Za-z0-9_-]{43}")


def _create(client, admin, name="Finance system", scopes=("ledger:read",)):
    sign_in_as(client, admin)
    response = client.post("/admin/integrations/new", data={"name": name, "scopes": list(scopes)})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    found = TOKEN.findall(page)
    assert len(set(found)) == 1, "the page shows one token"
    return found[0], page


def _everything_stored(db_session) -> str:
    rows = db_session.execute(select(ApiClient)).scalars().all()
    events = db_session.execute(select(AuditEvent)).scalars().all()
    columns = [str(getattr(r, c.key)) for r in rows for c in ApiClient.__table__.columns]
    audited = [f"{e.summary} {e.before_json} {e.after_json} {e.actor_label}" for e in events]
    return "\n".join(columns + audited)


def test_the_token_is_shown_once_and_kept_only_as_its_hash(client, admin, db_session):
    token, page = _create(client, admin)
    assert "Copy the token now" in page and "the only time the token is shown" in page
    row = db_session.execute(select(ApiClient)).scalar_one()
    assert row.token_hash == sha256(token.encode()).hexdigest()
    assert row.token_prefix == token[:12] and row.scopes == "ledger:read"
    assert token not in _everything_stored(db_session)  # not in the row, not in the audit log
    shown_again = client.get(f"/admin/integrations/{row.id}").get_data(as_text=True)
    assert token not in shown_again and row.token_prefix in shown_again
    assert token not in client.get("/admin/integrations").get_data(as_text=True)
    client.delete_cookie("session")
    assert client.get("/api/v1/journal", headers=bearer(token)).status_code == 200
    created = db_session.execute(
        select(AuditEvent).where(AuditEvent.action == "api_client.created")
    ).scalar_one()
    assert created.actor_id == admin.id and created.object_id == row.id


def test_a_new_token_stops_the_old_one(client, admin, db_session):
    old, _ = _create(client, admin)
    row = db_session.execute(select(ApiClient)).scalar_one()
    response = client.post(f"/admin/integrations/{row.id}/token")
    assert response.status_code == 200
    (new,) = set(TOKEN.findall(response.get_data(as_text=True)))
    assert new != old
    client.delete_cookie("session")
    assert client.get("/api/v1/journal", headers=bearer(old)).status_code == 401
    assert client.get("/api/v1/journal", headers=bearer(new)).status_code == 200
    assert new not in _everything_stored(db_session) and old not in _everything_stored(db_session)
    replaced = db_session.execute(
        select(AuditEvent).where(AuditEvent.action == "api_client.token_replaced")
    ).scalar_one()
    assert replaced.before["token_prefix"] == old[:12]
    assert replaced.after["token_prefix"] == new[:12]


def test_a_revoked_client_is_refused_for_good(client, admin, db_session):
    token, _ = _create(client, admin)
    row = db_session.execute(select(ApiClient)).scalar_one()
    no_reason = client.post(f"/admin/integrations/{row.id}/revoke", data={"reason": " "})
    assert no_reason.status_code == 200
    assert "Enter why the client is being revoked" in no_reason.get_data(as_text=True)
    db_session.refresh(row)
    assert row.status == "active"

    revoked = client.post(
        f"/admin/integrations/{row.id}/revoke", data={"reason": "The finance system was replaced"}
    )
    assert revoked.status_code == 302
    db_session.refresh(row)
    assert row.status == "revoked" and row.revoked_by_id == admin.id
    assert row.revoke_reason == "The finance system was replaced" and row.revoked_at
    again = client.post(f"/admin/integrations/{row.id}/token", follow_redirects=True)
    assert "A revoked client cannot be given a new token" in again.get_data(as_text=True)
    client.delete_cookie("session")
    refused = client.get("/api/v1/journal", headers=bearer(token))
    assert refused.status_code == 401 and refused.mimetype == "application/problem+json"


def test_a_client_needs_a_unique_name_and_something_it_may_do(client, admin):
    _create(client, admin, name="Finance system")
    same = client.post(
        "/admin/integrations/new", data={"name": "finance  SYSTEM", "scopes": ["returns:read"]}
    )
    assert "A client called &#39;finance SYSTEM&#39; already exists" in same.get_data(as_text=True)
    nothing = client.post("/admin/integrations/new", data={"name": "Case management"})
    page = nothing.get_data(as_text=True)
    assert "Choose at least one thing the system may do" in page and "dpk_" not in page
    forged = client.post(
        "/admin/integrations/new", data={"name": "Case management", "scopes": ["admin:all"]}
    )
    assert forged.status_code == 200 and "dpk_" not in forged.get_data(as_text=True)


@pytest.mark.parametrize("start", list(ClientStatus))
@pytest.mark.parametrize("to", list(ClientStatus))
def test_the_client_lifecycle_allows_only_its_table(app_ctx, admin, start, to):
    row = ApiClient(
        name=f"Lifecycle {start} {to}",
        scopes="ledger:read",
        status=start,
        token_hash=f"{start}{to}".ljust(64, "0"),
        token_prefix="dpk_test",
        created_by_id=admin.id,
        revoked_at=db.func.now() if start == ClientStatus.REVOKED else None,
    )
    db.session.add(row)
    db.session.flush()
    if to in TRANSITIONS[start]:
        move(row, to, revoked_at=db.func.now())
        assert db.session.get(ApiClient, row.id).status == to
    else:
        with pytest.raises(RuleError):
            move(row, to)


def test_every_state_is_in_the_table():
    assert set(TRANSITIONS) == set(ClientStatus)


def test_the_clients_page_lists_its_calls_and_links_to_all_of_them(client, admin, db_session):
    token, _ = _create(client, admin)
    row = db_session.execute(select(ApiClient)).scalar_one()
    client.get("/api/v1/journal?limit=5", headers=bearer(token))
    page = client.get(f"/admin/integrations/{row.id}").get_data(as_text=True)
    assert "GET /api/v1/journal?limit=5 answered 200" in page
    (audit_link,) = re.findall(r'href="(/audit\?actor=[^"]+)"', page)
    log = client.get(audit_link.replace("&amp;", "&")).get_data(as_text=True)
    assert "GET /api/v1/journal?limit=5 answered 200" in log
