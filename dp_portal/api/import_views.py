"""The people import: POST /imports (a dry run, or applied once per Idempotency-Key) and
GET /imports/{import_id} (a past import's result). Declaration and handler side by side;
the services are in imports.py, the shapes in import_shapes.py."""

from __future__ import annotations

from . import import_shapes as shapes
from . import imports
from .endpoints import Call, Endpoint, api_endpoint
from .params import BoolParam, IntParam, KeyParam, Param
from .rules import Scope

DESCRIPTION = (
    "People, representatives, accounts, bank details and budgets from the case-management "
    "system, by the bulk import's field names (the schemas list them), matched on its "
    "references so that rows sent again make nothing twice. Every row is checked with the "
    "rules the officers' forms apply; if any row has a problem the answer is a 422 problem "
    "naming each one by a JSON Pointer into the body (`/people/13/date_of_birth`: rows "
    "count from 0) and nothing is changed. With `dry_run=true` the rows are checked and "
    "nothing is written; without it they are applied in one transaction, all or nothing. "
    "Send an `Idempotency-Key` to make retries safe: the same key answers with the first "
    "result and changes nothing again. Changes are made in the name of the client's "
    "responsible finance officer; new bank details and budgets wait for a second finance "
    f"officer's approval. At most {shapes.MAX_ROWS:,} rows in all, and "
    f"{shapes.MAX_BODY_BYTES // (1024 * 1024)} MB of JSON, a call."
)

IMPORT = Endpoint(
    "POST",
    "/imports",
    "import_people",
    "Import people, accounts, bank details and budgets",
    DESCRIPTION,
    shapes.IMPORT_RESULT,
    scope=Scope.PEOPLE_IMPORT,
    params=(
        Param("dry_run", "Check only: write nothing", BoolParam(), default=False),
        Param(
            "Idempotency-Key",
            "A key of the client's choosing for this import (a UUID, say): sending the same "
            "key again answers with the first result and changes nothing",
            KeyParam(),
            where="header",
        ),
    ),
    body=shapes.IMPORT_REQUEST,
    body_limit=shapes.MAX_BODY_BYTES,
    problems=(409,),
    tag="Imports",
)


@api_endpoint(IMPORT)
def import_people(call: Call) -> dict:
    sets = shapes.read_sets(call.body)
    if call.params["dry_run"]:
        return imports.dry_run(call.caller.id, sets)
    return imports.apply(call.caller.id, sets, call.params["Idempotency-Key"])


PAST = Endpoint(
    "GET",
    "/imports/{import_id}",
    "past_import",
    "A past import's result",
    "An import this client applied: what each row did. Imports made by other clients, or "
    "in the portal's pages, are not found.",
    shapes.IMPORT_RESULT,
    scope=Scope.PEOPLE_IMPORT,
    params=(Param("import_id", "The import's id", IntParam(1, 999_999_999), where="path"),),
    problems=(404,),
    tag="Imports",
)


@api_endpoint(PAST)
def past_import(call: Call) -> dict:
    return imports.past_import(call.caller.id, call.params["import_id"])
