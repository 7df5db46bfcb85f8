"""Errors under /api as RFC 9457 problem details: `application/problem+json` with type, title,
status, detail and instance, and `errors` naming each field at fault. Never an HTML page: the
app's error handlers (dp_portal/errors.py) ask `under_api` and answer with `for_error`.

Each kind of problem has a `type` that links to its explanation in the API's documentation
(/api/v1/docs#problem-<slug>), a title that is the same for every occurrence (RFC 9457 3.1.3),
and a detail that says what was wrong with this request and what to do.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from flask import Response, current_app, has_request_context, request
from werkzeug.exceptions import HTTPException

PROBLEM_MEDIA_TYPE = "application/problem+json"
API_PREFIX = "/api/"
DOCS = "/api/v1/docs"


@dataclass(frozen=True)
class Kind:
    status: int
    slug: str
    title: str
    explanation: str  # for the documentation page


KINDS: dict[int, Kind] = {
    kind.status: kind
    for kind in (
        Kind(
            400,
            "bad-request",
            "The request is not valid",
            "A parameter, the cursor or the "
            "body is not what the endpoint accepts; `errors` names each one.",
        ),
        Kind(
            401,
            "unauthorized",
            "A valid token is needed",
            "No token was sent, or it is not "
            "one the council issued, or its client was revoked or given a new token.",
        ),
        Kind(
            403,
            "forbidden",
            "The token does not allow this",
            "The client exists but was not "
            "given the scope this endpoint needs (an administrator can create a client "
            "that has it), or, for an import, its responsible finance officer is switched "
            "off or no longer a finance officer (an administrator names another on the "
            "client's page).",
        ),
        Kind(
            404,
            "not-found",
            "There is nothing at this address",
            "The path is not one of the "
            "API's (check the version and spelling) or names something that does not exist.",
        ),
        Kind(
            405,
            "method-not-allowed",
            "That method is not allowed here",
            "The `Allow` header lists the methods this path answers.",
        ),
        Kind(
            409,
            "conflict",
            "The request conflicts with what is already recorded",
            "Something changed since the data the request was based on was read, or an "
            "import with the same Idempotency-Key is still being applied: ask again shortly.",
        ),
        Kind(413, "too-large", "The request body is too large", "Send fewer rows at a time."),
        Kind(
            415,
            "unsupported-media-type",
            "Send JSON",
            "Bodies must be sent as `Content-Type: application/json`.",
        ),
        Kind(
            422,
            "unprocessable",
            "The data breaks a rule",
            "The body is well formed but "
            "breaks one of the council's rules; `errors` names each one.",
        ),
        Kind(
            429,
            "rate-limited",
            "Too many requests",
            "The client has made more requests than "
            "its limit allows; the `Retry-After` header says how many seconds to wait.",
        ),
        Kind(
            500,
            "server-error",
            "Something went wrong on our side",
            "Nothing was changed. Try "
            "again later; if it keeps happening, tell the council with the time of the request.",
        ),
        Kind(
            503,
            "busy",
            "Busy: try again shortly",
            "The data is being written (a payment run "
            "committing); the `Retry-After` header says how many seconds to wait.",
        ),
    )
}


class ApiProblem(Exception):
    """Raised anywhere in an API request to answer with a problem (the blueprint's handler)."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        errors: list[dict[str, str]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors = errors
        self.headers = headers or {}


def under_api() -> bool:
    return has_request_context() and request.path.startswith(API_PREFIX)


def problem_body(status: int, detail: str, errors: list[dict[str, str]] | None = None) -> dict:
    kind = KINDS.get(status) or KINDS[500 if status >= 500 else 400]
    body: dict[str, Any] = {
        "type": f"{DOCS}#problem-{kind.slug}",
        "title": kind.title,
        "status": status,
        "detail": detail,
        # As a URI reference (percent-encoded): a path parameter may hold anything.
        "instance": quote(request.path, safe="/"),
    }
    if errors:
        body["errors"] = errors
    return body


def problem_response(
    status: int,
    detail: str,
    *,
    errors: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    response = current_app.response_class(
        current_app.json.dumps(problem_body(status, detail, errors)),
        status=status,
        mimetype=PROBLEM_MEDIA_TYPE,
    )
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def from_exception(problem: ApiProblem) -> Response:
    return problem_response(
        problem.status, problem.detail, errors=problem.errors, headers=problem.headers
    )


DETAILS = {
    400: "The request could not be read.",
    401: "Send the client's token as `Authorization: Bearer <token>`.",
    403: "The client's token does not have the scope this endpoint needs.",
    404: "There is no such endpoint or object. The endpoints are listed at /api/v1/docs.",
    413: "The request body is larger than the API accepts.",
    415: "Send the body as JSON, with `Content-Type: application/json`.",
    500: "Something went wrong on our side and nothing was changed. Try again later.",
}


def for_error(error: Exception, status: int, retry_after: int | None = None) -> Response:
    """The problem for an error the app's handlers caught under /api (a werkzeug HTTP error,
    the domains' NotFound or NotAllowed, a rate limit, or an unexpected exception)."""
    headers: dict[str, str] = {}
    if status == 405 and isinstance(error, HTTPException):
        allowed = sorted(getattr(error, "valid_methods", None) or [])
        headers["Allow"] = ", ".join(allowed)
        detail = f"{request.method} is not allowed here; use {' or '.join(allowed)}."
    elif status == 429:
        wait = retry_after or 60
        headers["Retry-After"] = str(wait)
        detail = f"This client has made too many requests. Wait {wait} seconds and try again."
    elif status in DETAILS:
        detail = DETAILS[status]
    elif isinstance(error, HTTPException) and error.description:
        detail = error.description
    else:
        detail = DETAILS[500] if status >= 500 else DETAILS[400]
    return problem_response(status, detail, headers=headers)
