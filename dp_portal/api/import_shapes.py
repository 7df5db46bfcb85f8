"""The people import's shapes: the body a client sends (rows of five kinds, by the bulk import
engine's canonical field names, imports/fields.py), what it answers (the engine's report), and
the reading of a body into rows, refusing whatever the engine must never see (a value that is
not text or a number, a NUL character, a string that is not Unicode) with a JSON Pointer to it.

The limits are stated here and in the document: at most MAX_ROWS rows a call over every kind,
and MAX_BODY_BYTES of JSON. A call is applied while the client waits, at 10 to 25 ms a row
(docs/benchmarks.md, "Bulk import"): 2,000 rows stay well inside the web server's 120-second
timeout (deploy/gunicorn.conf.py) on either database. That is 1,000 people with their
accounts in one call; a go-live of tens of thousands is sent in calls of that size (rows
name people and accounts imported by earlier calls).
"""

from __future__ import annotations

import math
from typing import Any

from ..imports.fields import FIELDS, Kind
from ..imports.report import Action
from .problems import ApiProblem
from .schemas import define, integer, obj, ref, text

MAX_ROWS = 2000
MAX_BODY_BYTES = 4 * 1024 * 1024
CELL = {"type": ["string", "number", "null"]}

ROW_NAMES = {
    Kind.PEOPLE: "ImportPerson",
    Kind.REPRESENTATIVES: "ImportRepresentative",
    Kind.ACCOUNTS: "ImportAccount",
    Kind.BANK_DETAILS: "ImportBankDetails",
    Kind.BUDGETS: "ImportBudget",
}


def _row_schema(kind: Kind) -> dict[str, Any]:
    fields = FIELDS[kind]
    return {
        "type": "object",
        "description": f"One row of {kind.label.lower()}: fields by name, each text or a number "
        '(read as a spreadsheet shows it); null or "" leaves an optional field blank. '
        "Dates as 2026-10-31, 31/10/2026 or 31 Oct 2026.",
        "properties": {f.name: CELL | {"description": f.label} for f in fields},
        "required": [f.name for f in fields if f.key],
        "additionalProperties": False,
    }


ROWS = {kind: define(name, _row_schema(kind)) for kind, name in ROW_NAMES.items()}
IMPORT_REQUEST = define(
    "ImportRequest",
    {
        "type": "object",
        "description": "Rows of each kind, applied people first, then representatives, "
        f"accounts, bank details and budgets. At most {MAX_ROWS:,} rows in all.",
        "properties": {
            kind.value: {"type": "array", "items": ref(ROWS[kind]), "maxItems": MAX_ROWS}
            for kind in Kind
        },
        "minProperties": 1,
        "additionalProperties": False,
    },
)

COUNT = integer("Rows", minimum=0)
KIND_COUNTS = define(
    "ImportCounts",
    obj({action.value: COUNT for action in Action}, description="Rows by what they do"),
)
BY_KIND = {"type": "object", "propertyNames": {"enum": [k.value for k in Kind]}}
CHANGE = obj(
    {
        "field": text("The field"),
        "before": text("What we hold (account numbers: the last four digits only)"),
        "after": text("What it becomes"),
    }
)
OUTCOME = define(
    "ImportOutcome",
    obj(
        {
            "kind": text("The kind of record", enum=[k.value for k in Kind]),
            "row": integer("The row's position in its list, counting from 1", minimum=1),
            "key": text("The reference the row was matched on"),
            "action": text("What the row does", enum=[a.value for a in Action]),
            "changes": {"type": "array", "items": CHANGE},
            "note": text("Anything else, such as waiting for a second officer's approval"),
        }
    ),
)
REPORT = define(
    "ImportReport",
    obj(
        {
            "ok": {"type": "boolean", "description": "No row has a problem"},
            "rows": BY_KIND | {"additionalProperties": COUNT, "description": "Rows read"},
            "problem_count": COUNT,
            "problems": {"type": "array", "maxItems": 0, "description": "Always empty here"},
            "counts": BY_KIND | {"additionalProperties": ref(KIND_COUNTS)},
            "outcomes": {"type": "array", "items": ref(OUTCOME)},
        },
        description="What each row does (a report with problems is answered as a 422 problem)",
    ),
)
IMPORT_RESULT = define(
    "ImportResult",
    obj(
        {
            "import_id": {
                "type": ["integer", "null"],
                "description": "The import's id, to read it again (none for a dry run)",
            },
            "dry_run": {"type": "boolean", "description": "Checked only: nothing was written"},
            "replayed": {
                "type": "boolean",
                "description": "The result of an earlier call with the same Idempotency-Key: "
                "nothing was changed by this one",
            },
            "state": text("checked (a dry run) or applied", enum=["checked", "applied"]),
            "counts": BY_KIND
            | {"additionalProperties": ref(KIND_COUNTS), "description": "Rows by kind"},
            "waiting_for_approval": integer(
                "Bank details and budgets that wait for a second finance officer", minimum=0
            ),
            "report": ref(REPORT),
        }
    ),
)


