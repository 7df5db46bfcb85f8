"""The API describes itself: its OpenAPI 3.1 document, and the same as a page to read (GOV.UK
styles, no JavaScript). Both are public: they hold no data, only how to ask for it."""

from __future__ import annotations

from flask import current_app, render_template

from . import docs_page
from .endpoints import Call, Endpoint, api_endpoint
from .openapi import document, document_text
from .schemas import define

OPENAPI = Endpoint(
    "GET",
    "/openapi.json",
    "openapi",
    "This API's OpenAPI 3.1 document",
    "The description of every endpoint, parameter, response and problem, for tools that "
    "generate clients or tests. The same document is kept in the source as docs/openapi.json.",
    define("OpenApiDocument", {"type": "object", "description": "An OpenAPI 3.1 document"}),
    tag="Documentation",
)
DOCS = Endpoint(
    "GET",
    "/docs",
    "docs",
    "This API's documentation, as a page to read",
    "The OpenAPI document written out for people: each endpoint with its parameters, "
    "answers and an example, each response's fields, and each kind of problem.",
    define("HtmlPage", {"type": "string", "description": "An HTML page"}),
    media_type="text/html",
    tag="Documentation",
)


@api_endpoint(OPENAPI)
def openapi(call: Call):
    return current_app.response_class(document_text(), mimetype="application/json")


@api_endpoint(DOCS)
def docs(call: Call):
    base = current_app.config.get("PUBLIC_BASE_URL") or ""
    return render_template(
        "api/docs.html", page=docs_page.page(document(), base), code=docs_page.inline_code
    )
