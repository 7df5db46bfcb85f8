"""The API describes itself: an OpenAPI 3.1 document built from the endpoints' declarations,
the same as the copy in docs/openapi.json (refresh it with `flask dp openapi`), and a page
for people rendered from it."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import schemathesis

from dp_portal.api.cli import openapi_command
from dp_portal.api.endpoints import ENDPOINTS
from dp_portal.api.openapi import document
from dp_portal.api.problems import KINDS

COPY = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"


def test_the_copy_in_docs_is_what_the_app_serves(client):
    served = client.get("/api/v1/openapi.json")
    assert served.status_code == 200 and served.mimetype == "application/json"
    assert served.get_data(as_text=True) == COPY.read_text(), (
        "docs/openapi.json differs from what the app serves: refresh it with "
        "`DP_ENV=development flask --app dp_portal dp openapi > docs/openapi.json`"
    )


def test_the_command_prints_the_served_document(app, client):
    result = app.test_cli_runner().invoke(openapi_command)
    assert result.exit_code == 0
    assert result.output == client.get("/api/v1/openapi.json").get_data(as_text=True)


def test_the_document_is_valid_openapi_3_1_and_names_every_route(app):
    doc = document()
    assert doc["openapi"] == "3.1.0"
    schemathesis.openapi.from_dict(doc).validate()  # against the OpenAPI 3.1 meta-schema
    documented = {
        (path, method.upper()) for path, methods in doc["paths"].items() for method in methods
    }
    routed = {
        (re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule), method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("api.")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert documented == routed


def test_every_operation_documents_its_scope_and_its_problems():
    doc = document()
    for endpoint in ENDPOINTS.values():
        operation = doc["paths"]["/api/v1" + endpoint.path][endpoint.method.lower()]
        codes = set(operation["responses"])
        if endpoint.scope:
            assert operation["security"] == [{"bearerToken": [endpoint.scope.value]}]
            assert {"401", "403", "429"} <= codes, endpoint.name
        else:
            assert operation["security"] == []
        assert "500" in codes and str(endpoint.status) in codes
        for code in codes - {str(endpoint.status)}:
            problem = doc["components"]["responses"][f"Problem{code}"]
            assert "application/problem+json" in problem["content"]


def test_the_documentation_page_reads_the_document(client):
    page = client.get("/api/v1/docs")
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    main = html.split('id="main-content"')[1].split("</main>")[0]
    assert "<script" not in main  # nothing on it needs JavaScript
    for endpoint in ENDPOINTS.values():
        assert f'id="{endpoint.name}"' in html and f"/api/v1{endpoint.path}" in html
        if endpoint.scope:
            assert f"<code>{endpoint.scope.value}</code>" in html
    for name in document()["components"]["schemas"]:
        assert f'id="schema-{name}"' in html
    for kind in KINDS.values():  # every problem's `type` links to its explanation here
        assert f'id="problem-{kind.slug}"' in html
    example = 'curl -H "Authorization: Bearer $DP_TOKEN" "http://localhost/api/v1/journal"'
    assert example in unescape(html)
