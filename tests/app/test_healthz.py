"""The health check a load balancer asks: 200 while the database answers, 503 (not a 500
page) when it does not, so the balancer takes the host out of service and tries again."""

from __future__ import annotations

from sqlalchemy.exc import OperationalError

from dp_portal.extensions import db


def test_a_host_whose_database_answers_is_healthy(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "ok"}


def test_a_host_whose_database_does_not_answer_says_so_with_a_503(client, monkeypatch):
    def refused(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, ConnectionRefusedError("connection refused"))

    monkeypatch.setattr(db.session, "execute", refused)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json == {"status": "the database does not answer"}
    assert response.headers["Retry-After"] == "30"
