"""People imported through the API: a dry run, an apply made once per Idempotency-Key, and a
past import read back, each through the bulk import engine (imports/engine.py) in the name of
the client's responsible finance officer (officers.py).

Whatever breaks a rule is answered as a 422 problem naming every row and field by a JSON
Pointer into the body, and the request then rolls back: through the API an import is kept
only once it is applied, with the client that sent it and a digest of its rows (ApiImport).
Never commits: the request does.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..core.errors import RuleError
from ..extensions import db
from ..imports.engine import apply_sets, check_sets, result_of
from ..imports.lifecycle import ImportState
from ..imports.models import Import
from ..imports.report import ImportReport
from .import_shapes import escape
from .models import ApiClient, ApiImport
from .officers import OnBehalf, acting_for
from .problems import ApiProblem

Sets = dict[str, list[dict[str, Any]]]


def _client_and_actor(client_id: int) -> tuple[ApiClient, OnBehalf]:
    client = db.session.get(ApiClient, client_id)
    if client is None:  # the token was checked a moment ago: revoked since
        raise ApiProblem(401, "The client's token no longer works.")
    try:
        return client, acting_for(client)
    except RuleError as exc:
        raise ApiProblem(403, str(exc)) from None


def source_for(client: ApiClient) -> str:
    """The import's source, as the imports list shows it; idempotency keys are per source,
    so one client's keys never meet another's."""
    return f"API client {client.id}: {client.name}"[:80]


def dry_run(client_id: int, sets: Sets) -> dict[str, Any]:
    """Every row checked as applying would check it; nothing written."""
    client, actor = _client_and_actor(client_id)
    report = check_sets(sets, actor, source=source_for(client))
    _refuse_problems(report)
    return answer(None, ImportState.CHECKED, report, dry_run=True)


def apply(client_id: int, sets: Sets, key: str | None) -> dict[str, Any]:
    """Check and apply the rows in one transaction; with a key, once: the same key again
    answers with the first result and changes nothing (a different body under a key already
    used is refused, so a mistake is not answered with another import's result)."""
    client, actor = _client_and_actor(client_id)
    source, digest = source_for(client), body_digest(sets)
    earlier = _earlier(client, source, key) if key else None
    if earlier is not None:
        if earlier.body_digest != digest:
            raise ApiProblem(
                422,
                f"The Idempotency-Key {key} was used for other rows (import "
                f"{earlier.import_id}): send these rows with a new key.",
            )
        return _past(earlier.import_id, replayed=True)
    try:
        with db.session.begin_nested():
            result = apply_sets(sets, actor, source, key)
    except IntegrityError:  # the same key, sent again while the first was being applied
        raise ApiProblem(
            409,
            f"An import with the Idempotency-Key {key} is being applied: ask again in a "
            "minute, with the same key, for its result.",
        ) from None
    except RuleError as exc:
        raise ApiProblem(422, str(exc)) from None
    record = db.session.get(Import, result.import_id)
    _refuse_problems(result.report)
    if record.state != ImportState.APPLIED:
        raise ApiProblem(422, f"Nothing was imported: {record.failure}")
    db.session.add(ApiImport(import_id=record.id, client_id=client.id, body_digest=digest))
    return _past(record.id, replayed=False)


def past_import(client_id: int, import_id: int) -> dict[str, Any]:
    """An import this client applied, as it was answered; 404 for any other."""
    link = db.session.execute(
        select(ApiImport).where(ApiImport.import_id == import_id, ApiImport.client_id == client_id)
    ).scalar_one_or_none()
    if link is None:
        raise ApiProblem(404, f"This client applied no import {import_id}.")
    return _past(import_id, replayed=False)


def _earlier(client: ApiClient, source: str, key: str) -> ApiImport | None:
    return db.session.execute(
        select(ApiImport)
        .join(Import, Import.id == ApiImport.import_id)
        .where(
            Import.source == source,
            Import.idempotency_key == key,
            ApiImport.client_id == client.id,
        )
    ).scalar_one_or_none()


def _past(import_id: int, *, replayed: bool) -> dict[str, Any]:
    result = result_of(db.session.get(Import, import_id))
    return answer(import_id, ImportState(result.state), result.report, replayed=replayed)


def answer(
    import_id: int | None,
    state: ImportState,
    report: ImportReport,
    *,
    dry_run: bool = False,
    replayed: bool = False,
) -> dict[str, Any]:
    data = report.as_json()
    return {
        "import_id": import_id,
        "dry_run": dry_run,
        "replayed": replayed,
        "state": state.value,
        "counts": data["counts"],
        "waiting_for_approval": report.approvals(),
        "report": data,
    }


def body_digest(sets: Sets) -> str:
    canonical = json.dumps(sets, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _refuse_problems(report: ImportReport) -> None:
    """Every problem as a JSON Pointer into the body (rows from 0, as JSON counts them)."""
    if report.ok:
        return
    listed = len(report.problems)
    detail = (
        f"{report.problem_count:,} problems in the rows: see errors. Nothing was changed."
        if listed == report.problem_count
        else f"{report.problem_count:,} problems in the rows: errors lists the first "
        f"{listed:,}. Nothing was changed."
    )
    errors = []
    for problem in report.problems:
        pointer = f"/{problem.kind}/{problem.row - 1}"
        if problem.field:
            pointer += f"/{escape(problem.field)}"
        errors.append(
            {"pointer": pointer, "detail": problem.message[:1].upper() + problem.message[1:]}
        )
    raise ApiProblem(422, detail, errors=errors)
