"""The OpenAPI 3.1 document, built from the endpoints' declarations (endpoints.py) and the
schemas (schemas.py, shapes.py): nothing about an endpoint is written twice. It depends on
no setting, so the copy in docs/openapi.json is the same for every council and the suite
fails when it drifts (`flask dp openapi > docs/openapi.json` writes it again)."""

from __future__ import annotations

import json
from typing import Any

from .endpoints import ENDPOINTS, Endpoint
from .problems import KINDS, PROBLEM_MEDIA_TYPE
from .schemas import PROBLEM, SCHEMAS, ref

VERSION = "1.0.0"
PREFIX = "/api/v1"
SECURITY = "bearerToken"
TAGS = {
    "Finance": "The journal of payments and ledger entries, and committed payment runs",
    "Monitoring": "Financial monitoring returns and recoveries",
    "Imports": "People, accounts, bank details and budgets from the case-management system",
    "Documentation": "This document, and the same as a page to read",
}
DESCRIPTION = (
    "The council's direct payments portal, for its case-management and finance systems. "
    "Every data endpoint needs an integration client's token, sent as "
    "`Authorization: Bearer <token>`, with the scope the endpoint names; an administrator "
    "creates clients and their tokens under Settings. Errors are RFC 9457 problem details. "
    "Lists are read a page at a time: send `next_cursor` back as `cursor` to read on. Money "
    "is always pounds as text with two decimals and whole pence, never a fractional number."
)
RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before trying again",
        "schema": {"type": "integer", "minimum": 1},
    }
}
PROBLEM_HEADERS = {
    401: {
        "WWW-Authenticate": {
            "description": "The scheme to use (Bearer)",
            "schema": {"type": "string"},
        }
    },
    405: {"Allow": {"description": "The methods this path answers", "schema": {"type": "string"}}},
    429: RETRY_AFTER,
    503: RETRY_AFTER,
}


def _problem_responses() -> dict[str, Any]:
    responses = {}
    for status, kind in KINDS.items():
        response: dict[str, Any] = {
            "description": f"{kind.title}. {kind.explanation}",
            "content": {PROBLEM_MEDIA_TYPE: {"schema": ref(PROBLEM)}},
        }
        if status in PROBLEM_HEADERS:
            response["headers"] = PROBLEM_HEADERS[status]
        responses[f"Problem{status}"] = response
    return responses


def _operation(endpoint: Endpoint) -> dict[str, Any]:
    success: dict[str, Any] = {
        "description": endpoint.summary,
        "content": {endpoint.media_type: {"schema": ref(endpoint.response)}},
    }
    operation: dict[str, Any] = {
        "operationId": endpoint.name,
        "summary": endpoint.summary,
        "description": endpoint.description,
        "tags": [endpoint.tag],
        "parameters": [param.document() for param in endpoint.params],
        "responses": {
            str(endpoint.status): success,
            **{
                str(status): {"$ref": f"#/components/responses/Problem{status}"}
                for status in endpoint.all_problems()
            },
        },
        "security": [{SECURITY: [endpoint.scope.value]}] if endpoint.scope else [],
    }
    if endpoint.scope:
        operation["x-scope"] = endpoint.scope.value
    if endpoint.body:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": ref(endpoint.body)}},
        }
    return operation


def _tags() -> list[dict[str, str]]:
    """The groups of operations: those described above, then any an endpoint names anew."""
    named = dict(TAGS)
    for endpoint in ENDPOINTS.values():
        named.setdefault(endpoint.tag, endpoint.tag)
    return [{"name": name, "description": text} for name, text in named.items()]


def document() -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    for endpoint in ENDPOINTS.values():
        paths.setdefault(PREFIX + endpoint.path, {})[endpoint.method.lower()] = _operation(endpoint)
    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
        "info": {
            "title": "dp_portal integration API",
            "version": VERSION,
            "description": DESCRIPTION,
        },
        "tags": _tags(),
        "paths": paths,
        "components": {
            "schemas": dict(SCHEMAS),
            "responses": _problem_responses(),
            "securitySchemes": {
                SECURITY: {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "An integration client's token (it starts dpk_). The "
                    "operation's security requirement names the scope it needs.",
                }
            },
        },
    }


def document_text() -> str:
    """The document as served and as kept in docs/openapi.json, byte for byte."""
    return json.dumps(document(), indent=2, ensure_ascii=False) + "\n"
