"""Property-based: schemathesis reads the document the app serves and sends generated requests
(valid and invalid) to every operation through the WSGI app, on whichever database the suite
runs on, checking every answer against the document: status codes, content types, headers
and bodies, a 5xx never, invalid data refused, valid data accepted, and no answer without
the token.

Two rules the document cannot express are kept true for the valid requests: a cursor is
one the list handed out (an opaque position cannot be generated), and `from` is not after
`to`. The invalid requests keep whatever was generated, and carry the token unless the
Authorization header is what was made invalid.

The people import takes rows that are valid JSON but may break the council's rules (a date
of birth in the future, an account naming nobody): its documented answer to those is 422 (or
413 past the row limit), so for that operation alone a valid request answered 422 or 413 is
not held to "valid data accepted"; every other check still applies to it.
"""

from __future__ import annotations

from datetime import date

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from dp_portal.api.endpoints import ENDPOINTS
from dp_portal.api.rules import Scope
from dp_portal.monitoring.models import MonitoringReturn
from dp_portal.payments.ledger_models import Recovery

from .conftest import bearer

# Each list's own cursor (a cursor from one list is refused by another).
CURSORS = {
    f"/api/v1{endpoint.path}": param.kind
    for endpoint in ENDPOINTS.values()
    for param in endpoint.params
    if param.name == "cursor"
}


@pytest.fixture
def api_schema(app, issue, paid, factory, db_session):
    paid.commit_period(0)
    paid.correct("-1.50", date(2026, 4, 20))
    account = factory.account()
    officer = factory.user()
    db_session.add_all(
        [
            MonitoringReturn(
                account_id=account.id,
                period_start=date(2026, 4, 1),
                period_end=date(2026, 6, 30),
                due_date=date(2026, 7, 28),
                status="draft",
            ),
            Recovery(
                account_id=account.id,
                amount_pence=1234,
                method="invoice",
                reason="Surplus",
                source="Return",
                created_by_id=officer.id,
            ),
        ]
    )
    db_session.flush()
    token = issue(*Scope)[1]
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app), bearer(token)


def _auth_is_under_test(case) -> bool:
    """Whether this invalid request is about the Authorization header itself (missing or
    garbled): then it goes as generated, and must be refused, instead of with the token."""
    mutations = getattr(case.meta.phase.data, "mutations", None) or ()
    return any(mutation.parameter == "Authorization" for mutation in mutations)


def _keep_valid_requests_valid(case) -> None:
    query = case.query or {}
    if "cursor" in query:
        query["cursor"] = CURSORS[case.path].encode(1)
    if "from" in query and "to" in query and query["from"] > query["to"]:
        query["from"], query["to"] = query["to"], query["from"]


IMPORT = "POST /api/v1/imports"

# Bounded, so the suite stays quick on both databases: every operation gets examples of each
# mode (Hypothesis spreads them over the operations), each answer checked by every check.
EXAMPLES = 120


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_every_answer_keeps_to_the_document(api_schema, mode):
    served, token = api_schema

    @given(case=served.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
    def answers(case):
        headers = None if _auth_is_under_test(case) else token
        if mode != GenerationMode.POSITIVE:
            case.call_and_validate(headers=headers)
            return
        _keep_valid_requests_valid(case)
        response = case.call(headers=headers)
        refused_by_rule = case.operation.label == IMPORT and response.status_code in (413, 422)
        case.validate_response(
            response,
            headers=headers,
            excluded_checks=[positive_data_acceptance] if refused_by_rule else None,
        )

    answers()
