"""Who is calling: the integration client named by the request's bearer token, its scopes,
its rate limit, and the audit row of every call it makes.

Only the `Authorization: Bearer <token>` header counts: a session cookie (a signed-in person)
opens no endpoint, and nothing here writes to the session. Every call to an endpoint that
needs a token is audited, answered or refused (core/audit.record_outcome), naming the client,
the method, the path and the status, and never the token (only its non-secret prefix).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from flask import current_app, g, request

from ..core import audit, ratelimits
from ..core.permissions import TOKEN, access_of, token_only
from ..extensions import limiter
from . import tokens
from .clients import CALL_ACTION, client_for_token, client_scopes
from .models import ApiClient
from .problems import ApiProblem
from .rules import Scope

# RFC 6750 3: a refused bearer token is answered with a challenge naming the scheme.
CHALLENGE = 'Bearer realm="dp_portal API"'


@dataclass(frozen=True)
class Caller:
    """The calling client as plain values (kept on `g`, so they survive the rollback of a
    refused call, when its audit row is written)."""

    id: int
    label: str
    token_prefix: str
    scopes: frozenset[Scope]


@dataclass(frozen=True)
class ApiActor:
    """Who the audit log names for a call: a client (or an unknown token) is not a user, so
    the row has no user id, and its label says which client it was."""

    email: str
    id: None = None


def presented_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def current_caller() -> Caller | None:
    """The active client named by this request's token, or None; looked up once a request."""
    if "api_caller" not in g:
        token = presented_token()
        client = client_for_token(token) if token else None
        g.api_caller = _caller(client) if client is not None else None
    return g.api_caller


def _caller(client: ApiClient) -> Caller:
    return Caller(client.id, client.label, client.token_prefix, client_scopes(client))


def _rate_limit_key() -> str:
    caller = current_caller()
    return f"api-client:{caller.id}" if caller else "api-" + ratelimits.client_address()


def _rate_limit() -> str:
    # A client's own limit; a request with no valid token shares its address's (smaller) one.
    name = "RATELIMIT_API_PER_CLIENT" if current_caller() else "RATELIMIT_API_PER_ADDRESS"
    return current_app.config[name]


# One bucket per client across every endpoint (a shared scope), counted in RATELIMIT_STORAGE
# (Redis when configured, so the limit holds across web servers).
api_limits = limiter.shared_limit(_rate_limit, scope="api-v1", key_func=_rate_limit_key)


def token_required(scope: Scope) -> Callable[[Callable], Callable]:
    """Only a client whose token is valid and holds `scope`: 401 without one, 403 without the
    scope. The rate limit is checked first, so guessing tokens is limited too."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def checked(*args, **kwargs):
            caller = current_caller()
            if caller is None:
                raise ApiProblem(401, _why_not(), headers={"WWW-Authenticate": CHALLENGE})
            if scope not in caller.scopes:
                raise ApiProblem(
                    403,
                    f"This client's token does not have the scope {scope.value} "
                    f"({scope.label.lower()}). An administrator can create a client that has it.",
                )
            return view(*args, **kwargs)

        return token_only(api_limits(checked))

    return decorator


def _why_not() -> str:
    token = presented_token()
    if token is None:
        return "Send the client's token in the header `Authorization: Bearer <token>`."
    return (
        "The token is not valid: it is not one the council issued, or its client was "
        "revoked or given a new token. Ask the council's administrator for the current one."
    )


def audit_call(status: int) -> None:
    """The audit row of this call, kept whatever its outcome."""
    caller = current_caller()
    if caller is not None:
        actor, prefix = ApiActor(caller.label), caller.token_prefix
    else:
        token = presented_token()
        prefix = tokens.token_prefix(token) if token and tokens.plausible(token) else None
        actor = ApiActor(
            f"API call with an unknown or revoked token {prefix}…"
            if prefix
            else "API call without a valid token"
        )
    # As sent (still percent-encoded), without control characters: the row must be storable
    # whatever a client typed.
    query = _storable(request.query_string.decode("utf-8", "replace"))[:500]
    path = _storable(request.path)[:300]  # a path parameter may hold anything too
    audit.record_outcome(
        actor,
        CALL_ACTION,
        object_type=ApiClient.__tablename__,
        object_id=caller.id if caller else None,
        summary=f"{request.method} {path}{'?' + query if query else ''} answered {status}",
        after={
            "method": request.method,
            "path": path,
            "query": query,
            "status": status,
            "token_prefix": prefix,
        },
    )


def _storable(text: str) -> str:
    """Text any database keeps: control characters and broken Unicode as '?'."""
    text = text.encode("utf-8", "replace").decode("utf-8")
    return re.sub(r"[\x00-\x1f\x7f]", "?", text)


def needs_token(endpoint: str | None) -> bool:
    view = current_app.view_functions.get(endpoint or "")
    return view is not None and access_of(view) == TOKEN
