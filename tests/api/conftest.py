"""Integration clients for the API tests: made through the service an administrator's page
uses, so each test holds a real token (shown once) and the client row that keeps its hash."""

from __future__ import annotations

import pytest

from dp_portal.api import clients
from dp_portal.api.models import ApiClient
from dp_portal.api.rules import Scope
from dp_portal.auth.models import Role
from dp_portal.extensions import db


@pytest.fixture
def admin(factory):
    return factory.user(Role.ADMIN)


@pytest.fixture
def issue(app, admin, db_session):
    """issue(*scopes, name=...) -> (client, token)."""
    made = []

    def make(*scopes: Scope, name: str | None = None):
        with app.app_context():
            issued = clients.create_client(
                name or f"System {len(made) + 1}", set(scopes or Scope), actor=admin
            )
            client_id, token = issued.client.id, issued.token
            db.session.commit()  # the test's savepoint: requests see the client
        made.append(client_id)
        return db_session.get(ApiClient, client_id), token

    return make


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
