"""Under /api every error is RFC 9457 problem details, never an HTML page; the rest of the
portal keeps its pages."""

from __future__ import annotations

import pytest
from werkzeug.exceptions import RequestEntityTooLarge

from dp_portal.api import endpoints, views
from dp_portal.api.problems import ApiProblem
from dp_portal.api.rules import Scope

from .conftest import bearer

FIELDS = {"type", "title", "status", "detail", "instance"}


def _problem(response, status):
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert set(body) >= FIELDS and body["status"] == status
    return body


def test_an_unknown_address_or_method_is_a_problem_not_a_page(client):
    body = _problem(client.get("/api/v1/no-such-thing"), 404)
    assert body["instance"] == "/api/v1/no-such-thing"
    assert body["type"] == "/api/v1/docs#problem-not-found"
    wrong = client.delete("/api/v1/journal")
    _problem(wrong, 405)
    assert set(wrong.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}
    page = client.get("/no-such-page")  # outside the API, people still get a page
    assert page.status_code == 404 and page.mimetype == "text/html"


def test_an_unexpected_failure_is_a_problem_that_gives_nothing_away(
    app, client, issue, monkeypatch
):
    _, token = issue(Scope.LEDGER_READ)

    def broken(query):
        raise RuntimeError("SELECT secret FROM somewhere")

    monkeypatch.setattr(views, "journal_page", broken)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)  # as in production
    body = _problem(client.get("/api/v1/journal", headers=bearer(token)), 500)
    assert "secret" not in str(body) and "nothing was changed" in body["detail"]


def test_a_body_that_is_not_json_or_too_large_is_a_problem(app):
    with (
        app.test_request_context(
            "/api/v1/imports", method="POST", data="name=x", content_type="text/plain"
        ),
        pytest.raises(ApiProblem) as unsupported,
    ):
        endpoints._json_body(1024)
    assert unsupported.value.status == 415
    with (
        app.test_request_context(
            "/api/v1/imports", method="POST", data="{not json", content_type="application/json"
        ),
        pytest.raises(ApiProblem) as unreadable,
    ):
        endpoints._json_body(1024)
    assert unreadable.value.status == 400 and unreadable.value.errors
    with app.test_request_context("/api/v1/imports", method="POST"):
        response = app.handle_http_exception(RequestEntityTooLarge())
        assert response.status_code == 413
        assert response.mimetype == "application/problem+json"
