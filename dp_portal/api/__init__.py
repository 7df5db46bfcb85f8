"""The integration API (issue 16): `/api/v1`, JSON only, for the council's case-management and
finance systems, with its OpenAPI 3.1 document and readable documentation; and the
administrators' pages that create, rotate and revoke integration clients.

Modules: models.py (integration clients), rules.py (scopes; the client's lifecycle),
tokens.py (tokens made, hashed, prefixed), clients.py (the clients' use cases), auth.py (the
bearer token, scopes, rate limit and the audit row of each call), problems.py (RFC 9457
errors), params.py (query parameters and cursors), endpoints.py (one declaration per endpoint
and the view that serves it), schemas.py (response shapes), openapi.py (the document built
from the declarations), journal.py and reads.py (the services behind the endpoints),
views.py (the endpoints: declaration and handler side by side), docs_views.py (the document
and its HTML page), client_forms.py and client_views.py (the admin pages), templates/api/;
and the people import: officers.py (the responsible finance officer a client imports as),
import_shapes.py (the body, the answer, the limits), imports.py (dry run, apply once per
Idempotency-Key, a past import), import_views.py (its two endpoints).

Adding an endpoint is a declaration and a handler in views.py (docs/api.md shows how).
"""

from flask import Blueprint

from ..extensions import csrf

# Token authentication, no cookies: nothing for a cross-site request to ride on, so the CSRF
# check (which protects cookie-authenticated forms) does not apply.
bp = Blueprint("api", __name__, url_prefix="/api/v1", template_folder="templates")
csrf.exempt(bp)
clients_bp = Blueprint(
    "api_clients", __name__, url_prefix="/admin/integrations", template_folder="templates"
)

from . import client_views, docs_views, import_views, views  # noqa: E402, F401
