"""One declaration per endpoint, and the view that serves it: the declaration says the path,
method, scope, parameters, request body and response shape, and is what the OpenAPI document
(openapi.py) and the documentation page are built from; `api_endpoint` registers the route,
reads the parameters by it and answers with JSON.

A handler takes a `Call` (its parameters read and checked, the JSON body if it has one, the
calling client) and returns what to send: a dict shaped as its response schema, or
`(dict, status)`. It calls one service; any ApiProblem it raises becomes a problem response.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Response, current_app, request
from werkzeug.exceptions import RequestEntityTooLarge

from ..core.permissions import public
from . import bp
from .auth import ApiActor, Caller, audit_call, current_caller, needs_token, token_required
from .params import Param, read_parameters
from .problems import ApiProblem, from_exception
from .rules import Scope

JSON = "application/json"


@dataclass(frozen=True)
class Endpoint:
    method: str  # GET, POST, ...
    path: str  # under /api/v1, OpenAPI style: /imports/{import_id}
    name: str  # the operationId and the Flask endpoint (api.<name>)
    summary: str
    description: str
    response: str  # the schema (schemas.py) of a successful response's body
    scope: Scope | None = None  # None: anyone (the documentation itself)
    params: tuple[Param, ...] = ()
    body: str | None = None  # the schema of a JSON request body, if it takes one
    body_limit: int = 1024 * 1024  # bytes of body it reads at most (413 beyond)
    status: int = 200
    media_type: str = JSON  # of the successful response
    problems: tuple[int, ...] = ()  # beyond those every endpoint of its kind can answer
    tag: str = "Data"

    def all_problems(self) -> tuple[int, ...]:
        """Every problem status this endpoint can answer, for its documentation."""
        found = set(self.problems) | {500}
        if self.params or self.body:
            found.add(400)
        if self.scope is not None:
            found |= {401, 403, 429}
        if self.body:
            found |= {413, 415, 422}
        return tuple(sorted(found))


@dataclass(frozen=True)
class Call:
    params: dict[str, Any]
    body: Any
    caller: Caller | None

    @property
    def actor(self) -> ApiActor:
        """Who the audit log names for a change this call makes (pass it to a service as
        `actor`): the client, which is no user."""
        if self.caller is None:
            raise RuntimeError("only an endpoint that needs a token changes anything")
        return ApiActor(self.caller.label)


Handler = Callable[[Call], Any]
ENDPOINTS: dict[str, Endpoint] = {}


def flask_rule(path: str) -> str:
    return re.sub(r"\{([a-z_]+)\}", r"<\1>", path)


def api_endpoint(endpoint: Endpoint) -> Callable[[Handler], Handler]:
    """Register `endpoint`, served by the decorated handler."""

    def register(handler: Handler) -> Handler:
        def view(**path_args: str):
            call = Call(
                read_parameters(endpoint.params, request.args, path_args, request.headers),
                _json_body(endpoint.body_limit) if endpoint.body else None,
                current_caller() if endpoint.scope else None,
            )
            result = handler(call)
            if isinstance(result, Response | str):
                return result  # a page, or a document already serialised
            body, status = result if isinstance(result, tuple) else (result, endpoint.status)
            return current_app.response_class(
                current_app.json.dumps(body), status=status, mimetype=endpoint.media_type
            )

        view.__name__ = view.__qualname__ = f"api_{endpoint.name}"
        view.__module__ = handler.__module__
        guarded = token_required(endpoint.scope)(view) if endpoint.scope else public(view)
        bp.add_url_rule(
            flask_rule(endpoint.path), endpoint.name, guarded, methods=[endpoint.method]
        )
        ENDPOINTS[endpoint.name] = endpoint
        return handler

    return register


def _json_body(limit: int) -> Any:
    if request.mimetype != JSON:
        raise ApiProblem(415, "Send the body as JSON, with `Content-Type: application/json`.")
    too_large = ApiProblem(
        413, f"The body is larger than this endpoint reads ({limit:,} bytes): send fewer rows."
    )
    if request.content_length is not None and request.content_length > limit:
        raise too_large
    request.max_content_length = limit  # a body sent without its length stops there too
    try:
        data = request.get_json(silent=True)
    except RequestEntityTooLarge:
        raise too_large from None
    except RecursionError:  # nested deeper than the JSON reader goes: no body we take is
        data = None
    if data is None:
        raise ApiProblem(
            400,
            "The body is not valid JSON.",
            errors=[{"pointer": "", "detail": "The body could not be read as JSON."}],
        )
    return data


@bp.errorhandler(ApiProblem)
def _problem(problem: ApiProblem):
    return from_exception(problem)


@bp.after_request
def _audit(response):
    if needs_token(request.endpoint):
        audit_call(response.status_code)
    return response