def read_sets(body: Any) -> dict[str, list[dict[str, Any]]]:
    """The rows of each kind in the body, or a problem naming every part at fault: 400 for a
    body not shaped as ImportRequest, 422 for text no database can keep (a NUL character,
    broken Unicode: valid JSON, but never a name or an address), 413 for more than MAX_ROWS
    rows."""
    if not isinstance(body, dict):
        raise _bad([("", 'Send an object with lists of rows, like {"people": [...]}')])
    shape: list[tuple[str, str]] = []
    text: list[tuple[str, str]] = []
    known = {kind.value for kind in Kind}
    for name in body.keys() - known:
        shape.append((f"/{escape(name)}", f"Send only {', '.join(sorted(known))}"))
    sets = {name: rows for name, rows in body.items() if name in known}
    if not sets and not shape:
        shape.append(("", 'Send at least one list of rows, like {"people": [...]}'))
    for name, rows in sets.items():
        if not isinstance(rows, list):
            shape.append((f"/{name}", "Send a list of rows"))
            continue
        for index, row in enumerate(rows):
            _check_row(f"/{name}/{index}", row, shape, text)
    if shape:
        raise _bad(shape)
    if text:
        raise _bad(text, status=422)
    total = sum(len(rows) for rows in sets.values())
    if total > MAX_ROWS:
        raise ApiProblem(
            413,
            f"The body holds {total:,} rows: send at most {MAX_ROWS:,} in one call, and the "
            "rest in further calls (rows already imported are matched, not made twice).",
        )
    return sets


def _check_row(pointer: str, row: Any, shape: list, text: list) -> None:
    if not isinstance(row, dict):
        shape.append((pointer, "Send each row as an object of fields by name"))
        return
    for name, value in row.items():
        where = f"{pointer}/{escape(name)}"
        if not _readable(name):
            text.append((where, "A field's name may not hold a NUL character or broken text"))
        elif isinstance(value, str):
            if not _readable(value):
                text.append((where, "Send text without NUL characters, in proper Unicode"))
        elif isinstance(value, int | float) and not isinstance(value, bool):
            if not math.isfinite(value):
                shape.append((where, "Send a number we can read, or text"))
        elif value is not None:
            shape.append((where, "Send text, a number or null: not a list, object or true/false"))


def _readable(value: str) -> bool:
    """Text the database can keep: no NUL character, and proper Unicode (JSON can carry a
    lone surrogate, which no database column can hold)."""
    if "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def escape(name: str) -> str:
    """A name as one step of a JSON Pointer (RFC 6901 section 3: ~ and / escaped)."""
    return name.replace("~", "~0").replace("/", "~1")


def _bad(errors: list[tuple[str, str]], status: int = 400) -> ApiProblem:
    return ApiProblem(
        status,
        "The body is not shaped as an import: see errors. Nothing was changed."
        if status == 400
        else "Some text cannot be kept: see errors. Nothing was changed.",
        errors=[{"pointer": pointer, "detail": detail} for pointer, detail in errors[:2000]],
    )
